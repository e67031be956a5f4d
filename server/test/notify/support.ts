/** Test support for notifications: a real SMTP server on loopback, a second database handle, SSE reading. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type DbHandle, openDatabase } from '../../src/db/client.ts';
import type { TestContext } from '../support/context.ts';

export type Mail = {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  priority: string | undefined;
};

export type SmtpSink = {
  port: number;
  mails: Mail[];
  /** Answer RCPT TO with this SMTP code (e.g. 451, 550) until set back to undefined. */
  reject: { code: number; text: string } | undefined;
  emailConfig(): { host: string; port: number; from: string; timeoutMs: number };
  close(): Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port: 0,
    mails: [],
    reject: undefined,
    emailConfig: () => ({
      host: '127.0.0.1',
      port: sink.port,
      from: '"督办平台" <duban@example.gov.cn>',
      timeoutMs: 10_000,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      const r = sink.reject;
      if (r === undefined) callback();
      else callback(Object.assign(new Error(r.text), { responseCode: r.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          sink.mails.push({
            messageId: mail.messageId ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            priority:
              typeof mail.headers.get('priority') === 'string'
                ? String(mail.headers.get('priority'))
                : undefined,
          });
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}

/**
 * Another handle on the test database: on PostgreSQL a second connection pool (as a second
 * process would have), on PGlite the same handle (one process owns the embedded database).
 */
export async function secondHandle(ctx: TestContext): Promise<DbHandle> {
  if (ctx.handle.kind === 'pglite') return ctx.handle;
  const base = process.env.DATABASE_URL;
  if (base === undefined) throw new Error('DATABASE_URL unset');
  const row = await sql<{ name: string }>`select current_database() as name`.execute(ctx.db);
  const url = new URL(base);
  url.pathname = `/${row.rows[0]?.name ?? ''}`;
  return openDatabase({ databaseUrl: url.toString(), dataDir: ctx.dataDir });
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type SseEvent = { event: string; id: string | undefined; data: string };

export type SseClient = {
  status: number;
  events: SseEvent[];
  comments: string[];
  ended: () => boolean;
  next(event: string, after?: number): Promise<SseEvent>;
  close(): void;
};

/** Opens an SSE stream over a real socket and parses events as they arrive. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, id, data: data.join('\n') });
        }
      });
      res.on('end', () => {
        ended = true;
      });
      res.on('close', () => {
        ended = true;
      });
      resolve({
        status: res.statusCode ?? 0,
        events,
        comments,
        ended: () => ended,
        next: (event, after = 0) =>
          waitFor(() => events.slice(after).find((e) => e.event === event), `SSE event ${event}`),
        close: () => {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
  });
}

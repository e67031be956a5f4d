/** Test support for the channel tests: a real HTTP receiver on loopback and a sample message. */
import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboundMessage } from '../../../src/notify/channels/types.ts';

export type Received = {
  method: string;
  url: URL;
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: string;
};
export type Reply = { status?: number; headers?: Record<string, string>; body?: string };
export type Handler = (req: Received) => Reply | 'hang';

export type Receiver = {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `127.0.0.1:PORT`, for allow-lists. */
  hostPort: string;
  port: number;
  received: Received[];
  /** TCP connections accepted so far (to prove that a refused target was never connected to). */
  connections: () => number;
  setHandler: (h: Handler) => void;
  close: () => Promise<void>;
};

export async function startReceiver(initial: Handler = () => ({ status: 204 })): Promise<Receiver> {
  let handler = initial;
  let connections = 0;
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawUrl = req.url ?? '/';
      const r: Received = {
        method: req.method ?? '',
        url: new URL(rawUrl, 'http://receiver.invalid'),
        rawUrl,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      const reply = handler(r);
      if (reply === 'hang') return;
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    setHandler: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on loopback that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export function sampleMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: randomUUID(),
    kind: 'item.reminder',
    urgent: false,
    subject: '【督办提醒】杭督〔2026〕0001号 还有3个工作日到期',
    text: '市政府办公厅交办的“老旧小区加装电梯”事项将于2026年3月6日到期，请牵头单位杭州市住房保障和房产管理局及时报送办理进展。',
    link: 'https://duban.example.gov.cn/items/3f1c2a9e',
    data: {
      itemId: '3f1c2a9e',
      code: '杭督〔2026〕0001号',
      dueDate: '2026-03-06',
      leadUnit: '杭州市住房保障和房产管理局',
    },
    occurredAt: '2026-03-03T01:00:00.000Z',
    ...overrides,
  };
}

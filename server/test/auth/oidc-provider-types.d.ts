/** The few parts of oidc-provider (no published types for v9) that test/auth/oidc-provider.ts uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  type Account = { accountId: string; claims(): Promise<Record<string, unknown>> };

  export type Configuration = {
    clients: Record<string, unknown>[];
    cookies?: { keys: string[] };
    jwks?: { keys: Record<string, unknown>[] };
    claims?: Record<string, string[]>;
    features?: Record<string, { enabled: boolean }>;
    ttl?: Record<string, number>;
    findAccount(ctx: unknown, id: string): Promise<Account | undefined>;
    interactions?: { url(ctx: unknown, interaction: { uid: string }): string };
  };

  export type InteractionDetails = {
    uid: string;
    prompt: { name: string };
    params: Record<string, string>;
    session?: { accountId: string };
  };

  export class Grant {
    constructor(init: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    Grant: typeof Grant;
    callback(): Handler;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}

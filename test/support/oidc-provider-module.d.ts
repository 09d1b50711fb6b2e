// oidc-provider 9 ships no types; the test helper uses a small, explicit slice of it.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  export interface TestProviderClient {
    backchannelLogout(sub: string, sid: string): Promise<void>;
  }
  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    Client: { find(id: string): Promise<TestProviderClient | undefined> };
    proxy: boolean;
  }
  export default Provider;
}

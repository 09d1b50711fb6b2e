/**
 * A real OpenID Provider for tests: panva's oidc-provider 9 on 127.0.0.1, port 0, with the given
 * clients and accounts, PKCE required, form_post available, back-channel logout enabled (logout
 * tokens are POSTed to a capture server started beside it). Its signing keys are generated here so
 * tests can re-sign tampered tokens with the provider's own key (then only the tampered claim can
 * be refused) — see `tamperingFetch`.
 *
 * `loginFlow` drives the provider's devInteractions login (and consent) without a browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { Provider } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  preferred_username?: string;
  groups?: string[];
  /** Anything else (tid, hd, roles, …); these are released with the openid scope. */
  [claim: string]: unknown;
}

export interface TestClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** Public keys for private_key_jwt. */
  jwks?: { keys: JWK[] };
  id_token_signed_response_alg?: string;
  post_logout_redirect_uris?: string[];
  [metadata: string]: unknown;
}

export interface TestOidcProviderOptions {
  clients: TestClient[];
  accounts: TestAccount[];
  /** The host in the issuer (default 127.0.0.1); `localhost` makes discovery at 127.0.0.1 disagree. */
  issuerHost?: string;
  /** OIDC Core §5.4: scope claims only in userinfo (true, the spec's default) or also in the ID token (false, default here). */
  conformIdTokenClaims?: boolean;
}

export interface TestOidcProvider {
  /** The issuer as the provider states it. */
  issuer: string;
  /** The issuer spelled with 127.0.0.1 (what a connector should be configured with). */
  url: string;
  /** Sign a JWT with the provider's own key for `alg` (RS256 or ES256). */
  sign(payload: JWTPayload, header?: { alg?: 'RS256' | 'ES256'; typ?: string }): Promise<string>;
  /** Change or add an account (what the next userinfo, ID token or refresh says). */
  setAccount(account: TestAccount): void;
  /** Remove an account at the provider: its refresh tokens stop working (invalid_grant). */
  removeAccount(sub: string): void;
  /** Have the provider send a real back-channel logout token to the client; resolves to that token. */
  backchannelLogout(clientId: string, sub: string, sid: string): Promise<string>;
  close(): Promise<void>;
}

interface SigningKey { privateKey: CryptoKey; jwk: JWK }

async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' } };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A tiny server that records POSTed logout tokens (stands in for the gateway's endpoint). */
async function startLogoutCapture(): Promise<{ server: Server; url: string; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(new URLSearchParams(body).get('logout_token') ?? '');
      res.writeHead(200).end();
    });
  });
  const port = await listen(server);
  return { server, url: `http://127.0.0.1:${port}/backchannel-logout`, received };
}

function providerConfiguration(options: TestOidcProviderOptions, keys: SigningKey[], logoutUri: string, accounts: Map<string, TestAccount>): Record<string, unknown> {
  return {
    clients: options.clients.map((c) => ({ backchannel_logout_uri: logoutUri, backchannel_logout_session_required: true, ...c })),
    jwks: { keys: keys.map((k) => k.jwk) },
    cookies: { keys: ['gatehouse-test-cookie-key'] },
    pkce: { required: () => true },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    claims: {
      openid: ['sub', 'tid', 'hd', 'roles', 'realm_access'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'nickname'],
      groups: ['groups'],
    },
    // The provider's SSRF guard refuses loopback targets; the capture server is on loopback on purpose.
    fetch: (url: string, init: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ssrfGuard, ...rest } = init;
      return globalThis.fetch(url, rest);
    },
    features: { devInteractions: { enabled: true }, backchannelLogout: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    // Clients allowed the refresh_token grant get one at every code exchange (no offline_access consent dance).
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      return account ? { accountId: id, claims: () => ({ ...account }) } : undefined;
    },
  };
}

export async function startTestOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const keys = [await signingKey('RS256', 'rs-1'), await signingKey('ES256', 'es-1')];
  const capture = await startLogoutCapture();
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${port}`;
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  const provider = new Provider(issuer, providerConfiguration(options, keys, capture.url, accounts));
  // Quiet: the provider emits 'server_error' etc. for refused requests the tests provoke on purpose.
  provider.on('server_error', () => {});
  server.on('request', provider.callback());
  return {
    issuer,
    url: `http://127.0.0.1:${port}`,
    async sign(payload, header = {}) {
      const alg = header.alg ?? 'RS256';
      const key = keys.find((k) => k.jwk.alg === alg)!;
      return new SignJWT(payload).setProtectedHeader({ alg, kid: key.jwk.kid!, ...(header.typ ? { typ: header.typ } : {}) }).sign(key.privateKey);
    },
    setAccount(account) { accounts.set(account.sub, account); },
    removeAccount(sub) { accounts.delete(sub); },
    async backchannelLogout(clientId, sub, sid) {
      const client = await provider.Client.find(clientId);
      if (!client) throw new Error(`no client ${clientId}`);
      const before = capture.received.length;
      await client.backchannelLogout(sub, sid);
      return capture.received[before]!;
    },
    close: async () => {
      server.closeAllConnections();
      capture.server.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => capture.server.close(r))]);
    },
  };
}

/** What came back to the relying party: the callback URL (query mode) and the form_post body. */
export interface CallbackRequest {
  url: string;
  body: Record<string, string>;
}

function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decodeEntities(m[1]!) : undefined;
}

/** The first form of an HTML page: its action and its inputs' names and values. */
function parseForm(html: string, base: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*>/i.exec(html);
  if (!form) return null;
  const fields: Record<string, string> = {};
  for (const [input] of html.matchAll(/<input[^>]*>/gi)) {
    const name = attr(input, 'name');
    if (name) fields[name] = attr(input, 'value') ?? '';
  }
  return { action: new URL(attr(form[0], 'action') ?? base, base).href, fields };
}

function storeCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

/**
 * Sign in at the provider as `accountId` without a browser: follow redirects with a cookie jar,
 * fill devInteractions' login form (any password) and consent form, and stop as soon as the next
 * hop leaves the provider — a redirect to the callback (query) or the auto-submitting form_post
 * page, whose fields become `body`.
 */
export async function loginFlow(authorizationUrl: string, options: { accountId: string }): Promise<CallbackRequest> {
  const origin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  let next: { url: string; method: 'GET' | 'POST'; body?: URLSearchParams } = { url: authorizationUrl, method: 'GET' };
  for (let hop = 0; hop < 15; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(next.url, { method: next.method, redirect: 'manual', headers: cookie ? { cookie } : {}, ...(next.body ? { body: next.body } : {}) });
    storeCookies(jar, res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const target = new URL(location, next.url);
      if (target.origin !== origin) return { url: target.href, body: {} };
      next = { url: target.href, method: 'GET' };
      continue;
    }
    const html = await res.text();
    const form = parseForm(html, next.url);
    if (!form) throw new Error(`loginFlow: ${res.status} from ${next.url} with no form or redirect: ${html.slice(0, 300)}`);
    if (new URL(form.action).origin !== origin) return { url: form.action, body: form.fields };
    const fields = { ...form.fields, ...(form.fields.prompt === 'login' ? { login: options.accountId, password: 'any' } : {}) };
    next = { url: form.action, method: 'POST', body: new URLSearchParams(fields) };
  }
  throw new Error('loginFlow: too many hops');
}

/**
 * A fetch for the connector that rewrites the ID token in token responses: `mutate` gets the
 * decoded claims and header and returns the replacement claims (re-signed with the provider's own
 * key, so only the mutation can be refused) or a ready token (e.g. an unsigned `alg: none` one).
 */
export function tamperingFetch(
  provider: TestOidcProvider,
  mutate: (claims: JWTPayload, header: { alg?: string }) => JWTPayload | { token: string } | Promise<{ token: string }>,
): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith('/token') || !res.ok) return res;
    const json = (await res.json()) as { id_token?: string };
    if (json.id_token) {
      const header = decodeProtectedHeader(json.id_token);
      const out = await mutate(decodeJwt(json.id_token), header as { alg?: string });
      json.id_token = 'token' in out && typeof out.token === 'string' ? out.token : await provider.sign(out as JWTPayload, { alg: (header.alg as 'RS256' | 'ES256') ?? 'RS256' });
    }
    return new Response(JSON.stringify(json), { status: res.status, headers: { 'content-type': 'application/json' } });
  };
}

/** An unsigned JWT (`alg: none`) carrying `claims`. */
export function unsignedJwt(claims: JWTPayload): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

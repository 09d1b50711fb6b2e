/**
 * A test double: the real GitHub cannot be reached from here. This is a LOCAL OAuth 2.0 server
 * written for the tests, on 127.0.0.1:0, shaped like GitHub's OAuth App endpoints and REST API:
 *
 * - `GET  /login/oauth/authorize` auto-approves the chosen user and redirects to redirect_uri with
 *   `code` and `state` (it checks client_id and, when sent, that the PKCE method is S256);
 * - `POST /login/oauth/access_token` checks the client credentials (post or basic), that the code
 *   is known and unused, the redirect_uri, and the PKCE S256 verifier. Like GitHub it reports
 *   errors with HTTP 200 and an `error` member, and answers JSON only to `Accept: application/json`;
 * - `GET /user`, `/user/emails`, `/user/orgs` with a bearer token;
 * - `GET /generic/userinfo`: the same user nested as `{ data: { user: {...} } }`, for the generic connector.
 *
 * Knobs (`fake.knobs`, changeable between requests) inject the failures the connector must refuse.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

export interface FakeGithubUser {
  id: number;
  login: string;
  name?: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
  orgs: string[];
  /** Extra fields for the generic user-info shape (e.g. groups, role). */
  extra?: Record<string, unknown>;
}

export interface FakeGithubKnobs {
  /** The user the authorize endpoint approves. */
  user: FakeGithubUser;
  /** Token endpoint failure: GitHub-style `error` with HTTP 200, or an HTTP 500. */
  tokenError?: 'bad_verification_code' | 'http500';
  /** Send this text instead of JSON from /user and /generic/userinfo. */
  malformedUserJson?: string;
  /** Delay every API and token response by this many ms (server side). */
  slowMs?: number;
}

export interface FakeGithub {
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  userUrl: string;
  emailsUrl: string;
  genericUserInfoUrl: string;
  clientId: string;
  clientSecret: string;
  knobs: FakeGithubKnobs;
  /** Every request seen, method and path (no bodies). */
  requests: Array<{ method: string; path: string; accept?: string }>;
  /** Follow the authorize redirect for a connector's authorization URL; resolves to the callback URL. */
  authorize(authorizationUrl: string): Promise<string>;
  close(): Promise<void>;
}

export const OCTOCAT: FakeGithubUser = {
  id: 583231,
  login: 'octocat',
  name: 'Mona Lisa Octocat',
  emails: [
    { email: 'mona@old.example', primary: false, verified: true },
    { email: 'mona@example.com', primary: true, verified: true },
  ],
  orgs: ['github', 'Octo-Org'],
};

interface Grant {
  user: FakeGithubUser;
  redirectUri: string;
  challenge?: string;
  used: boolean;
}

export interface FakeGithubOptions {
  clientId?: string;
  clientSecret?: string;
  user?: FakeGithubUser;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const clientId = options.clientId ?? 'fake-client-id';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, FakeGithubUser>();
  const knobs: FakeGithubKnobs = { user: options.user ?? OCTOCAT };
  const requests: FakeGithub['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();

  const later = (fn: () => void) => {
    if (!knobs.slowMs) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, knobs.slowMs);
    timers.add(t);
  };

  function authorize(url: URL, res: http.ServerResponse): void {
    const p = url.searchParams;
    if (p.get('client_id') !== clientId) return send(res, 404, { error: 'unknown client_id' });
    const method = p.get('code_challenge_method');
    if (p.get('code_challenge') && method !== 'S256') return send(res, 400, { error: 'only S256 is supported' });
    const redirectUri = p.get('redirect_uri') ?? '';
    const code = randomBytes(10).toString('hex');
    const challenge = p.get('code_challenge');
    grants.set(code, { user: knobs.user, redirectUri, used: false, ...(challenge ? { challenge } : {}) });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state') ?? '');
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  function clientOk(req: http.IncomingMessage, form: URLSearchParams): boolean {
    const basic = req.headers.authorization?.match(/^Basic (.+)$/)?.[1];
    if (basic) return Buffer.from(basic, 'base64').toString('utf8') === `${clientId}:${clientSecret}`;
    return form.get('client_id') === clientId && form.get('client_secret') === clientSecret;
  }

  function tokenError(form: URLSearchParams, req: http.IncomingMessage): string | undefined {
    if (!clientOk(req, form)) return 'incorrect_client_credentials';
    const grant = grants.get(form.get('code') ?? '');
    if (!grant || grant.used) return 'bad_verification_code';
    grant.used = true;
    if (grant.redirectUri !== form.get('redirect_uri')) return 'redirect_uri_mismatch';
    if (grant.challenge && s256(form.get('code_verifier') ?? '') !== grant.challenge) return 'invalid_grant';
    return undefined;
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = await readBody(req);
    const json = /application\/json/.test(req.headers.accept ?? '');
    later(() => {
      if (knobs.tokenError === 'http500') return send(res, 500, { message: 'Internal Server Error' });
      const error = knobs.tokenError ?? tokenError(form, req);
      if (error) return send(res, 200, { error, error_description: `fake: ${error}` });
      const accessToken = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(accessToken, grants.get(form.get('code') ?? '')?.user ?? knobs.user);
      if (!json) return send(res, 200, `access_token=${accessToken}&scope=read%3Auser&token_type=bearer`, { 'content-type': 'application/x-www-form-urlencoded' });
      send(res, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' });
    });
  }

  function api(path: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const user = tokens.get(req.headers.authorization?.match(/^Bearer (.+)$/)?.[1] ?? '');
    later(() => {
      if (!user) return send(res, 401, { message: 'Bad credentials' });
      const profile = { id: user.id, login: user.login, name: user.name ?? null, email: null, ...user.extra };
      if ((path === '/user' || path === '/generic/userinfo') && knobs.malformedUserJson !== undefined) return send(res, 200, knobs.malformedUserJson);
      if (path === '/user') return send(res, 200, profile);
      if (path === '/user/emails') return send(res, 200, user.emails.map((e) => ({ ...e, visibility: e.primary ? 'public' : null })));
      if (path === '/user/orgs') return send(res, 200, user.orgs.map((login, i) => ({ login, id: 1000 + i })));
      if (path === '/generic/userinfo') return send(res, 200, { data: { user: { ...profile, email: user.emails.find((e) => e.primary)?.email, email_verified: user.emails.some((e) => e.primary && e.verified) } } });
      send(res, 404, { message: 'Not Found' });
    });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? '', path: url.pathname, ...(req.headers.accept ? { accept: req.headers.accept } : {}) });
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return void token(req, res);
    if (req.method === 'GET') return api(url.pathname, req, res);
    send(res, 405, { message: 'Method Not Allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    authorizeUrl: `${base}/login/oauth/authorize`,
    tokenUrl: `${base}/login/oauth/access_token`,
    userUrl: `${base}/user`,
    emailsUrl: `${base}/user/emails`,
    genericUserInfoUrl: `${base}/generic/userinfo`,
    clientId,
    clientSecret,
    knobs,
    requests,
    async authorize(authorizationUrl) {
      const res = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location) throw new Error(`fake GitHub refused to authorize: HTTP ${res.status} ${await res.text()}`);
      return location;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

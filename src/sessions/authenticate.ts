/**
 * Who is calling: a session token (Authorization header or MMAUTHTOKEN cookie) or a personal access
 * token. Anything doubtful — unknown token, expired session, deactivated user — is no principal.
 */
import type { IncomingMessage } from 'node:http';
import type { EphemeralStore } from '../store/ephemeral/contract.js';
import type { AccessTokenRepository } from '../tokens/access-tokens.js';
import { GatewayError } from '../errors/gateway-error.js';
import { parseCookies } from '../http/cookies.js';
import type { AccessResolver } from './access.js';
import type { Principal } from './principal.js';
import { hashToken, type SessionRecord, type SessionStore } from './session-store.js';

export const SESSION_COOKIE = 'MMAUTHTOKEN';
export const CSRF_COOKIE = 'MMCSRF';
export const USER_ID_COOKIE = 'MMUSERID';
const PAT_CACHE_MS = 30_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Credential { token: string; viaCookie: boolean }

/** `Authorization: Bearer|Token <t>` (any case, as Mattermost clients send `BEARER`), else the cookie. */
export function readCredential(req: IncomingMessage): Credential | null {
  const header = req.headers.authorization;
  if (header) {
    const m = /^(?:bearer|token)\s+(\S+)$/i.exec(header);
    return m ? { token: m[1]!, viaCookie: false } : null;
  }
  const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return cookie ? { token: cookie, viaCookie: true } : null;
}

export function createAuthenticator(deps: {
  sessions: SessionStore; access: AccessResolver; tokens: AccessTokenRepository; store: EphemeralStore;
  /** Told of every authenticated session (the SSO re-check schedules itself from here); must not block. */
  onSession?: (session: SessionRecord) => void;
}) {
  const fromAccessToken = async (token: string): Promise<{ id: string; userId: string } | null> => {
    const key = `pat:${hashToken(token)}`;
    const cached = await deps.store.get(key);
    if (cached) return cached === '-' ? null : (JSON.parse(cached) as { id: string; userId: string });
    const row = await deps.tokens.findActiveByToken(token);
    const value = row ? { id: row.id, userId: row.user_id } : null;
    await deps.store.set(key, value ? JSON.stringify(value) : '-', PAT_CACHE_MS);
    return value;
  };
  const authenticateCredential = async (credential: Credential | null): Promise<Principal | null> => {
    if (!credential || credential.token.length > 512) return null;
    const session = await deps.sessions.lookup(credential.token);
    if (session) {
      const access = await deps.access.resolve(session.userId);
      if (!access || access.deactivated) return null;
      deps.onSession?.(session);
      return {
        userId: session.userId, sessionId: session.id, kind: 'session', viaCookie: credential.viaCookie, csrfToken: session.csrfToken, amr: session.amr,
        authTime: session.authTime, access, ...(session.mfaEnrolRequired ? { mfaEnrolRequired: true } : {}),
      };
    }
    if (credential.viaCookie) return null;
    const pat = await fromAccessToken(credential.token);
    if (!pat) return null;
    const access = await deps.access.resolve(pat.userId);
    if (!access || access.deactivated) return null;
    return { userId: pat.userId, sessionId: pat.id, kind: 'access_token', viaCookie: false, csrfToken: '', amr: ['pat'], authTime: 0, access };
  };
  return {
    authenticate: (req: IncomingMessage): Promise<Principal | null> => authenticateCredential(readCredential(req)),
    /** The same decision for a credential that came some other way (a websocket authentication_challenge). */
    authenticateCredential,
    /** Drop the cached look-up of a revoked access token so it fails on the next request. */
    async forgetAccessToken(tokenHash: string): Promise<void> {
      await deps.store.delete(`pat:${tokenHash}`);
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

/**
 * CSRF (Mattermost's rule): a cookie-authenticated request that changes state must carry
 * `X-CSRF-Token` equal to the session's token; `X-Requested-With: XMLHttpRequest` is accepted
 * instead unless strict mode is on (a cross-site form cannot set either header).
 */
export function checkCsrf(req: IncomingMessage, principal: Principal, strict: boolean): void {
  if (!principal.viaCookie || SAFE_METHODS.has(req.method ?? 'GET')) return;
  const sent = req.headers['x-csrf-token'];
  if (typeof sent === 'string' && sent.length > 0 && timingSafeEqualStrings(sent, principal.csrfToken)) return;
  if (!strict && req.headers['x-requested-with'] === 'XMLHttpRequest') return;
  throw new GatewayError('SESSION_CSRF_FAILED', { detail: sent ? 'X-CSRF-Token does not match the session' : 'no X-CSRF-Token on a cookie-authenticated request' });
}

function timingSafeEqualStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

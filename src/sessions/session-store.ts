/**
 * Sessions: opaque 256-bit tokens, stored in the ephemeral store under the token's SHA-256 (a store
 * dump reveals no usable token), with idle and absolute lifetimes. Revocation deletes the record,
 * so the very next request fails on every node, and is announced on `session.revoked` so nodes close
 * the session's websockets.
 */
import { createHash } from 'node:crypto';
import type { EphemeralStore } from '../store/ephemeral/contract.js';
import { newId, newSecret } from '../http/ids.js';

export interface SessionRecord {
  id: string;
  userId: string;
  csrfToken: string;
  amr: string[];
  authTime: number;
  createAt: number;
  lastActivityAt: number;
  expiresAt: number;
  deviceId: string;
  userAgent: string;
  ip: string;
  /** For SSO sessions that support Single Logout: which IdP session this is. */
  sso?: SsoSessionRef;
  /** MFA is required and not yet set up: this session may only enrol (every other route answers 403 mfa_required). */
  mfaEnrolRequired?: boolean;
}

/**
 * Which IdP session an SSO session came from. SAML: NameID (+ Format) and SessionIndex. OIDC:
 * `sub` in `nameId`, `sid` in `sessionIndex`, and the ID token for RP-initiated logout's
 * `id_token_hint`.
 */
export interface SsoSessionRef {
  connectorId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  idToken?: string;
  /** Connectors that re-check users (OIDC `refresh`): the refresh token, sealed (AES-256-GCM), and when the provider last said yes. */
  refreshTokenSealed?: string;
  checkedAt?: number;
}

export interface SessionLifetimes {
  lengthMs: number;
  /** 0 disables the idle limit. */
  idleMs: number;
}

export const SESSION_REVOKED_CHANNEL = 'session.revoked';
/** Activity is written back at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const recordKey = (tokenHash: string) => `session:${tokenHash}`;
const idKey = (id: string) => `session-id:${id}`;
const userKey = (userId: string) => `user-sessions:${userId}`;
const ssoKey = (connectorId: string, nameId: string) => `sso-sessions:${connectorId}:${hashToken(nameId)}`;
const ssoIndexKey = (connectorId: string, sessionIndex: string) => `sso-index:${connectorId}:${hashToken(sessionIndex)}`;

export function createSessionStore(store: EphemeralStore, lifetimes: SessionLifetimes, now: () => number) {
  const ttlFor = (s: SessionRecord, at: number) => {
    const absolute = s.expiresAt - at;
    return lifetimes.idleMs > 0 ? Math.min(absolute, lifetimes.idleMs) : absolute;
  };
  const write = async (tokenHash: string, s: SessionRecord, at: number) => {
    const ttl = Math.max(1, Math.floor(ttlFor(s, at)));
    await store.set(recordKey(tokenHash), JSON.stringify(s), ttl);
    await store.set(idKey(s.id), tokenHash, ttl);
  };
  const sessions = {
    async create(input: { userId: string; amr: string[]; authTime?: number; deviceId?: string; userAgent?: string; ip?: string; sso?: SsoSessionRef; mfaEnrolRequired?: boolean }) {
      const at = now();
      const token = newSecret();
      const record: SessionRecord = {
        id: newId(), userId: input.userId, csrfToken: newSecret(), amr: input.amr, authTime: input.authTime ?? at,
        createAt: at, lastActivityAt: at, expiresAt: at + lifetimes.lengthMs, deviceId: input.deviceId ?? '',
        userAgent: (input.userAgent ?? '').slice(0, 256), ip: input.ip ?? '', ...(input.sso ? { sso: input.sso } : {}),
        ...(input.mfaEnrolRequired ? { mfaEnrolRequired: true } : {}),
      };
      const tokenHash = hashToken(token);
      await write(tokenHash, record, at);
      await store.addToSet(userKey(input.userId), record.id, lifetimes.lengthMs);
      if (input.sso) await store.addToSet(ssoKey(input.sso.connectorId, input.sso.nameId), record.id, lifetimes.lengthMs);
      if (input.sso?.sessionIndex) await store.addToSet(ssoIndexKey(input.sso.connectorId, input.sso.sessionIndex), record.id, lifetimes.lengthMs);
      return { token, session: record };
    },
    /** The live session for a token, or null; refreshes idle activity at most once a minute. */
    async lookup(token: string): Promise<SessionRecord | null> {
      const tokenHash = hashToken(token);
      const raw = await store.get(recordKey(tokenHash));
      if (!raw) return null;
      const s = JSON.parse(raw) as SessionRecord;
      const at = now();
      // The store's TTL is the first line of defence; these checks hold even if a clock or TTL drifts.
      if (at >= s.expiresAt || (lifetimes.idleMs > 0 && at - s.lastActivityAt >= lifetimes.idleMs)) {
        await sessions.revoke(s.id);
        return null;
      }
      if (at - s.lastActivityAt >= TOUCH_INTERVAL_MS) {
        s.lastActivityAt = at;
        await write(tokenHash, s, at);
      }
      return s;
    },
    /** Change a live session's SSO reference (a re-check's rotated refresh token), amr or MFA state; false when the session is gone. */
    async patch(id: string, fields: Partial<Pick<SessionRecord, 'sso' | 'amr' | 'mfaEnrolRequired'>>): Promise<boolean> {
      const tokenHash = await store.get(idKey(id));
      const raw = tokenHash ? await store.get(recordKey(tokenHash)) : null;
      if (!tokenHash || !raw) return false;
      const next = { ...(JSON.parse(raw) as SessionRecord), ...fields };
      if (fields.mfaEnrolRequired === false) delete next.mfaEnrolRequired;
      await write(tokenHash, next, now());
      return true;
    },
    async get(id: string): Promise<SessionRecord | null> {
      const tokenHash = await store.get(idKey(id));
      const raw = tokenHash ? await store.get(recordKey(tokenHash)) : null;
      return raw ? (JSON.parse(raw) as SessionRecord) : null;
    },
    async listForUser(userId: string): Promise<SessionRecord[]> {
      const ids = await store.members(userKey(userId));
      const found: SessionRecord[] = [];
      for (const id of ids) {
        const s = await sessions.get(id);
        if (s && s.userId === userId) found.push(s);
        else await store.removeFromSet(userKey(userId), id);
      }
      return found.sort((a, b) => b.lastActivityAt - a.lastActivityAt);
    },
    /** Live sessions that came from this IdP subject (for IdP-initiated Single Logout). */
    async findBySso(connectorId: string, nameId: string): Promise<SessionRecord[]> {
      const found: SessionRecord[] = [];
      for (const id of await store.members(ssoKey(connectorId, nameId))) {
        const s = await sessions.get(id);
        if (s?.sso?.connectorId === connectorId && s.sso.nameId === nameId) found.push(s);
        else await store.removeFromSet(ssoKey(connectorId, nameId), id);
      }
      return found;
    },
    /** Live sessions that came from this IdP session (OIDC `sid`, SAML SessionIndex). */
    async findBySsoIndex(connectorId: string, sessionIndex: string): Promise<SessionRecord[]> {
      const found: SessionRecord[] = [];
      for (const id of await store.members(ssoIndexKey(connectorId, sessionIndex))) {
        const s = await sessions.get(id);
        if (s?.sso?.connectorId === connectorId && s.sso.sessionIndex === sessionIndex) found.push(s);
        else await store.removeFromSet(ssoIndexKey(connectorId, sessionIndex), id);
      }
      return found;
    },
    /** Revoke one session; true when it existed. */
    async revoke(id: string): Promise<boolean> {
      const tokenHash = await store.consume(idKey(id));
      if (!tokenHash) return false;
      const raw = await store.consume(recordKey(tokenHash));
      const userId = raw ? (JSON.parse(raw) as SessionRecord).userId : '';
      if (userId) await store.removeFromSet(userKey(userId), id);
      await store.publish(SESSION_REVOKED_CHANNEL, JSON.stringify({ session_id: id, user_id: userId }));
      return true;
    },
    async revokeAllForUser(userId: string): Promise<number> {
      let n = 0;
      for (const id of await store.members(userKey(userId))) if (await sessions.revoke(id)) n += 1;
      await store.delete(userKey(userId));
      return n;
    },
  };
  return sessions;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** Mattermost's Session JSON for `GET /users/{id}/sessions`; never includes the token. */
export function toMattermostSession(s: SessionRecord) {
  return {
    id: s.id, token: '', create_at: s.createAt, expires_at: s.expiresAt, last_activity_at: s.lastActivityAt,
    user_id: s.userId, device_id: s.deviceId, roles: '', is_oauth: false, props: { user_agent: s.userAgent, ip: s.ip, amr: s.amr.join(' ') },
    team_members: [], local: false,
  };
}

/**
 * The user mirror (DESIGN.md "Who owns what"): kept in step with each verified assertion, but
 * written only when the username, name, guest flag or team set differ from what this node last
 * saw, so the steady state costs a map look-up. Provisioning calls `forget` after it writes.
 */
import type { AssertionClaims } from '../../contract.js';
import { AssertionError } from '../auth/assertion-error.js';
import type { ChatDatabase } from '../store/database.js';
import { findUser, listUserTeams, replaceUserTeams, upsertUser } from '../store/users.js';

interface MirrorEntry {
  username: string;
  displayName: string;
  guest: boolean;
  deactivated: boolean;
  teamsKey: string;
}

export interface UserMirror {
  /** Refuses a deactivated user; otherwise records what the assertion says about them. */
  admit(claims: AssertionClaims): Promise<void>;
  /** Drop what this node remembers of a user (their rows changed elsewhere). */
  forget(userId: string): void;
}

export interface UserMirrorOptions {
  db: ChatDatabase;
  now: () => number;
  maxEntries?: number;
}

export function createUserMirror(options: UserMirrorOptions): UserMirror {
  const { db, now } = options;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, MirrorEntry>();
  const teamKeys = new WeakMap<AssertionClaims, string>();

  const remember = (userId: string, entry: MirrorEntry): void => {
    entries.delete(userId);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(userId, entry);
  };
  const load = async (userId: string): Promise<MirrorEntry | undefined> => {
    const row = await findUser(db, userId);
    if (!row) return undefined;
    const teams = await listUserTeams(db, userId);
    return { username: row.username, displayName: row.display_name, guest: row.guest === 1, deactivated: row.deactivated === 1, teamsKey: keyOf(teams) };
  };
  const keyFor = (claims: AssertionClaims): string => {
    let key = teamKeys.get(claims);
    if (key === undefined) {
      key = keyOf(Object.keys(claims.teams));
      teamKeys.set(claims, key);
    }
    return key;
  };

  return {
    forget: (userId) => void entries.delete(userId),
    async admit(claims) {
      const known = entries.get(claims.sub) ?? (await load(claims.sub));
      if (known?.deactivated) throw new AssertionError('ASSERTION_USER_DEACTIVATED', 'user is deactivated in the mirror');
      const teamsKey = keyFor(claims);
      if (known && sameProfile(known, claims) && known.teamsKey === teamsKey) {
        if (!entries.has(claims.sub)) remember(claims.sub, known);
        return;
      }
      await db.transaction().execute(async (trx) => {
        await upsertUser(trx, { id: claims.sub, username: claims.username, display_name: claims.name, guest: claims.guest ? 1 : 0, update_at: now() });
        if (known?.teamsKey !== teamsKey) await replaceUserTeams(trx, claims.sub, Object.keys(claims.teams));
      });
      remember(claims.sub, { username: claims.username, displayName: claims.name, guest: claims.guest, deactivated: false, teamsKey });
    },
  };
}

function sameProfile(entry: MirrorEntry, claims: AssertionClaims): boolean {
  return entry.username === claims.username && entry.displayName === claims.name && entry.guest === claims.guest;
}

function keyOf(teamIds: string[]): string {
  return [...teamIds].sort().join(',');
}

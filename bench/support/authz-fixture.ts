/**
 * A gateway directory for bench/authz: SQLite in a temp dir, migrated with the gateway's own
 * migrations, then filled with raw prepared inserts in transactions (100,000 users, their teams
 * and memberships). Deterministic: the same seed builds the same directory.
 *
 * Who is in it: 0.1 % system admins, 2 % guests (1–2 teams as team_guest), the rest users in 1–5
 * teams (5 % of those memberships as team admin), of whom 1 % are "power users" in up to 200 teams.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSql, type SqlHandle } from '../../src/store/sql/connect.js';
import { migrateGateway } from '../../src/store/sql/migrations.js';
import type { GatewayDatabase } from '../../src/store/sql/schema.js';
import { newId } from '../../src/http/ids.js';

export type UserKind = 'admin' | 'guest' | 'user' | 'power';

export interface Directory {
  teams: number;
  users: number;
  memberships: number;
  seedSeconds: number;
  handle: SqlHandle<GatewayDatabase>;
  teamIds: string[];
  /** User ids by kind, for sampling. */
  byKind: Record<UserKind, string[]>;
  close(): Promise<void>;
}

/** mulberry32: a small, fast, seedable PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function kindOf(r: number): UserKind {
  if (r < 0.001) return 'admin';
  if (r < 0.021) return 'guest';
  return r < 0.021 + 0.0098 ? 'power' : 'user';
}

function teamCountFor(kind: UserKind, teams: number, random: () => number): number {
  const k = kind === 'power' ? 200 : kind === 'guest' ? 1 + Math.floor(random() * 2) : 1 + Math.floor(random() * 5);
  return Math.min(teams, k);
}

/** `k` distinct team indexes: a random run for big k, random picks otherwise. */
function pickTeams(k: number, teams: number, random: () => number): number[] {
  if (k * 4 >= teams || k > 20) {
    const start = Math.floor(random() * teams);
    return Array.from({ length: k }, (_, i) => (start + i) % teams);
  }
  const picked = new Set<number>();
  while (picked.size < k) picked.add(Math.floor(random() * teams));
  return [...picked];
}

function memberRoles(kind: UserKind, random: () => number): string {
  if (kind === 'guest') return 'team_guest';
  if (kind === 'admin') return 'team_user team_admin';
  return random() < 0.05 ? 'team_user team_admin' : 'team_user';
}

const SYSTEM_ROLES: Record<UserKind, string> = { admin: 'system_admin system_user', guest: 'system_guest', user: 'system_user', power: 'system_user' };

function fill(path: string, opts: { teams: number; users: number; seed: number }) {
  const random = prng(opts.seed);
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  const at = Date.now();
  const insertTeam = raw.prepare("INSERT INTO teams (id, name, display_name, type, invite_id, create_at, update_at) VALUES (?, ?, ?, 'O', ?, ?, ?)");
  const insertUser = raw.prepare('INSERT INTO users (id, username, email, roles, create_at, update_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertMember = raw.prepare('INSERT INTO team_members (team_id, user_id, roles, create_at, delete_at) VALUES (?, ?, ?, ?, 0)');
  const teamIds = Array.from({ length: opts.teams }, () => newId());
  const byKind: Record<UserKind, string[]> = { admin: [], guest: [], user: [], power: [] };
  raw.transaction(() => teamIds.forEach((id, i) => insertTeam.run(id, `team-${i}`, `Team ${i}`, newId(), at, at)))();
  const addUsers = raw.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const id = newId();
      const kind = kindOf(random());
      insertUser.run(id, `user${i}`, `user${i}@example.com`, SYSTEM_ROLES[kind], at, at);
      byKind[kind].push(id);
      for (const t of pickTeams(teamCountFor(kind, opts.teams, random), opts.teams, random)) insertMember.run(teamIds[t], id, memberRoles(kind, random), at);
    }
  });
  for (let from = 0; from < opts.users; from += 10_000) addUsers(from, Math.min(opts.users, from + 10_000));
  const memberships = (raw.prepare('SELECT count(*) AS n FROM team_members').get() as { n: number }).n;
  raw.close();
  return { teamIds, byKind, memberships };
}

export async function seedDirectory(opts: { teams: number; users: number; seed: number }): Promise<Directory> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-authz-'));
  const path = join(dir, 'gateway.sqlite');
  const migrating = openSql<GatewayDatabase>({ sqlitePath: path });
  await migrateGateway(migrating.db as never, 'sqlite');
  await migrating.close();
  const filled = fill(path, opts);
  const handle = openSql<GatewayDatabase>({ sqlitePath: path });
  return {
    teams: opts.teams, users: opts.users, memberships: filled.memberships, seedSeconds: (performance.now() - started) / 1000,
    handle, teamIds: filled.teamIds, byKind: filled.byKind,
    async close() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

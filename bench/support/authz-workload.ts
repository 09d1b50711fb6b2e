/**
 * The decisions bench/authz times: principals whose access comes from the real resolver
 * (src/sessions/access.ts over the SQL directory and a memory ephemeral store), and a shuffled
 * mix of requests — team-scoped permissions in a team the user is in and in one they are not,
 * system-scoped permissions, and team ids a hostile client might put in a URL.
 */
import type { Authorizer } from '../../policies/authorizer.js';
import { decide } from '../../src/authz/decide.js';
import { createAccessResolver, type AccessResolver } from '../../src/sessions/access.js';
import { createUserRepository } from '../../src/directory/users.js';
import { createTeamRepository } from '../../src/directory/teams.js';
import { createMemoryStore } from '../../src/store/ephemeral/memory.js';
import type { Principal } from '../../src/sessions/principal.js';
import { newId } from '../../src/http/ids.js';
import { prng, type Directory, type UserKind } from './authz-fixture.js';
import { percentile, sortedCopy } from './stats.js';

export type CaseKind = 'member team' | 'other team' | 'system' | 'hostile team id';

export interface Case {
  userId: string;
  principal: Pick<Principal, 'access'>;
  permission: string;
  teamId: string | undefined;
  kind: CaseKind;
}

const TEAM_PERMISSIONS = ['view_team', 'list_team_channels', 'create_public_channel', 'create_private_channel', 'invite_user', 'manage_team', 'remove_user_from_team', 'invite_guest', 'delete_others_posts'];
const SYSTEM_PERMISSIONS = ['create_team', 'list_public_teams', 'create_direct_channel', 'edit_own_profile', 'manage_system', 'create_user', 'edit_other_users', 'read_audits'];
const HOSTILE_TEAM_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
/** Sampled users per kind: mostly ordinary users, with every unusual kind represented. */
const SAMPLE: Record<UserKind, number> = { user: 1_900, power: 50, admin: 25, guest: 25 };

export interface ResolvedSample {
  resolver: AccessResolver;
  principals: { userId: string; principal: Pick<Principal, 'access'> }[];
  /** Cache-miss resolves (two SQL queries each), µs. */
  coldP50Us: number;
  coldP99Us: number;
}

export async function resolveSample(directory: Directory, seed: number): Promise<ResolvedSample> {
  const now = Date.now;
  const resolver = createAccessResolver({
    users: createUserRepository(directory.handle.db, now), teams: createTeamRepository(directory.handle.db, now), store: createMemoryStore({ now }),
  });
  const random = prng(seed);
  const ids = (Object.keys(SAMPLE) as UserKind[]).flatMap((kind) => pick(directory.byKind[kind], SAMPLE[kind], random));
  const cold: number[] = [];
  const principals: ResolvedSample['principals'] = [];
  for (const userId of ids) {
    const t0 = process.hrtime.bigint();
    const access = await resolver.resolve(userId);
    cold.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (!access) throw new Error(`resolver found no access for seeded user ${userId}`);
    principals.push({ userId, principal: { access } });
  }
  const sorted = sortedCopy(cold);
  return { resolver, principals, coldP50Us: percentile(sorted, 50), coldP99Us: percentile(sorted, 99) };
}

function pick<T>(from: T[], n: number, random: () => number): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.min(n, from.length); i += 1) out.push(from[Math.floor(random() * from.length)]!);
  return out;
}

const choose = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)]!;

/** A team of the directory the user is not in; one who is in every team gets an id no team has. */
function outsideTeam(teams: Record<string, string[]>, teamIds: string[], random: () => number): string {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const id = choose(teamIds, random);
    if (!Object.hasOwn(teams, id)) return id;
  }
  return newId();
}

/** 45 % member team, 25 % other team, 25 % system, 5 % hostile team ids; shuffled by construction. */
export function buildCases(sample: ResolvedSample, teamIds: string[], count: number, seed: number): Case[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const { userId, principal } = choose(sample.principals, random);
    const r = random();
    const memberOf = Object.keys(principal.access.teams);
    if (r < 0.25) return { userId, principal, permission: choose(SYSTEM_PERMISSIONS, random), teamId: undefined, kind: 'system' };
    const permission = choose(TEAM_PERMISSIONS, random);
    if (r < 0.70 && memberOf.length > 0) return { userId, principal, permission, teamId: choose(memberOf, random), kind: 'member team' };
    if (r < 0.95) return { userId, principal, permission, teamId: outsideTeam(principal.access.teams, teamIds, random), kind: 'other team' };
    return { userId, principal, permission, teamId: random() < 0.8 ? choose(HOSTILE_TEAM_IDS, random) : newId(), kind: 'hostile team id' };
  });
}

export interface Mix { kind: CaseKind; cases: number; allowed: number }

/**
 * Counts per kind, and the security invariant the mix relies on: a team the principal is not in
 * (or a hostile id such as `__proto__`) grants exactly what system roles alone grant.
 */
export function checkMix(cases: Case[], authorizer: Authorizer): Mix[] {
  const mix = new Map<CaseKind, Mix>();
  for (const c of cases) {
    const allowed = decide(authorizer, c.principal, c.permission, c.teamId);
    const entry = mix.get(c.kind) ?? { kind: c.kind, cases: 0, allowed: 0 };
    mix.set(c.kind, { ...entry, cases: entry.cases + 1, allowed: entry.allowed + (allowed ? 1 : 0) });
    if ((c.kind === 'other team' || c.kind === 'hostile team id') && allowed !== decide(authorizer, c.principal, c.permission)) {
      throw new Error(`team ${c.teamId} granted roles to a non-member (${c.permission}) — authorization bug`);
    }
  }
  return [...mix.values()];
}

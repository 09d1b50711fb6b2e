/**
 * The groups one user belongs to, found at login: direct groups by member DN (or memberUid), then
 * nested ones — AD's in-chain matching rule in one search, or level by level with a visited set so
 * a membership cycle ends. Groups are identified by their stable id, never by name.
 */
import { IN_CHAIN_RULE } from './ad.js';
import type { DirectorySession } from './directory-client.js';
import { first, stableId, type DirectoryUser } from './entries.js';
import { escapeValue } from './filters.js';
import { normalizeDn, type LdapSettings } from './settings.js';

export interface DirectoryGroup {
  dn: string;
  dnKey: string;
  /** Stable id (entryUUID / objectGUID), else the normalized DN. */
  id: string;
  name: string;
}

/** The most groups one level of a recursive lookup asks about in one filter. */
const LEVEL_BATCH = 100;

export function groupAttributes(s: LdapSettings): string[] {
  return [...new Set([s.groups.idAttribute, s.groups.nameAttribute])];
}

function membershipClause(s: LdapSettings, dns: string[], username?: string): string {
  const parts: string[] = [];
  for (const dn of dns) for (const a of s.groups.memberAttributes) parts.push(`(${a}=${escapeValue(dn)})`);
  if (username && s.groups.memberUidAttribute) parts.push(`(${s.groups.memberUidAttribute}=${escapeValue(username)})`);
  return parts.length === 1 ? parts[0]! : `(|${parts.join('')})`;
}

export async function groupsOfUser(session: DirectorySession, s: LdapSettings, user: DirectoryUser): Promise<DirectoryGroup[]> {
  const found = new Map<string, DirectoryGroup>();
  const collect = (entries: Awaited<ReturnType<DirectorySession['search']>>): DirectoryGroup[] => {
    const fresh: DirectoryGroup[] = [];
    for (const e of entries) {
      const dnKey = normalizeDn(e.dn);
      if (found.has(dnKey)) continue;
      const g: DirectoryGroup = { dn: e.dn, dnKey, id: stableId(e, s.groups.idAttribute) ?? dnKey, name: first(e, s.groups.nameAttribute) ?? e.dn };
      found.set(dnKey, g);
      fresh.push(g);
    }
    return fresh;
  };
  const attrs = groupAttributes(s);
  if (s.groups.nesting === 'in-chain') {
    const chain = s.groups.memberAttributes.map((a) => `(${a}:${IN_CHAIN_RULE}:=${escapeValue(user.dn)})`);
    if (s.groups.memberUidAttribute) chain.push(`(${s.groups.memberUidAttribute}=${escapeValue(user.username)})`);
    collect(await session.search(s.groups.base, `(&${s.groups.filter}(|${chain.join('')}))`, attrs));
    return [...found.values()];
  }
  let level = collect(await session.search(s.groups.base, `(&${s.groups.filter}${membershipClause(s, [user.dn], user.username)})`, attrs));
  for (let depth = 1; depth < s.groups.maxDepth && level.length > 0 && s.groups.nesting === 'recursive'; depth += 1) {
    const next: DirectoryGroup[] = [];
    for (let i = 0; i < level.length; i += LEVEL_BATCH) {
      const dns = level.slice(i, i + LEVEL_BATCH).map((g) => g.dn);
      next.push(...collect(await session.search(s.groups.base, `(&${s.groups.filter}${membershipClause(s, dns)})`, attrs)));
    }
    level = next;
  }
  return [...found.values()];
}

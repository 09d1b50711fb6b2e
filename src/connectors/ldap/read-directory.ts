/**
 * Reading a whole directory for sync: every user under the user filter (paged), every group under
 * the group filter, and each group's effective members — nested groups walked with a visited set,
 * so a membership cycle ends and every group is expanded once. Nothing here writes anything.
 */
import type { DirectorySession } from './directory-client.js';
import { first, isSkipped, stableId, strings, toDirectoryUser, userAttributes, type DirectoryUser } from './entries.js';
import { normalizeDn, type LdapSettings } from './settings.js';

export interface SnapshotGroup {
  id: string;
  dn: string;
  name: string;
  /** Stable ids of every user in the group, nested groups included. */
  memberIds: string[];
}

export interface DirectorySnapshot {
  /** Users who may sign in (present, inside the filter, not disabled). */
  users: DirectoryUser[];
  /** Entries inside the filter that cannot be used (no id, no username), and disabled accounts. */
  skipped: { dn: string; reason: string }[];
  groups: SnapshotGroup[];
  /** Membership cycles met (group DNs), reported, never followed twice. */
  cycles: string[];
  /** Highest change marker seen (modifyTimestamp / uSNChanged). */
  highWater: string;
}

export interface ReadProgress {
  phase: 'users' | 'groups';
  done: number;
}

interface RawGroup {
  id: string;
  dn: string;
  dnKey: string;
  name: string;
  memberDns: string[];
  memberUids: string[];
}

export async function readDirectory(
  session: DirectorySession, s: LdapSettings, opts: { now: number; onProgress?: (p: ReadProgress) => void; deadline?: number },
): Promise<DirectorySnapshot> {
  const checkDeadline = () => {
    if (opts.deadline !== undefined && Date.now() > opts.deadline) throw new Error(`the sync ran past sync.timeoutSeconds (${s.sync.timeoutSeconds} s)`);
  };
  const users: DirectoryUser[] = [];
  const skipped: DirectorySnapshot['skipped'] = [];
  let highWater = '';
  const attrs = [...userAttributes(s), s.sync.changeAttribute];
  for await (const page of session.pages(s.userBase, s.userFilter, attrs)) {
    checkDeadline();
    for (const entry of page) {
      const mark = first(entry, s.sync.changeAttribute);
      if (mark && compareMarks(mark, highWater) > 0) highWater = mark;
      const u = toDirectoryUser(s, entry, opts.now);
      if (isSkipped(u)) skipped.push({ dn: u.dn, reason: u.skip });
      else if (u.disabled) skipped.push({ dn: u.dn, reason: u.disabled });
      else users.push(u);
    }
    opts.onProgress?.({ phase: 'users', done: users.length + skipped.length });
  }
  const raw: RawGroup[] = [];
  const groupAttrs = [s.groups.idAttribute, s.groups.nameAttribute, ...s.groups.memberAttributes, ...(s.groups.memberUidAttribute ? [s.groups.memberUidAttribute] : [])];
  for await (const page of session.pages(s.groups.base, s.groups.filter, [...new Set(groupAttrs)])) {
    checkDeadline();
    for (const e of page) {
      const dnKey = normalizeDn(e.dn);
      raw.push({
        id: stableId(e, s.groups.idAttribute) ?? dnKey, dn: e.dn, dnKey, name: first(e, s.groups.nameAttribute) ?? e.dn,
        memberDns: s.groups.memberAttributes.flatMap((a) => strings(e, a)).map(normalizeDn),
        memberUids: s.groups.memberUidAttribute ? strings(e, s.groups.memberUidAttribute).map((u) => u.toLowerCase()) : [],
      });
    }
    opts.onProgress?.({ phase: 'groups', done: raw.length });
  }
  const { groups, cycles } = resolveMembers(s, users, raw);
  return { users, skipped, groups, cycles, highWater };
}

/** modifyTimestamp (GeneralizedTime) and uSNChanged (integer) both order by length, then text. */
function compareMarks(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** Effective members of every group; nesting follows `groups.nesting` (in-chain resolves like recursive here). */
export function resolveMembers(s: LdapSettings, users: DirectoryUser[], raw: RawGroup[]): { groups: SnapshotGroup[]; cycles: string[] } {
  const userByDn = new Map(users.map((u) => [u.dnKey, u.id]));
  const userByUid = new Map(users.map((u) => [u.username.toLowerCase(), u.id]));
  const groupByDn = new Map(raw.map((g) => [g.dnKey, g]));
  const nested = s.groups.nesting !== 'none';
  const memo = new Map<string, Set<string>>();
  const cycles = new Set<string>();

  const direct = (g: RawGroup): Set<string> => {
    const ids = new Set<string>();
    for (const dn of g.memberDns) { const id = userByDn.get(dn); if (id) ids.add(id); }
    for (const uid of g.memberUids) { const id = userByUid.get(uid); if (id) ids.add(id); }
    return ids;
  };
  // Iterative depth-first walk: an explicit stack (no recursion limit), a path set for cycle detection.
  const expand = (root: RawGroup): Set<string> => {
    const done = memo.get(root.dnKey);
    if (done) return done;
    const result = new Set<string>();
    const visited = new Set<string>([root.dnKey]);
    const stack: { g: RawGroup; depth: number }[] = [{ g: root, depth: 0 }];
    while (stack.length > 0) {
      const { g, depth } = stack.pop()!;
      const known = g !== root ? memo.get(g.dnKey) : undefined;
      if (known) { for (const id of known) result.add(id); continue; }
      for (const id of direct(g)) result.add(id);
      if (!nested || depth + 1 >= s.groups.maxDepth) continue;
      for (const dn of g.memberDns) {
        const child = groupByDn.get(dn);
        if (!child) continue;
        if (visited.has(dn)) { if (dn === root.dnKey || stack.some((x) => x.g.dnKey === dn)) cycles.add(child.dn); continue; }
        visited.add(dn);
        stack.push({ g: child, depth: depth + 1 });
      }
    }
    memo.set(root.dnKey, result);
    return result;
  };
  const groups = raw.map((g) => ({ id: g.id, dn: g.dn, name: g.name, memberIds: [...expand(g)] }));
  return { groups, cycles: [...cycles] };
}

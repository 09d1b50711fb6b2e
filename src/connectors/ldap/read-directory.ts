/**
 * Reading a whole directory for sync: every user under the user filter (paged), every group under
 * the group filter, and each group's effective members — nested groups walked with a visited set,
 * so a membership cycle ends and every group is expanded once. Nothing here writes anything.
 */
import type { DirectorySession } from './directory-client.js';
import { first, isSkipped, stableId, strings, toDirectoryUser, userAttributes, type DirectoryUser } from './entries.js';
import { normalizeDn, type LdapSettings } from './settings.js';
import { changedSinceFilter, escapeValue } from './filters.js';

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
  skipped: { dn: string; reason: string; id?: string }[];
  /**
   * False for an incremental read: `users` holds only entries changed since the mark, and absence
   * proves nothing. `left` then names the changed entries (stable ids) that are now outside the
   * user filter or disabled — the only deactivations an incremental run may make.
   */
  complete: boolean;
  left: string[];
  /** Stable ids of the users matching adminFilter / guestFilter (always read whole); undefined when not configured. */
  adminIds?: string[];
  guestIds?: string[];
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
  session: DirectorySession, s: LdapSettings,
  opts: {
    now: number; onProgress?: (p: ReadProgress) => void; deadline?: number;
    /** Read only users changed at or after this mark (modifyTimestamp / uSNChanged). */
    since?: string;
    /** Users the gateway already knows (normalized DN → stable id, username → stable id), for group members not read this time. */
    knownDns?: Map<string, string>;
    knownUids?: Map<string, string>;
  },
): Promise<DirectorySnapshot> {
  const checkDeadline = () => {
    if (opts.deadline !== undefined && Date.now() > opts.deadline) throw new Error(`the sync ran past sync.timeoutSeconds (${s.sync.timeoutSeconds} s)`);
  };
  const users: DirectoryUser[] = [];
  const skipped: DirectorySnapshot['skipped'] = [];
  let highWater = '';
  const attrs = [...userAttributes(s), s.sync.changeAttribute];
  const since = opts.since;
  const userFilter = since ? changedSinceFilter(s.userFilter, s.sync.changeAttribute, since) : s.userFilter;
  for await (const page of session.pages(s.userBase, userFilter, attrs)) {
    checkDeadline();
    for (const entry of page) {
      const mark = first(entry, s.sync.changeAttribute);
      if (mark && compareMarks(mark, highWater) > 0) highWater = mark;
      const u = toDirectoryUser(s, entry, opts.now);
      if (isSkipped(u)) skipped.push({ dn: u.dn, reason: u.skip });
      else if (u.disabled) skipped.push({ dn: u.dn, reason: u.disabled, id: u.id });
      else users.push(u);
    }
    opts.onProgress?.({ phase: 'users', done: users.length + skipped.length });
  }
  // Incremental: every entry changed since the mark, filter or not — those no longer inside it have left.
  const left = new Set(skipped.flatMap((x) => (x.id ? [x.id] : [])));
  if (since) {
    const valid = new Set(users.map((u) => u.id));
    for await (const page of session.pages(s.userBase, `(${s.sync.changeAttribute}>=${escapeValue(since)})`, [s.attrs.id, s.sync.changeAttribute])) {
      checkDeadline();
      for (const entry of page) {
        const id = stableId(entry, s.attrs.id);
        if (id && !valid.has(id)) left.add(id);
        const mark = first(entry, s.sync.changeAttribute);
        if (mark && compareMarks(mark, highWater) > 0) highWater = mark;
      }
    }
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
  const { groups, cycles } = resolveMembers(s, users, raw, since ? { dns: opts.knownDns, uids: opts.knownUids, left } : undefined);
  const idsMatching = async (filter: string | undefined): Promise<string[] | undefined> => {
    if (!filter) return undefined;
    const ids: string[] = [];
    for await (const page of session.pages(s.userBase, `(&${s.userFilter}${filter})`, [s.attrs.id])) {
      checkDeadline();
      for (const e of page) { const id = stableId(e, s.attrs.id); if (id) ids.push(id); }
    }
    return ids;
  };
  const [adminIds, guestIds] = [await idsMatching(s.adminFilter), await idsMatching(s.guestFilter)];
  return {
    users, skipped, groups, cycles, highWater: highWater || (since ?? ''), complete: !since, left: [...left],
    ...(adminIds ? { adminIds } : {}), ...(guestIds ? { guestIds } : {}),
  };
}

/** modifyTimestamp (GeneralizedTime) and uSNChanged (integer) both order by length, then text. */
function compareMarks(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** Effective members of every group; nesting follows `groups.nesting` (in-chain resolves like recursive here). */
export function resolveMembers(
  s: LdapSettings, users: DirectoryUser[], raw: RawGroup[],
  known?: { dns?: Map<string, string>; uids?: Map<string, string>; left: Set<string> },
): { groups: SnapshotGroup[]; cycles: string[] } {
  // Known users first (incremental runs), then what this read saw, which is newer; never someone who left.
  const userByDn = new Map([...(known?.dns ?? []), ...users.map((u) => [u.dnKey, u.id] as const)]);
  const userByUid = new Map([...(known?.uids ?? []), ...users.map((u) => [u.username.toLowerCase(), u.id] as const)]);
  if (known) for (const m of [userByDn, userByUid]) for (const [k, id] of m) if (known.left.has(id)) m.delete(k);
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

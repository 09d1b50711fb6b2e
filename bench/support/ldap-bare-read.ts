/**
 * The floor under any directory sync: a bare ldapts client binds as the service account and reads
 * every user and every group with paged searches (same bases, filters, attributes and page size as
 * the connector's sync), keeping the entries, as a sync must before it can decide anything.
 * Nothing is parsed, resolved or written.
 */
import { Client, type Entry } from 'ldapts';
import { userAttributes } from '../../src/connectors/ldap/entries.js';
import type { LdapSettings } from '../../src/connectors/ldap/settings.js';

export interface BareRead {
  users: number;
  groups: number;
  seconds: number;
}

/** The attribute lists the sync asks for (read-directory.ts), so both read the same bytes. */
export function syncAttributes(s: LdapSettings): { users: string[]; groups: string[] } {
  const groups = [s.groups.idAttribute, s.groups.nameAttribute, ...s.groups.memberAttributes, ...(s.groups.memberUidAttribute ? [s.groups.memberUidAttribute] : [])];
  return { users: [...userAttributes(s), s.sync.changeAttribute], groups: [...new Set(groups)] };
}

async function readAll(client: Client, base: string, filter: string, attributes: string[], s: LdapSettings): Promise<Entry[]> {
  const out: Entry[] = [];
  const pages = client.searchPaginated(base, {
    scope: 'sub', filter, attributes, explicitBufferAttributes: s.binaryAttributes, timeLimit: Math.ceil(s.timeoutMs / 1000), paged: { pageSize: s.pageSize },
  });
  for await (const page of pages) out.push(...page.searchEntries);
  return out;
}

export async function bareLdapRead(s: LdapSettings): Promise<BareRead> {
  const attrs = syncAttributes(s);
  const t0 = performance.now();
  const client = new Client({ url: s.urls[0]!, timeout: s.timeoutMs, connectTimeout: s.connectTimeoutMs, strictDN: false });
  try {
    await client.bind(s.bindDn, s.bindPassword);
    const users = await readAll(client, s.userBase, s.userFilter, attrs.users, s);
    const groups = await readAll(client, s.groups.base, s.groups.filter, attrs.groups, s);
    return { users: users.length, groups: groups.length, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

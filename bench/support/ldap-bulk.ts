/**
 * A big directory for the LDAP benchmarks, on a slapd from `startTestSlapd()`: `users`
 * inetOrgPerson entries under ou=people and `groups` groupOfNames under ou=groups with 20–50 members
 * each, every `nestedEvery`-th group also holding the group before it (nesting). Deterministic:
 * the same options build the same directory. Written as LDIF and fed to ldapadd in chunks (users
 * two chunks at a time; groups in order, after every user exists, so memberOf is complete).
 *
 * Names never collide with the standard fixture: `uid=bulk000001`, `cn=bulk-group-0001`.
 */
import { Client, NoSuchObjectError } from 'ldapts';
import { toLdif, type LdifRecord, type TestSlapd } from '../../test/support/ldap-server.js';

export interface BulkDirectoryOptions {
  users: number;
  groups: number;
  /** Every n-th group also contains the previous group; 0 for no nesting. Default 10. */
  nestedEvery?: number;
}

const CHUNK = 2_500;
const PARALLEL_CHUNKS = 2;

export function bulkUserDn(slapd: TestSlapd, n: number): string {
  return `uid=bulk${String(n).padStart(6, '0')},ou=people,${slapd.baseDn}`;
}

export function bulkGroupDn(slapd: TestSlapd, n: number): string {
  return `cn=bulk-group-${String(n).padStart(4, '0')},ou=groups,${slapd.baseDn}`;
}

/** Members of group n (1-based): a run of 20–50 consecutive users, wrapping around. */
export function bulkGroupMembers(n: number, users: number): number[] {
  const count = Math.min(users, 20 + ((n * 7) % 31));
  const start = ((n - 1) * 20) % users;
  return Array.from({ length: count }, (_, k) => ((start + k) % users) + 1);
}

export async function seedBulkDirectory(slapd: TestSlapd, opts: BulkDirectoryOptions): Promise<{ userDns: string[]; groupDns: string[] }> {
  const { users, groups } = opts;
  const nestedEvery = opts.nestedEvery ?? 10;
  for (const [name, value] of Object.entries({ users, groups, nestedEvery })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  }
  if (groups > 0 && users === 0) throw new Error('groups need at least one user to hold');

  await addMissingOus(slapd, ['people', 'groups']);
  const userDns = Array.from({ length: users }, (_, i) => bulkUserDn(slapd, i + 1));
  const groupDns = Array.from({ length: groups }, (_, i) => bulkGroupDn(slapd, i + 1));

  const userChunks = chunks(userDns.map((dn, i) => userRecord(dn, i + 1)));
  for (let i = 0; i < userChunks.length; i += PARALLEL_CHUNKS) {
    await Promise.all(userChunks.slice(i, i + PARALLEL_CHUNKS).map((records) => slapd.ldapadd(toLdif(records))));
  }
  const groupRecords = groupDns.map((dn, i) => {
    const n = i + 1;
    const members = bulkGroupMembers(n, users).map((u) => userDns[u - 1]!);
    if (nestedEvery > 0 && n % nestedEvery === 0 && n > 1) members.push(groupDns[n - 2]!);
    return { dn, attributes: { objectClass: 'groupOfNames', cn: `bulk-group-${String(n).padStart(4, '0')}`, member: members } };
  });
  for (const records of chunks(groupRecords)) await slapd.ldapadd(toLdif(records));
  return { userDns, groupDns };
}

function userRecord(dn: string, n: number): LdifRecord {
  const id = `bulk${String(n).padStart(6, '0')}`;
  return {
    dn,
    attributes: {
      objectClass: 'inetOrgPerson', uid: id, cn: `Bulk User ${n}`, givenName: 'Bulk', sn: `User ${n}`,
      mail: `${id}@example.test`, employeeNumber: String(100_000 + n), userPassword: `pw-${id}`,
    },
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Adds ou=<name> under the base for each name not there yet (so this also runs after the standard fixture). */
async function addMissingOus(slapd: TestSlapd, names: string[]): Promise<void> {
  const client: Client = await slapd.adminClient();
  const missing: LdifRecord[] = [];
  try {
    for (const ou of names) {
      const dn = `ou=${ou},${slapd.baseDn}`;
      try {
        await client.search(dn, { scope: 'base', attributes: ['1.1'] });
      } catch (error) {
        if (!(error instanceof NoSuchObjectError)) throw error;
        missing.push({ dn, attributes: { objectClass: 'organizationalUnit', ou } });
      }
    }
  } finally {
    await client.unbind();
  }
  if (missing.length > 0) await slapd.ldapadd(toLdif(missing));
}

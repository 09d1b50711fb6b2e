/**
 * The standard seeded directory for LDAP tests, on a slapd from `startTestSlapd()`: users in several
 * OUs (one locked by ppolicy, one AD-disabled, one AD-expired), 2,100 bulk users so the people
 * subtree is bigger than the size limit (paging required), nested groups two levels deep, a
 * membership cycle, two groups with the same name in different OUs, and one group of each other
 * kind (groupOfUniqueNames, posixGroup). Tests reference the DNs and passwords through `FIXTURE`.
 *
 * The service account (`FIXTURE.service`) and the password policy come with the server itself.
 * Seeding is one ldapadd call (LDAP protocol, so memberOf is maintained by the overlay).
 */
import { TEST_BASE_DN, TEST_SERVICE_DN, TEST_SERVICE_PASSWORD, toLdif, type LdifRecord, type TestSlapd } from './ldap-server.js';

const base = TEST_BASE_DN;
const ous = {
  people: `ou=people,${base}`,
  engineering: `ou=engineering,ou=people,${base}`,
  sales: `ou=sales,ou=people,${base}`,
  contractors: `ou=contractors,${base}`,
  groups: `ou=groups,${base}`,
  legacy: `ou=legacy,${base}`,
  services: `ou=services,${base}`,
} as const;

export interface FixtureUser {
  uid: string;
  dn: string;
  password: string;
  mail: string;
  cn: string;
  givenName: string;
  sn: string;
  employeeNumber: string;
  sAMAccountName: string;
  userPrincipalName: string;
  userAccountControl: number;
  /** AD FILETIME (100 ns since 1601) as a decimal string, when set. */
  accountExpires?: string;
  /** Set on carol: ppolicy's "locked until an admin unlocks" value. */
  pwdAccountLockedTime?: string;
}

function user(uid: string, ou: string, givenName: string, sn: string, employeeNumber: string, extra: Partial<FixtureUser> = {}): FixtureUser {
  return {
    uid, dn: `uid=${uid},${ou}`, password: `pw-${uid}`, mail: `${uid}@example.test`, cn: `${givenName} ${sn}`, givenName, sn,
    employeeNumber, sAMAccountName: uid, userPrincipalName: `${uid}@corp.example.test`, userAccountControl: 512, ...extra,
  };
}

const users = {
  /** Engineering; AD "never expires" written as 2^63-1; member of engineers and admins (ou=groups). */
  alice: user('alice', ous.engineering, 'Alice', 'Archer', '1001', { accountExpires: '9223372036854775807' }),
  /** Sales; AD "never expires" written as 0; member of platform and admins (ou=legacy). */
  bob: user('bob', ous.sales, 'Bob', 'Baker', '1002', { accountExpires: '0' }),
  /** Engineering; locked by ppolicy, so a bind with the right password fails. */
  carol: user('carol', ous.engineering, 'Carol', 'Carter', '1003', { pwdAccountLockedTime: '000001010000Z' }),
  /** Outside ou=people. */
  dave: user('dave', ous.contractors, 'Dave', 'Dalton', '1004'),
  /** Sales; member of cycle-b and designers (groupOfUniqueNames). */
  erin: user('erin', ous.sales, 'Erin', 'Ellis', '1005'),
  /** Engineering; AD-disabled (userAccountControl 514 = NORMAL_ACCOUNT | ACCOUNTDISABLE). */
  frank: user('frank', ous.engineering, 'Frank', 'Fisher', '1006', { userAccountControl: 514 }),
  /** Engineering; AD account expired (FILETIME 130000000000000000 ≈ 2012-12-15). */
  gina: user('gina', ous.engineering, 'Gina', 'Grant', '1007', { accountExpires: '130000000000000000' }),
} as const;

const BULK_USER_COUNT = 2100;

/** Bulk user n (1-based): `user0001` … `user2100`, odd n in engineering, even n in sales. */
export function bulkUser(n: number): FixtureUser {
  if (!Number.isInteger(n) || n < 1 || n > BULK_USER_COUNT) throw new Error(`no bulk user ${n}`);
  const id = String(n).padStart(4, '0');
  return user(`user${id}`, n % 2 === 1 ? ous.engineering : ous.sales, 'User', id, String(10_000 + n));
}

const g = (cn: string, ou: string = ous.groups) => `cn=${cn},${ou}`;
const engineersMembers = [users.alice.dn, ...Array.from({ length: 100 }, (_, i) => bulkUser(i + 1).dn)];

const groups = {
  /** alice + user0001..user0100. */
  engineers: { cn: 'engineers', dn: g('engineers'), objectClass: 'groupOfNames', members: engineersMembers },
  /** Nested: contains the engineers group, and bob. */
  platform: { cn: 'platform', dn: g('platform'), objectClass: 'groupOfNames', members: [g('engineers'), users.bob.dn] },
  /** Two levels of nesting: contains platform, which contains engineers. */
  allStaff: { cn: 'all-staff', dn: g('all-staff'), objectClass: 'groupOfNames', members: [g('platform')] },
  /** A cycle: cycle-a ∋ cycle-b ∋ cycle-a. */
  cycleA: { cn: 'cycle-a', dn: g('cycle-a'), objectClass: 'groupOfNames', members: [g('cycle-b')] },
  cycleB: { cn: 'cycle-b', dn: g('cycle-b'), objectClass: 'groupOfNames', members: [g('cycle-a'), users.erin.dn] },
  /** Same cn as legacyAdmins, different OU and members. */
  admins: { cn: 'admins', dn: g('admins'), objectClass: 'groupOfNames', members: [users.alice.dn] },
  legacyAdmins: { cn: 'admins', dn: g('admins', ous.legacy), objectClass: 'groupOfNames', members: [users.bob.dn] },
  /** groupOfUniqueNames / uniqueMember (no memberOf: the overlay handles groupOfNames only). */
  designers: { cn: 'designers', dn: g('designers'), objectClass: 'groupOfUniqueNames', members: [users.erin.dn] },
  /** posixGroup: members by uid in memberUid (no memberOf). */
  ops: { cn: 'ops', dn: g('ops'), objectClass: 'posixGroup', gidNumber: 5000, memberUid: [users.alice.uid, users.bob.uid], members: [] as string[] },
} as const;

export const FIXTURE = {
  baseDn: base,
  ous,
  service: { dn: TEST_SERVICE_DN, password: TEST_SERVICE_PASSWORD },
  users,
  groups,
  bulkUserCount: BULK_USER_COUNT,
  /** Users under ou=people (subtree): the bulk users plus every named user but dave. */
  peopleUserCount: BULK_USER_COUNT + Object.values(users).filter((u) => u.dn.endsWith(ous.people)).length,
  /** Users in the whole directory (inetOrgPerson entries). */
  userCount: BULK_USER_COUNT + Object.keys(users).length,
} as const;

function userRecord(u: FixtureUser): LdifRecord {
  const attributes: LdifRecord['attributes'] = {
    objectClass: ['inetOrgPerson', 'gatehouseAdUser'], uid: u.uid, cn: u.cn, givenName: u.givenName, sn: u.sn, mail: u.mail,
    employeeNumber: u.employeeNumber, userPassword: u.password, sAMAccountName: u.sAMAccountName,
    userPrincipalName: u.userPrincipalName, userAccountControl: u.userAccountControl,
  };
  if (u.accountExpires !== undefined) attributes.accountExpires = u.accountExpires;
  if (u.pwdAccountLockedTime !== undefined) attributes.pwdAccountLockedTime = u.pwdAccountLockedTime;
  return { dn: u.dn, attributes };
}

function groupRecord(group: (typeof groups)[keyof typeof groups], members: readonly string[] = group.members): LdifRecord {
  if (group.objectClass === 'posixGroup') {
    return { dn: group.dn, attributes: { objectClass: 'posixGroup', cn: group.cn, gidNumber: group.gidNumber, memberUid: group.memberUid } };
  }
  const memberAttribute = group.objectClass === 'groupOfUniqueNames' ? 'uniqueMember' : 'member';
  return { dn: group.dn, attributes: { objectClass: group.objectClass, cn: group.cn, [memberAttribute]: members } };
}

/** The whole standard directory as LDIF (adds, then one modify that closes the cycle). */
export function standardDirectoryLdif(): string {
  const ouRecords: LdifRecord[] = (['people', 'engineering', 'sales', 'contractors', 'groups', 'legacy'] as const).map((name) => ({
    dn: ous[name], attributes: { objectClass: 'organizationalUnit', ou: name },
  }));
  const bulk = Array.from({ length: BULK_USER_COUNT }, (_, i) => userRecord(bulkUser(i + 1)));
  // Members are added before the groups that hold them, so the memberof overlay finds each one.
  // cycle-a must name cycle-b before cycle-b exists: it is rewritten once cycle-b is there, which
  // makes the overlay put memberOf: cycle-a on cycle-b.
  const groupRecords = [groups.engineers, groups.platform, groups.allStaff, groups.cycleA, groups.cycleB, groups.admins, groups.legacyAdmins, groups.designers, groups.ops].map((x) => groupRecord(x));
  const closeCycle = `dn: ${groups.cycleA.dn}\nchangetype: modify\nreplace: member\nmember: ${groups.cycleB.dn}\n-\n\n`;
  return toLdif([...ouRecords, ...Object.values(users).map(userRecord), ...bulk, ...groupRecords]) + closeCycle;
}

export async function seedStandardDirectory(slapd: TestSlapd): Promise<void> {
  if (slapd.baseDn !== base) throw new Error(`the standard directory lives under ${base}, not ${slapd.baseDn}`);
  await slapd.ldapadd(standardDirectoryLdif());
}

/**
 * `gatehouse ldap test | sync | groups` as an operator runs them: the real command in a child process,
 * a private slapd with the standard directory, the embedded SQLite database in a temp data dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapConnectorInput } from '../../src/connectors/ldap/config-schema.js';
import { createSyncProgress } from '../../src/cli/ldap.js';
import { FIXTURE, seedStandardDirectory } from '../support/ldap-fixture.js';
import { startTestSlapd, type TestSlapd } from '../support/ldap-server.js';
import { ldapConfig } from '../integration/ldap/harness.js';

const BIN = join(import.meta.dirname, '../../bin/gatehouse.js');
/** Users under ou=people the openldap preset can sync: all but carol, whom ppolicy locks. */
const SYNCABLE = FIXTURE.peopleUserCount - 1;

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')) as [string, string][]);
}

async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('gatehouse ldap', () => {
  let slapd: TestSlapd;
  let dir: string;
  const configs: Record<string, string> = {};
  const run = (config: string, args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: { ...cleanEnv(), GATEHOUSE_CONFIG: configs[config]!, GATEHOUSE_DATA_DIR: join(dir, 'data'), GATEHOUSE_LOG_LEVEL: 'silent' },
      encoding: 'utf8', timeout: 30_000,
    });
    // The service account's password never reaches the terminal, whatever the command.
    expect(r.stdout + r.stderr).not.toContain(FIXTURE.service.password);
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const writeConfig = (name: string, connectors: LdapConnectorInput[]) => {
    configs[name] = join(dir, `${name}.json`);
    writeFileSync(configs[name], JSON.stringify({ connectors }));
  };

  beforeAll(async () => {
    slapd = await startTestSlapd();
    await seedStandardDirectory(slapd);
    dir = mkdtempSync(join(tmpdir(), 'gh-cli-ldap-'));
    const passwordFile = join(dir, 'bind.pw');
    writeFileSync(passwordFile, `${FIXTURE.service.password}\n`, { mode: 0o600 });
    const base = (overrides: Partial<LdapConnectorInput> = {}) => {
      const { bindPassword: _inline, ...c } = ldapConfig(slapd, { adminGroups: [FIXTURE.groups.admins.dn], sync: { enabled: false, createUsers: true }, ...overrides });
      return { ...c, bindPasswordFile: passwordFile };
    };
    writeConfig('corp', [base()]);
    writeConfig('dead', [base({ url: `ldap://127.0.0.1:${await deadPort()}` })]);
    const wrongPassword = join(dir, 'wrong.pw');
    writeFileSync(wrongPassword, 'not-the-service-password\n', { mode: 0o600 });
    writeConfig('refused', [{ ...base(), bindPasswordFile: wrongPassword }]);
    const caFile = (name: string, pem: string) => { writeFileSync(join(dir, name), pem); return join(dir, name); };
    writeConfig('tls', [
      base({ id: 'corp-ldaps', url: slapd.ldapsUrl, tls: { caFile: caFile('ca.pem', slapd.caPem) } }),
      base({ id: 'wrong-ca', url: slapd.ldapsUrl, tls: { caFile: caFile('other-ca.pem', slapd.otherCaPem) } }),
    ]);
    // Half the people gone from the filter: far past the 5 % safety valve.
    writeConfig('shrunk', [base({ userFilter: '(&(objectClass=inetOrgPerson)(!(uid=user0*)))' })]);
  });
  afterAll(async () => {
    await slapd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tests the connection: which server answered, no TLS, and sample counts of users and groups', () => {
    const r = run('corp', ['ldap', 'test']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('connector corp-ldap (Corp directory, preset openldap)');
    expect(r.out).toContain(`server:  ${slapd.url} answered; bound as ${FIXTURE.service.dn}`);
    expect(r.out).toMatch(/TLS: +none \(plain ldap:\/\/\)/);
    // 2,106 people, pages of 500: the first page is enough to say "at least".
    expect(r.out).toMatch(/users: +at least 500 \(first page of 500\) under ou=people,dc=example,dc=test/);
    expect(r.out).toMatch(/groups: +9 under dc=example,dc=test/);
    expect(r.err).toBe('');
  });

  it('shows what the mapping makes of one user, nested groups and admin included, without her password', () => {
    const r = run('corp', ['ldap', 'test', 'corp-ldap', '--user', 'alice']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('user "alice" (password not asked for, no bind as the user)');
    expect(r.out).toMatch(new RegExp(`DN: +${FIXTURE.users.alice.dn}`));
    expect(r.out).toMatch(/stable id: +[0-9a-f-]{36} +\(entryUUID\)/);
    expect(r.out).toMatch(/e-mail: +alice@example\.test +\(mail\)/);
    expect(r.out).toMatch(/groups: +5, nested included/);
    for (const g of [FIXTURE.groups.engineers, FIXTURE.groups.admins, FIXTURE.groups.ops, FIXTURE.groups.platform, FIXTURE.groups.allStaff]) {
      expect(r.out).toMatch(new RegExp(`^ +${g.cn} +${g.dn}$`, 'm'));
    }
    // The other "admins" (ou=legacy) is bob's, not hers.
    expect(r.out).not.toContain(FIXTURE.groups.legacyAdmins.dn);
    expect(r.out).toMatch(/admin: +yes \(member of a group in adminGroups\)/);
    expect(r.out).toMatch(/roles: +system_admin system_user for a new account/);
    const carol = run('corp', ['ldap', 'test', '--user', 'carol']);
    expect(carol.code).toBe(0);
    expect(carol.out).toMatch(/account: +disabled: ppolicy pwdAccountLockedTime is set/);
    const nobody = run('corp', ['ldap', 'test', '--user', '*)(uid=*']);
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain('connector corp-ldap: no entry matching (objectClass=inetOrgPerson) has uid or mail = "*)(uid=*"');
  });

  it('fails with one readable line when nothing listens on the port, or the service bind is refused', () => {
    const r = run('dead', ['ldap', 'test']);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/^connector corp-ldap: ldap:\/\/127\.0\.0\.1:\d+: unreachable: connection refused \(nothing listens on that host and port\)$/);
    expect(r.out).not.toContain('answered');
    const refused = run('refused', ['ldap', 'test']);
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toBe(`connector corp-ldap: ${slapd.url}: bind refused: the directory does not accept ${FIXTURE.service.dn} with the configured password (check bindDn and its password: bindPasswordFile or bindPassword)`);
    expect(refused.out + refused.err).not.toContain('not-the-service-password');
  });

  it('tests every connector in turn: ldaps:// with the right CA passes, an unrelated CA is a TLS failure', () => {
    const r = run('tls', ['ldap', 'test']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`connector corp-ldaps (Corp directory, preset openldap)\n  server:  ${slapd.ldapsUrl} answered`);
    expect(r.out).toMatch(/TLS: +ldaps:\/\/, certificate checked against the configured CA/);
    expect(r.err.trim()).toMatch(/^connector wrong-ca: ldaps:\/\/127\.0\.0\.1:\d+: TLS: the certificate is not signed by a trusted CA .*SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('syncs: a dry run changes nothing, a real run creates the accounts with progress on stderr, then lists the groups', () => {
    const before = run('corp', ['ldap', 'groups']);
    expect(before.code).toBe(0);
    expect(before.out).toContain('corp-ldap: no directory groups yet: run `gatehouse ldap sync` first');

    const dry = run('corp', ['ldap', 'sync', '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('corp-ldap: dry run, nothing was changed. A sync now would:');
    expect(dry.out).toMatch(new RegExp(`create ${SYNCABLE}: alice, bob, erin, `));
    expect(dry.out).toMatch(/deactivate 0\n/);
    expect(dry.err).toMatch(new RegExp(`corp-ldap: dry run \\(full sync\\) succeeded in \\d+\\.\\d s: ${SYNCABLE} directory users \\(1 skipped\\), 9 groups; would create ${SYNCABLE}`));
    const listed = run('corp', ['user', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.out).not.toContain('alice');

    const sync = run('corp', ['ldap', 'sync']);
    expect(sync.code, sync.err).toBe(0);
    expect(sync.err).toMatch(/^corp-ldap: users read: \d+$/m);
    expect(sync.err).toMatch(new RegExp(`^corp-ldap: users read: ${FIXTURE.peopleUserCount}$`, 'm'));
    expect(sync.err).toMatch(/^corp-ldap: groups read: 9$/m);
    expect(sync.err).toMatch(/^corp-ldap: apply (\d+)\/\1$/m);
    expect(sync.err).toMatch(new RegExp(`^corp-ldap: full sync succeeded in \\d+\\.\\d s: ${SYNCABLE} directory users \\(1 skipped\\), 9 groups; created ${SYNCABLE}, updated 0, deactivated 0, reactivated 0`, 'm'));
    expect(sync.out).toBe('');
    // The next sync reads only what changed since; nothing did, so nothing changes.
    const again = run('corp', ['ldap', 'sync']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/^corp-ldap: incremental sync succeeded in .* created 0, updated 0, deactivated 0, reactivated 0/m);
    expect(again.err).toContain('are found by a full sync (--full, or every sync.fullSyncHours)');
    const users = run('corp', ['user', 'list']);
    // alice is in adminGroups: pre-created as a system admin, as her first sign-in would make her.
    expect(users.out).toMatch(/^alice +alice@example\.test +system_admin system_user +active$/m);

    const groups = run('corp', ['ldap', 'groups', '--search', 'admins']);
    expect(groups.code, groups.err).toBe(0);
    expect(groups.out).toMatch(/^corp-ldap: 2 of 9 groups matching "admins"; last sync \d{4}-/m);
    const rows = groups.out.split('\n').filter((l) => /^ +admins /.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^ +admins +1 +0 +0 +[0-9a-f-]{36} +${FIXTURE.groups.admins.dn}$`));
    expect(rows[1]).toMatch(new RegExp(`^ +admins +1 +0 +0 +[0-9a-f-]{36} +${FIXTURE.groups.legacyAdmins.dn}$`));
    const ids = rows.map((l) => /[0-9a-f-]{36}/.exec(l)![0]);
    expect(ids[0]).not.toBe(ids[1]);
    const all = run('corp', ['ldap', 'groups']);
    expect(all.out).toMatch(new RegExp(`^ +all-staff +${FIXTURE.groups.engineers.members.length + 1} +0 +0 `, 'm'));
  }, 40_000);

  it('refuses a full sync past the safety valve: exit 1, the reason, who would have gone, and nobody deactivated', () => {
    // A changed userFilter shows in a full read only: unchanged entries are not read incrementally.
    const r = run('shrunk', ['ldap', 'sync', '--full']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/corp-ldap: refused: the sync would deactivate 999 of \d+ active users \(more than sync\.maxDeactivatePercent = 5 %\); nothing was changed/);
    expect(r.out).toMatch(/^corp-ldap: refused, nothing was changed\. The sync would have:\n  deactivate 999: user0001, user0002, /);
    expect(run('corp', ['user', 'list']).out).toMatch(/^user0001 +user0001@example\.test +system_user +active$/m);
  });

  it('prints progress at most once per interval, and always the last count of each phase', () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = createSyncProgress('corp', (l) => lines.push(l.trimEnd()), () => clock, 500);
    for (let done = 100; done <= 2000; done += 100) { progress.update({ phase: 'users', done }); clock += 10; }
    progress.update({ phase: 'groups', done: 9 });
    clock += 600;
    progress.update({ phase: 'apply', done: 500, total: 1000 });
    progress.update({ phase: 'apply', done: 1000, total: 1000 });
    progress.flush();
    // 20 user pages within 200 ms give two lines: the first, and the phase's last count.
    expect(lines).toEqual(['corp: users read: 100', 'corp: users read: 2000', 'corp: groups read: 9', 'corp: apply 1000/1000']);
  });
});

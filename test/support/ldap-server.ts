/**
 * A private OpenLDAP for tests: Debian's slapd started as a child process from a generated
 * slapd.conf in a fresh temp dir (mdb; memberof, refint and ppolicy overlays; a tiny AD-style
 * schema), listening on two free 127.0.0.1 ports — `ldap://` with StartTLS and `ldaps://` — with
 * certificates from a throwaway test CA. Never the system slapd. One per test file (beforeAll).
 *
 * What every instance holds from the start: the base entry, `ou=services` with the service account
 * (reads everything but passwords), and `ou=policies` with the default ppolicy (lockout after 3
 * failures, until an admin unlocks; `pwdAccountLockedTime` locks at once). The server answers at
 * most `sizelimit` (default 500) entries to a search that is not paged, so big reads must page.
 *
 * The server is killed and its dir removed on `stop()`, and also when this process ends in any way:
 * a small sh wrapper kills slapd when our end of its stdin pipe closes, then deletes the dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { testCertificates } from './test-ca.js';

export const TEST_BASE_DN = 'dc=example,dc=test';
export const TEST_ADMIN_DN = `cn=admin,${TEST_BASE_DN}`;
export const TEST_SERVICE_DN = `cn=gatehouse,ou=services,${TEST_BASE_DN}`;
export const TEST_SERVICE_PASSWORD = 'pw-gatehouse-service';
export const TEST_POLICY_DN = `cn=default,ou=policies,${TEST_BASE_DN}`;
export const DEFAULT_SIZE_LIMIT = 500;

const SLAPD = '/usr/sbin/slapd';
const SLAPTEST = '/usr/sbin/slaptest';
const LDAPADD = '/usr/bin/ldapadd';
const READY_TIMEOUT_MS = 10_000;
const LDAPADD_TIMEOUT_MS = 120_000;
const START_ATTEMPTS = 3;

export interface TestSlapd {
  /** `ldap://127.0.0.1:<port>` (StartTLS available). */
  url: string;
  /** `ldaps://127.0.0.1:<port>`. */
  ldapsUrl: string;
  baseDn: string;
  /** The rootdn: bypasses ACLs and size limits. */
  adminDn: string;
  adminPassword: string;
  /** `cn=gatehouse,ou=services,<base>`: reads everything except userPassword, subject to the size limit. */
  serviceDn: string;
  servicePassword: string;
  /** The CA that signed the server certificate (SAN IP:127.0.0.1, DNS:localhost). */
  caPem: string;
  /** An unrelated CA: a client trusting only this one must refuse the server. */
  otherCaPem: string;
  /** A client bound as admin; the caller unbinds it. */
  adminClient(): Promise<Client>;
  /** Runs `ldapadd` as admin over LDAP (so overlays run); stops at and throws on the first error. */
  ldapadd(ldif: string): Promise<void>;
  stop(): Promise<void>;
}

/** One LDIF add record. */
export interface LdifRecord {
  dn: string;
  attributes: Record<string, string | number | readonly (string | number)[]>;
}

// Shell wrapper: slapd dies when the parent's end of stdin closes (even on SIGKILL of the parent),
// and the temp dir goes with it. Background jobs get /dev/null as stdin, hence the fd 3 copy.
const WRAPPER = `dir=$1; shift
exec 3<&0
"$@" </dev/null &
pid=$!
{ read -r _ <&3; kill "$pid" 2>/dev/null; } &
watchdog=$!
wait "$pid"; status=$?
kill "$watchdog" 2>/dev/null
rm -rf -- "$dir"
exit "$status"`;

const running = new Set<{ dir: string; child: ChildProcess }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { dir, child } of running) {
      child.stdin?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

export async function startTestSlapd(opts: { sizeLimit?: number } = {}): Promise<TestSlapd> {
  const sizeLimit = opts.sizeLimit ?? DEFAULT_SIZE_LIMIT;
  if (!Number.isInteger(sizeLimit) || sizeLimit < 1) throw new Error(`sizeLimit must be a positive integer, got ${sizeLimit}`);
  const certs = await testCertificates();
  const adminPassword = randomBytes(12).toString('hex');
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-slapd-'));
    const [port, ldapsPort] = await freePorts(2);
    const files = {
      conf: join(dir, 'slapd.conf'), schema: join(dir, 'gatehouse.schema'), password: join(dir, 'admin.pw'),
      ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), db: join(dir, 'db'),
    };
    await writeFile(files.schema, customSchema());
    await writeFile(files.password, adminPassword, { mode: 0o600 });
    await writeFile(files.ca, certs.caPem);
    await writeFile(files.cert, certs.serverCertPem);
    await writeFile(files.key, certs.serverKeyPem, { mode: 0o600 });
    await writeFile(files.conf, slapdConf({ dir, baseDn: TEST_BASE_DN, adminDn: TEST_ADMIN_DN, adminPassword, serviceDn: TEST_SERVICE_DN, policyDn: TEST_POLICY_DN, sizeLimit, ...files }));
    await mkdir(files.db, { mode: 0o700 });
    const check = await run(SLAPTEST, ['-u', '-f', files.conf]);
    if (check.code !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`slaptest refused the generated slapd.conf (exit ${check.code}):\n${check.output}`);
    }
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
    const server = spawnSlapd(dir, files.conf, `${url}/ ${ldapsUrl}/`);
    try {
      await waitUntilAnswering(server, url, adminPassword);
    } catch (error) {
      await server.stop();
      lastError = error as Error;
      // Another process may have taken a port between freePorts() and slapd's bind: try new ones.
      if (/Address already in use/.test(server.output())) continue;
      throw error;
    }
    const slapd: TestSlapd = {
      url, ldapsUrl, baseDn: TEST_BASE_DN, adminDn: TEST_ADMIN_DN, adminPassword,
      serviceDn: TEST_SERVICE_DN, servicePassword: TEST_SERVICE_PASSWORD,
      caPem: certs.caPem, otherCaPem: certs.otherCaPem,
      async adminClient() {
        const client = new Client({ url, connectTimeout: 2_000, timeout: 10_000 });
        await client.bind(TEST_ADMIN_DN, adminPassword);
        return client;
      },
      ldapadd: (ldif) => ldapadd(url, files.password, ldif),
      stop: server.stop,
    };
    try {
      await slapd.ldapadd(toLdif(baseEntries()));
    } catch (error) {
      await server.stop();
      throw error;
    }
    return slapd;
  }
  throw new Error(`slapd did not start after ${START_ATTEMPTS} attempts: ${lastError?.message ?? 'unknown'}`);
}

/** RFC 2849 LDIF for the records; values that are not SAFE-STRINGs are base64-encoded. */
export function toLdif(records: readonly LdifRecord[]): string {
  const lines: string[] = [];
  for (const { dn, attributes } of records) {
    lines.push(ldifLine('dn', dn));
    for (const [name, value] of Object.entries(attributes)) {
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) lines.push(ldifLine(name, String(v)));
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function ldifLine(name: string, value: string): string {
  // SAFE-STRING (RFC 2849): ASCII without NUL/CR/LF, not starting with space, ':' or '<'; and no
  // trailing space, which some parsers drop.
  const safe = /^(?![ :<])[\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ');
  return safe ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function baseEntries(): LdifRecord[] {
  const base = TEST_BASE_DN;
  return [
    { dn: base, attributes: { objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example Test' } },
    { dn: `ou=services,${base}`, attributes: { objectClass: 'organizationalUnit', ou: 'services' } },
    {
      dn: TEST_SERVICE_DN,
      attributes: { objectClass: ['organizationalRole', 'simpleSecurityObject'], cn: 'gatehouse', description: 'Gatehouse service account', userPassword: TEST_SERVICE_PASSWORD },
    },
    { dn: `ou=policies,${base}`, attributes: { objectClass: 'organizationalUnit', ou: 'policies' } },
    {
      dn: TEST_POLICY_DN,
      attributes: { objectClass: ['organizationalRole', 'pwdPolicy'], cn: 'default', pwdAttribute: 'userPassword', pwdLockout: 'TRUE', pwdMaxFailure: 3, pwdLockoutDuration: 0 },
    },
  ];
}

interface SlapdProcess {
  child: ChildProcess;
  /** What slapd wrote to stdout/stderr (the last 16 KB). */
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function spawnSlapd(dir: string, conf: string, urls: string): SlapdProcess {
  installExitHook();
  const child = spawn('/bin/sh', ['-c', WRAPPER, 'slapd-wrapper', dir, SLAPD, '-d', 'none', '-h', urls, '-f', conf], { stdio: ['pipe', 'pipe', 'pipe'] });
  const entry = { dir, child };
  running.add(entry);
  let output = '';
  const collect = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-16_384); };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.stdin?.on('error', () => {}); // EPIPE once the wrapper is gone: nothing left to stop.
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running.delete(entry); resolve(code); }));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      child.stdin?.end();
      // slapd shuts down on SIGTERM in milliseconds; if it hangs, SIGKILL it (the wrapper then exits).
      const timer = setTimeout(() => { killByPidFile(join(dir, 'slapd.pid')); child.kill('SIGKILL'); }, 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  return { child, output: () => output, exited, stop };
}

function killByPidFile(pidFile: string): void {
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
  } catch {
    // No pid file or no such process: slapd is already gone.
  }
}

/** Bounded wait (10 s) for slapd to accept an admin bind; fails at once with slapd's output if it exits. */
async function waitUntilAnswering(server: SlapdProcess, url: string, adminPassword: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const exited = server.exited.then(() => 'exited' as const);
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new Client({ url, connectTimeout: 1_000, timeout: 1_000 });
    const bound = client.bind(TEST_ADMIN_DN, adminPassword).then(() => 'ready' as const, (error: unknown) => { lastError = error; return 'retry' as const; });
    const outcome = await Promise.race([bound, exited]);
    await client.unbind().catch(() => {});
    if (outcome === 'ready') return;
    if (outcome === 'exited') throw new Error(`slapd exited during startup:\n${server.output()}`);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 20)), exited]);
  }
  throw new Error(`slapd did not answer within ${READY_TIMEOUT_MS} ms (${String(lastError)}):\n${server.output()}`);
}

async function ldapadd(url: string, passwordFile: string, ldif: string): Promise<void> {
  // LDAPNOINIT: ignore ~/.ldaprc and /etc/ldap/ldap.conf. -y: the password stays out of argv.
  const result = await run(LDAPADD, ['-x', '-H', url, '-D', TEST_ADMIN_DN, '-y', passwordFile], { input: ldif, timeoutMs: LDAPADD_TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`ldapadd failed (exit ${result.code}):\n${result.output.slice(-4_000)}`);
}

/** Runs a command; resolves with its exit code and combined output (the last 64 KB). */
function run(command: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, LDAPNOINIT: '1' }, timeout: options.timeoutMs ?? 30_000, killSignal: 'SIGKILL' });
    let output = '';
    const collect = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-65_536); };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdin.on('error', () => {}); // the exit code reports why the command stopped reading
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), output: signal ? `${output}\nkilled by ${signal}` : output }));
    child.stdin.end(options.input ?? '');
  });
}

/** `count` distinct free ports on 127.0.0.1, all held open at once so they differ. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

// ---- configuration -------------------------------------------------------------------------

interface ConfInput {
  dir: string; baseDn: string; adminDn: string; adminPassword: string; serviceDn: string; policyDn: string;
  sizeLimit: number; schema: string; db: string; ca: string; cert: string; key: string;
}

function slapdConf(c: ConfInput): string {
  // Soft and hard limits apply to plain searches; size.prtotal=unlimited lets a paged search read
  // the whole directory (by default the paged total is capped at the hard limit too).
  const limit = `sizelimit size.soft=${c.sizeLimit} size.hard=${c.sizeLimit} size.prtotal=unlimited`;
  return `# Generated by test/support/ldap-server.ts: a private slapd for one test file.
${['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`).join('\n')}
include ${c.schema}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload refint
moduleload ppolicy
pidfile ${join(c.dir, 'slapd.pid')}
argsfile ${join(c.dir, 'slapd.args')}
TLSCACertificateFile ${c.ca}
TLSCertificateFile ${c.cert}
TLSCertificateKeyFile ${c.key}
access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read

database mdb
suffix "${c.baseDn}"
rootdn "${c.adminDn}"
rootpw ${c.adminPassword}
directory ${c.db}
maxsize 1073741824
dbnosync
${limit}
index objectClass eq
index uid,mail,cn,sAMAccountName,userPrincipalName,entryUUID eq
index member,uniqueMember,memberUid,memberOf eq
# Passwords: never readable; the owner (and the rootdn, which no ACL binds) may change them;
# anonymous may use them to bind.
access to attrs=userPassword
  by self =xw
  by anonymous auth
  by * none
access to *
  by dn.exact="${c.serviceDn}" read
  by self read
  by * none
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
overlay refint
refint_attributes member uniqueMember
overlay ppolicy
ppolicy_default "${c.policyDn}"
`;
}

/** AD-style login and account-state attributes, on a private OID arc, as an AUXILIARY class. */
function customSchema(): string {
  const arc = '1.3.6.1.4.1.99999.1';
  const text = (n: number, name: string) => `attributetype ( ${arc}.1.${n} NAME '${name}'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{1024} SINGLE-VALUE )`;
  const integer = (n: number, name: string) => `attributetype ( ${arc}.1.${n} NAME '${name}'
  EQUALITY integerMatch ORDERING integerOrderingMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )`;
  return `# Gatehouse test schema: lets slapd hold the attributes AD logins and account checks read.
${text(1, 'sAMAccountName')}
${text(2, 'userPrincipalName')}
${integer(3, 'userAccountControl')}
${integer(4, 'accountExpires')}
objectclass ( ${arc}.2.1 NAME 'gatehouseAdUser'
  DESC 'AD-style login attributes for tests'
  SUP top AUXILIARY
  MAY ( sAMAccountName $ userPrincipalName $ userAccountControl $ accountExpires ) )
`;
}


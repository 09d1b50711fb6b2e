/** The `gatehouse` command as an operator runs it: real processes, real ports, embedded defaults. */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgres, REDIS_URL, uniqueRedisPrefix } from '../support/databases.js';
import { createTestIdp, loadKeyPair } from '../support/saml-idp.js';

const BIN = join(import.meta.dirname, '../../bin/gatehouse.js');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...cleanEnv(), ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')) as [string, string][]);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('the gatehouse command', () => {
  let dataDir: string;
  beforeAll(() => { dataDir = mkdtempSync(join(tmpdir(), 'gh-cli-')); });
  afterAll(() => { rmSync(dataDir, { recursive: true, force: true }); });

  it('prints useful help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'gateway', 'chat', 'migrate', 'config check', 'user create', 'keys rotate']) expect(r.out).toContain(cmd);
    expect(run(['user', '--help']).out).toContain('--email');
  });

  it('refuses an unknown command with usage and exit code 2', () => {
    const r = run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });

  it('reports every configuration problem at once, with keys and fixes', () => {
    const r = run(['config', 'check'], { GATEHOUSE_PORT: 'http', GATEHOUSE_REDIS_URL: 'localhost:6379', GATEHOUSE_LOGGING__LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('3 problems');
    expect(r.err).toContain('listen.port (GATEHOUSE_PORT)');
    expect(r.err).toContain('redis.url (GATEHOUSE_REDIS_URL)');
    expect(r.err).toContain('logging.level (GATEHOUSE_LOGGING__LEVEL)');
    expect(r.err).toContain('Fix:');
  });

  it('prints the effective configuration with secrets hidden', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cfg-'));
    const file = join(dir, 'gatehouse.json');
    writeFileSync(file, JSON.stringify({
      connectors: [
        { id: 'corp-ldap', type: 'ldap', displayName: 'Corp', url: 'ldaps://ldap.example.com', bindDn: 'cn=svc,dc=example,dc=com', bindPassword: 'ldap-bind-secret-value', userBase: 'dc=example,dc=com' },
      ],
      mail: { smtp: { host: 'smtp.example.com', user: 'u', password: 'smtp-secret-value' } },
    }));
    const withSecrets = run(['config', 'check', '--config', file], {});
    expect(withSecrets.code, withSecrets.err).toBe(0);
    expect(withSecrets.out).not.toContain('ldap-bind-secret-value');
    expect(withSecrets.out).not.toContain('smtp-secret-value');
    expect(withSecrets.out).toContain('"bindPassword": "[set]"');
    rmSync(dir, { recursive: true, force: true });
    const r = run(['config', 'check'], { GATEHOUSE_ADMIN_PASSWORD: 'super-secret-pw', GATEHOUSE_DATABASE_URL: 'postgres://gh:dbpass@db/gw' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Configuration is valid.');
    expect(r.out).not.toContain('super-secret-pw');
    expect(r.out).not.toContain('dbpass');
  });

  it('migrates, creates, lists and deactivates users, and rotates keys', () => {
    const env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent' };
    const migrated = run(['migrate'], env);
    expect(migrated.code, migrated.err).toBe(0);
    expect(migrated.out).toMatch(/gateway \(sqlite\): applied 0001_initial/);
    expect(run(['migrate'], env).out).toContain('up to date');
    const created = run(['user', 'create', '--email', 'ops@example.com', '--username', 'ops', '--password', 'a long password', '--admin'], env);
    expect(created.code, created.err).toBe(0);
    expect(created.out).toContain('system_admin');
    const weak = run(['user', 'create', '--email', 'w@example.com', '--username', 'weak', '--password', 'short'], env);
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/at least 10 characters/);
    const list = run(['user', 'list'], env);
    expect(list.out).toMatch(/ops\s+ops@example.com\s+system_admin system_user\s+active/);
    expect(list.out).not.toContain('weak');
    const reset = run(['user', 'reset-mfa', 'ops'], env);
    expect(reset.code, reset.err).toBe(0);
    expect(reset.out).toContain('reset two-factor authentication of ops');
    expect(run(['user', 'reset-mfa', 'nobody-here'], env).code).toBe(1);
    expect(run(['user', 'deactivate', 'ops'], env).code).toBe(0);
    expect(run(['user', 'list'], env).out).toMatch(/ops .* deactivated/);
    const tooSoon = run(['keys', 'rotate'], env);
    expect(tooSoon.code).toBe(1);
    expect(tooSoon.err).toContain('--force');
    const rotated = run(['keys', 'rotate', '--force'], env);
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toMatch(/signing key \w+ is now active/);
  }, 60_000);


  it('serves the login page and the API on embedded defaults, creates the admin from the environment, and drains on SIGTERM', async () => {
    const [port, chatPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'gh-serve-'));
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...cleanEnv(), GATEHOUSE_PORT: String(port), GATEHOUSE_CHAT_PORT: String(chatPort), GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SITE_URL: `http://127.0.0.1:${port}`, GATEHOUSE_ADMIN_EMAIL: 'boss@example.com', GATEHOUSE_ADMIN_PASSWORD: 'boss password 123' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += String(d); });
    child.stderr.on('data', (d) => { output += String(d); });
    try {
      const base = `http://127.0.0.1:${port}`;
      let ready = false;
      for (let i = 0; i < 150 && !ready; i += 1) {
        ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready, output).toBe(true);
      expect((await fetch(`${base}/login`)).status).toBe(200);
      const login = await fetch(`${base}/api/v4/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login_id: 'boss@example.com', password: 'boss password 123' }) });
      expect(login.status).toBe(200);
      expect(output).toMatch(/"msg":"gateway listening"/);
      expect(output).not.toContain('boss password 123');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a one-time setup link on first start without an admin', async () => {
    const [port, chatPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'gh-setup-'));
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...cleanEnv(), GATEHOUSE_PORT: String(port), GATEHOUSE_CHAT_PORT: String(chatPort), GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      for (let i = 0; i < 150 && !/setup\?token=/.test(out); i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        out += child.stdout.read()?.toString() ?? '';
      }
      expect(out).toMatch(/Open this link within one hour/);
      const link = /(http:\/\/\S+\/setup\?token=\S+)/.exec(out)![1]!;
      expect((await fetch(link)).status).toBe(200);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs gateway and chat-core as separate processes on PostgreSQL and Redis (cluster mode)', async () => {
    const [port, chatPort] = [await freePort(), await freePort()];
    const [gwDb, chatDb] = [await createTestPostgres('gh_cli_gw'), await createTestPostgres('gh_cli_chat')];
    const dir = mkdtempSync(join(tmpdir(), 'gh-procs-'));
    const env = {
      ...cleanEnv(), GATEHOUSE_PORT: String(port), GATEHOUSE_CHAT_PORT: String(chatPort), GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_DATABASE_URL: gwDb.url, GATEHOUSE_CHAT_DATABASE_URL: chatDb.url, GATEHOUSE_REDIS_URL: REDIS_URL,
      GATEHOUSE_REDIS__KEY_PREFIX: uniqueRedisPrefix('cli'), GATEHOUSE_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
      GATEHOUSE_ADMIN_EMAIL: 'c@example.com', GATEHOUSE_ADMIN_PASSWORD: 'cluster password 1', GATEHOUSE_LOG_LEVEL: 'warn',
    };
    const chat = spawn(process.execPath, [BIN, 'chat'], { env, stdio: 'ignore' });
    const gateway = spawn(process.execPath, [BIN, 'gateway'], { env, stdio: 'ignore' });
    try {
      const base = `http://127.0.0.1:${port}`;
      const up = async (url: string) => {
        for (let i = 0; i < 150; i += 1) {
          if (await fetch(url).then((r) => r.ok, () => false)) return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      };
      expect(await up(`http://127.0.0.1:${chatPort}/readyz`)).toBe(true);
      expect(await up(`${base}/readyz`)).toBe(true);
      const login = await fetch(`${base}/api/v4/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login_id: 'c@example.com', password: 'cluster password 1' }) });
      const auth = { authorization: `Bearer ${login.headers.get('token')}`, 'content-type': 'application/json' };
      const team = (await (await fetch(`${base}/api/v4/teams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'procs', display_name: 'P', type: 'O' }) })).json()) as { id: string };
      const channel = await fetch(`${base}/api/v4/channels`, { method: 'POST', headers: auth, body: JSON.stringify({ team_id: team.id, name: 'split', display_name: 'Split', type: 'O' }) });
      expect(channel.status).toBe(201);
    } finally {
      gateway.kill('SIGTERM');
      chat.kill('SIGTERM');
      await Promise.all([once(gateway, 'exit'), once(chat, 'exit')]);
      await gwDb.drop();
      await chatDb.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a SAML SP key pair that openssl can read, and refuses to overwrite it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-keygen-'));
    try {
      const r = run(['saml', 'keygen', '--out', dir, '--cn', 'chat.example.com', '--days', '30'], { GATEHOUSE_DATA_DIR: dir });
      expect(r.code, r.err).toBe(0);
      const key = readFileSync(join(dir, 'saml-sp-key.pem'), 'utf8');
      expect(key).toContain('PRIVATE KEY');
      expect(statSync(join(dir, 'saml-sp-key.pem')).mode & 0o777).toBe(0o600);
      const x509 = new X509Certificate(readFileSync(join(dir, 'saml-sp-cert.pem')));
      expect(x509.subject).toContain('CN=chat.example.com');
      expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
      const again = run(['saml', 'keygen', '--out', dir], { GATEHOUSE_DATA_DIR: dir });
      expect(again.code).toBe(1);
      expect(again.err).toContain('refusing to overwrite');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps a Mattermost SamlSettings block to a connector and says what it could not map', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-import-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({
        GitLabSettings: { Enable: true, Id: 'gl-app', Secret: 'gl-secret-value', AuthEndpoint: 'https://gitlab.example.com/oauth/authorize', TokenEndpoint: 'https://gitlab.example.com/oauth/token', UserAPIEndpoint: 'https://gitlab.example.com/api/v4/user' },
        Office365Settings: { Enable: true, Id: 'o365-app', Secret: 'o365-secret-value', DirectoryId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
        GoogleSettings: { Enable: false, Id: '' },
        SamlSettings: {
        Enable: true, Verify: true, Encrypt: false, IdpURL: 'https://idp.example.com/sso', IdpDescriptorURL: 'https://idp.example.com/entity',
        IdpMetadataURL: '', ServiceProviderIdentifier: 'https://chat.example.com/login/sso/saml', IdpCertificateFile: 'saml-idp.crt',
        IdAttribute: '', EmailAttribute: 'Email', UsernameAttribute: 'Username', FirstNameAttribute: 'FirstName', EnableAdminAttribute: true,
        AdminAttribute: 'Role=admin', GuestAttribute: '', LoginButtonText: 'Company SSO', LoginButtonColor: '#34a28b', ScopingIDPProviderId: 'x',
      } }));
      const r = run(['import', 'mattermost-config', file]);
      expect(r.code, r.err).toBe(0);
      const connector = (JSON.parse(r.out) as { connectors: Record<string, any>[] }).connectors[0]!;
      expect(connector).toMatchObject({
        type: 'saml', default: true, displayName: 'Company SSO', buttonColor: '#34a28b', adminAttribute: 'Role=admin',
        idp: { entityId: 'https://idp.example.com/entity', ssoUrl: 'https://idp.example.com/sso' },
        attributes: { email: 'Email', username: 'Username', firstName: 'FirstName' },
      });
      expect(r.err).toContain('IdAttribute is empty');
      expect(r.err).toContain('IdpCertificateFile saml-idp.crt');
      expect(r.err).toContain('ScopingIDPProviderId: not supported');
      expect(r.err).toMatch(/still to fill in \(saml\): idp/);
      const all = (JSON.parse(r.out) as { connectors: Record<string, any>[] }).connectors;
      expect(all.map((c) => c.id)).toEqual(['saml', 'gitlab', 'entra']);
      expect(all[1]).toMatchObject({ type: 'oauth2', preset: 'gitlab', clientId: 'gl-app', tokenUrl: 'https://gitlab.example.com/oauth/token' });
      expect(all[2]).toMatchObject({ type: 'oidc', preset: 'entra-id', issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', entra: { allowedTenants: ['72f988bf-86f1-41af-91ab-2d7cd011db47'] }, mattermostService: 'office365' });
      expect(r.out + r.err).not.toContain('secret-value');
      expect(r.err).toContain('GitLabSettings.Secret is not copied');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a connector from IdP metadata, and tests a configured connector', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-idp-'));
    try {
      const idp = createTestIdp({ entityId: 'https://idp.example.test/metadata' });
      const metadataFile = join(dir, 'idp.xml');
      writeFileSync(metadataFile, idp.metadataXml());
      const imported = run(['idp', 'import', metadataFile, '--id', 'corp', '--preset', 'adfs']);
      expect(imported.code, imported.err).toBe(0);
      expect(JSON.parse(imported.out)).toMatchObject({ id: 'corp', type: 'saml', preset: 'adfs', idp: { metadataFile } });
      expect(imported.err).toContain('IdP https://idp.example.test/metadata');
      expect(imported.err).toMatch(/signing certificate: .*valid until \d{4}-\d\d-\d\d/);
      expect(run(['idp', 'import', join(dir, 'missing.xml')]).code).toBe(1);
      const sp = loadKeyPair('sp-signing');
      const configFile = join(dir, 'gatehouse.json');
      writeFileSync(configFile, JSON.stringify({ connectors: [{ ...JSON.parse(imported.out), sp: { privateKeyFile: sp.privateKeyFile, certificateFile: sp.certificateFile } }] }));
      const tested = run(['saml', 'test', 'corp'], { GATEHOUSE_CONFIG: configFile, GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'silent' });
      expect(tested.code, tested.err).toBe(0);
      expect(tested.out).toContain(`AuthnRequest goes to ${idp.ssoUrl} (signed)`);
      expect(tested.out).toMatch(/SP certificate: .*valid until/);
      const metadata = run(['saml', 'metadata', 'corp'], { GATEHOUSE_CONFIG: configFile, GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'silent' });
      expect(metadata.out).toContain('/auth/corp/saml/acs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

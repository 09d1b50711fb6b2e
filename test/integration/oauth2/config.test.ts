/**
 * Configuration of the OAuth 2.0 connector: presets fill the endpoints, every problem is an
 * OIDC_CONFIG_INVALID naming the key, and the connector never starts half-configured.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOAuth2Connector } from '../../../src/connectors/oauth2/create-oauth2-connector.js';
import { oauth2CallbackUrl, oauth2ConnectorSchema, type OAuth2ConnectorInput } from '../../../src/connectors/oauth2/config-schema.js';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { createLogSink, SITE_URL } from './harness.js';

const store = createMemoryStore();
afterAll(() => store.close());
const { logger } = createLogSink();
const build = (config: OAuth2ConnectorInput) => createOAuth2Connector(config, { siteUrl: SITE_URL, store, logger });

const github: OAuth2ConnectorInput = { id: 'github', type: 'oauth2', displayName: 'GitHub', preset: 'github', clientId: 'cid', clientSecret: 'secret' };

async function configRefused(config: OAuth2ConnectorInput, detail: RegExp): Promise<void> {
  const err = await build(config).then(() => null, (e: unknown) => e);
  if (!isGatewayError(err)) throw new Error(`expected OIDC_CONFIG_INVALID, got ${String(err)}`);
  expect(err.code).toBe('OIDC_CONFIG_INVALID');
  expect(err.detail).toMatch(detail);
}

describe('the OAuth 2.0 connector configuration', () => {
  it('fills GitHub endpoints, scopes and the Mattermost service from the preset', async () => {
    const connector = await build(github);
    expect(connector).toMatchObject({ id: 'github', kind: 'oauth2', mattermostService: 'github', trustEmail: false, allowSignup: true, buttonColor: '#24292f' });
    expect(connector).not.toHaveProperty('logoutUrl');
    expect(connector).not.toHaveProperty('verifyLogoutToken');
    const url = new URL((await connector.startLogin('r')).redirectUrl);
    expect(`${url.origin}${url.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
  });

  it('fills GitLab endpoints from the oauth2 section of providers/gitlab.json', async () => {
    const connector = await build({ ...github, id: 'gitlab', preset: 'gitlab' });
    expect(connector.mattermostService).toBe('gitlab');
    expect((await connector.startLogin('r')).redirectUrl).toMatch(/^https:\/\/gitlab\.com\/oauth\/authorize\?/);
  });

  it('names the callback URL after the connector id', () => {
    expect(oauth2CallbackUrl({ id: 'github' }, 'https://chat.example.com/')).toBe('https://chat.example.com/auth/github/callback');
  });

  it('reads the client secret from clientSecretFile', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-oauth2-')), 'secret');
    writeFileSync(file, 'from-file\n');
    const { clientSecret: _omit, ...rest } = github;
    await expect(build({ ...rest, clientSecretFile: file })).resolves.toMatchObject({ id: 'github' });
    await configRefused({ ...rest, clientSecretFile: `${file}.missing` }, /clientSecretFile: cannot read .*ENOENT/);
  });

  it('refuses both or neither of clientSecret and clientSecretFile', async () => {
    await configRefused({ ...github, clientSecretFile: '/x' }, /set exactly one of clientSecretFile and clientSecret/);
    const { clientSecret: _omit, ...neither } = github;
    await configRefused(neither, /set exactly one of clientSecretFile and clientSecret/);
  });

  it('refuses a generic provider without its endpoints or an id path', async () => {
    const generic: OAuth2ConnectorInput = { id: 'acme', type: 'oauth2', displayName: 'Acme', clientId: 'c', clientSecret: 's' };
    await configRefused(generic, /preset "generic" needs authorizationUrl, tokenUrl and userInfoUrl/);
    const urls = { authorizationUrl: 'https://a.example/authorize', tokenUrl: 'https://a.example/token', userInfoUrl: 'https://a.example/me' };
    await configRefused({ ...generic, ...urls }, /claims\.id is required/);
  });

  it('refuses plain http, and accepts it only for loopback with allowInsecureHttp', async () => {
    await configRefused({ ...github, tokenUrl: 'http://127.0.0.1:9/token' }, /tokenUrl: http:\/\/127\.0\.0\.1:9\/token must use https \(http is accepted only for loopback/);
    await configRefused({ ...github, tokenUrl: 'http://github.example/token', allowInsecureHttp: true }, /tokenUrl: .* must use https/);
    await expect(build({ ...github, tokenUrl: 'http://127.0.0.1:9/token', allowInsecureHttp: true })).resolves.toBeDefined();
  });

  it('refuses unknown keys and github settings without the github preset', async () => {
    await configRefused({ ...github, logoutUrl: 'https://x' } as OAuth2ConnectorInput, /Unrecognized key/i);
    await configRefused({ ...github, preset: 'gitlab', github: { allowedOrganizations: ['o'] } }, /github settings need preset "github"/);
  });

  it('documents usePkce, trustEmail and allowSignup defaults in the schema', () => {
    const parsed = oauth2ConnectorSchema.parse(github);
    expect(parsed).toMatchObject({ usePkce: true, trustEmail: false, allowSignup: true, allowInsecureHttp: false, timeoutMs: 10_000 });
  });
});

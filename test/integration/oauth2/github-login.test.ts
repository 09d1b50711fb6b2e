/**
 * GitHub-shaped and generic sign-in through the OAuth 2.0 connector against the local fake
 * GitHub (a test double: the real GitHub cannot be reached from here), on both ephemeral stores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGithub, OCTOCAT, type FakeGithub } from '../../support/fake-github.js';
import { createRig, genericConfig, githubConfig, SITE_URL, stateOf, STORE_KINDS, type Rig } from './harness.js';

let fake: FakeGithub;
beforeAll(async () => {
  fake = await startFakeGithub();
});
afterAll(() => fake.close());

for (const kind of STORE_KINDS) {
  describe(`on the ${kind} store`, () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = await createRig(kind);
    });
    afterAll(() => rig.close());
    afterEach(() => {
      fake.knobs.user = OCTOCAT;
    });

    it('sends the browser to the authorize endpoint with state, scopes and a PKCE S256 challenge', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const url = new URL((await connector.startLogin('relay-1')).redirectUrl);
      expect(url.origin + url.pathname).toBe(fake.authorizeUrl);
      expect(url.searchParams.get('client_id')).toBe(fake.clientId);
      expect(url.searchParams.get('redirect_uri')).toBe(`${SITE_URL}/auth/github/callback`);
      expect(url.searchParams.get('scope')).toBe('read:user user:email');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('signs in a GitHub user as their numeric id with the verified primary e-mail and their names', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const callback = await rig.callback(connector, fake, 'relay-gh');
      const result = await connector.finishLogin({ url: callback, body: {} });
      expect(result.relay).toBe('relay-gh');
      expect(result.session).toEqual({ sub: '583231' });
      expect(result.identity).toMatchObject({
        connectorId: 'github',
        subject: '583231',
        email: 'mona@example.com',
        emailVerified: true,
        username: 'octocat',
        firstName: 'Mona',
        lastName: 'Lisa Octocat',
        groups: [],
        isAdmin: false,
        isGuest: false,
      });
    });

    it("never takes the e-mail from GitHub's profile, which the user sets without verification", async () => {
      fake.knobs.user = { ...OCTOCAT, extra: { email: 'ceo@victim.example' } };
      const connector = await rig.connector(githubConfig(fake, { claims: { email: 'email' } }));
      const result = await connector.finishLogin({ url: await rig.callback(connector, fake), body: {} });
      expect(result.identity.email).toBe('mona@example.com');
    });

    it('keeps the subject when the GitHub login is renamed', async () => {
      const connector = await rig.connector(githubConfig(fake));
      fake.knobs.user = { ...OCTOCAT, login: 'mona-renamed' };
      const result = await connector.finishLogin({ url: await rig.callback(connector, fake), body: {} });
      expect(result.identity.subject).toBe('583231');
      expect(result.identity.username).toBe('mona-renamed');
    });

    it('admits a member of an allowed organization (case-insensitive), with its organizations as groups and read:org requested', async () => {
      const connector = await rig.connector(githubConfig(fake, { github: { allowedOrganizations: ['octo-org'] }, adminClaim: 'groups=github' }));
      const { redirectUrl } = await connector.startLogin('relay-org');
      expect(new URL(redirectUrl).searchParams.get('scope')).toBe('read:user user:email read:org');
      const result = await connector.finishLogin({ url: await fake.authorize(redirectUrl), body: {} });
      expect(result.identity.groups).toEqual(['github', 'Octo-Org']);
      expect(result.identity.isAdmin).toBe(true);
    });

    it('asks the token endpoint for JSON and the GitHub API for its media type, and never logs the code', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const callback = await rig.callback(connector, fake);
      const seen = fake.requests.length;
      await connector.finishLogin({ url: callback, body: {} });
      const calls = fake.requests.slice(seen);
      expect(calls.map((r) => `${r.method} ${r.path} ${r.accept}`)).toEqual([
        'POST /login/oauth/access_token application/json',
        'GET /user application/vnd.github+json',
        'GET /user/emails application/vnd.github+json',
      ]);
      expect(rig.logs.text()).not.toContain(new URL(callback).searchParams.get('code'));
    });

    it('signs in through a generic provider by nested JSON paths, with groups and the guest rule', async () => {
      fake.knobs.user = { ...OCTOCAT, id: 77, extra: { groups: ['eng', 'contractors'] } };
      const connector = await rig.connector(genericConfig(fake, { guestClaim: 'data.user.groups=contractors' }));
      const result = await connector.finishLogin({ url: await rig.callback(connector, fake, 'relay-acme'), body: {} });
      expect(result.relay).toBe('relay-acme');
      expect(result.identity).toMatchObject({
        connectorId: 'acme',
        subject: '77',
        email: 'mona@example.com',
        emailVerified: true,
        username: 'octocat',
        firstName: 'Mona',
        lastName: 'Lisa Octocat',
        groups: ['eng', 'contractors'],
        isGuest: true,
        isAdmin: false,
      });
    });

    it('treats a generic e-mail as unverified when no emailVerified path is configured', async () => {
      const config = genericConfig(fake);
      const connector = await rig.connector({ ...config, claims: { ...config.claims, emailVerified: undefined } });
      const result = await connector.finishLogin({ url: await rig.callback(connector, fake), body: {} });
      expect(result.identity.emailVerified).toBe(false);
    });

    it('works without PKCE when usePkce is false', async () => {
      const connector = await rig.connector(githubConfig(fake, { usePkce: false }));
      const { redirectUrl } = await connector.startLogin('relay-np');
      expect(new URL(redirectUrl).searchParams.has('code_challenge')).toBe(false);
      const callback = await fake.authorize(redirectUrl);
      expect(stateOf(callback)).not.toBe('');
      expect((await connector.finishLogin({ url: callback, body: {} })).identity.subject).toBe('583231');
    });
  });
}

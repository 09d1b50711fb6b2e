/**
 * Every callback the OAuth 2.0 connector must refuse (issue 4, "Refusals"), against the local fake
 * GitHub (a test double: the real GitHub cannot be reached from here). Each test asserts the code,
 * the precise `detail` and the warn log line; the control proves the same setup signs in.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGithub, OCTOCAT, type FakeGithub } from '../../support/fake-github.js';
import { createRig, expectRefused, genericConfig, githubConfig, stateOf, STORE_KINDS, type Rig } from './harness.js';

let fake: FakeGithub;
beforeAll(async () => {
  fake = await startFakeGithub();
});
afterAll(() => fake.close());
afterEach(() => {
  fake.knobs.user = OCTOCAT;
  delete fake.knobs.tokenError;
  delete fake.knobs.malformedUserJson;
  delete fake.knobs.slowMs;
});

function withQuery(callbackUrl: string, change: (p: URLSearchParams) => void): string {
  const u = new URL(callbackUrl);
  change(u.searchParams);
  return u.toString();
}

for (const kind of STORE_KINDS) {
  describe(`state and code, on the ${kind} store`, () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = await createRig(kind);
    });
    afterAll(() => rig.close());

    it('the control: the same setup signs in', async () => {
      const connector = await rig.connector(githubConfig(fake));
      expect((await connector.finishLogin({ url: await rig.callback(connector, fake), body: {} })).identity.subject).toBe('583231');
    });

    it('refuses a callback without state', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const url = withQuery(await rig.callback(connector, fake), (p) => p.delete('state'));
      await expectRefused(rig, () => connector.finishLogin({ url, body: {} }), /^callback has no state parameter$/);
    });

    it('refuses a callback with a state we never issued', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const url = withQuery(await rig.callback(connector, fake), (p) => p.set('state', 'forged-state-value'));
      await expectRefused(rig, () => connector.finishLogin({ url, body: {} }), /^state is unknown, expired or already used$/);
    });

    it('refuses a callback replayed with an already used state', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const callback = await rig.callback(connector, fake);
      await connector.finishLogin({ url: callback, body: {} });
      await expectRefused(rig, () => connector.finishLogin({ url: callback, body: {} }), /^state is unknown, expired or already used$/);
    });

    it('refuses a reused authorization code brought back under a fresh state', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const first = await rig.callback(connector, fake);
      await connector.finishLogin({ url: first, body: {} });
      const second = await rig.callback(connector, fake);
      const replay = withQuery(second, (p) => p.set('code', new URL(first).searchParams.get('code') ?? ''));
      await expectRefused(rig, () => connector.finishLogin({ url: replay, body: {} }), /^token endpoint returned an error \(HTTP 200\): bad_verification_code/);
    });

    it('refuses when the PKCE verifier does not match the challenge (stored verifier tampered)', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const callback = await rig.callback(connector, fake);
      const key = `oauth2:state:${stateOf(callback)}`;
      const stored = JSON.parse((await rig.store.get(key)) ?? '{}') as { codeVerifier: string };
      await rig.store.set(key, JSON.stringify({ ...stored, codeVerifier: `${stored.codeVerifier.slice(0, -4)}AAAA` }), 60_000);
      await expectRefused(rig, () => connector.finishLogin({ url: callback, body: {} }), /^token endpoint returned an error \(HTTP 200\): invalid_grant/);
    });

    it("refuses a state issued for another connector (mix-up) and burns it", async () => {
      const a = await rig.connector(githubConfig(fake, { id: 'github-a' }));
      const b = await rig.connector(githubConfig(fake, { id: 'github-b' }));
      const callbackForA = await rig.callback(a, fake);
      await expectRefused(rig, () => b.finishLogin({ url: callbackForA, body: {} }), /^state was issued for connector github-a, not github-b \(mix-up\)$/);
      await expectRefused(rig, () => a.finishLogin({ url: callbackForA, body: {} }), /^state is unknown, expired or already used$/);
    });

    it('refuses a state older than ten minutes by the injected clock', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const callback = await rig.callback(connector, fake);
      rig.clock.advance(10 * 60_000 + 1);
      // Memory expires the key on the injected clock; Redis keeps it, and the stored deadline refuses.
      await expectRefused(rig, () => connector.finishLogin({ url: callback, body: {} }), /^state (is unknown, expired or already used|has expired)$/);
    });

    it('refuses the error the provider sent back, after consuming the state', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const callback = await rig.callback(connector, fake);
      const denied = withQuery(callback, (p) => {
        p.delete('code');
        p.set('error', 'access_denied');
        p.set('error_description', 'The user has denied your application access.');
      });
      await expectRefused(rig, () => connector.finishLogin({ url: denied, body: {} }), /^provider returned error access_denied: The user has denied/);
      await expectRefused(rig, () => connector.finishLogin({ url: callback, body: {} }), /^state is unknown, expired or already used$/);
    });

    it('refuses a callback without a code', async () => {
      const connector = await rig.connector(githubConfig(fake));
      const url = withQuery(await rig.callback(connector, fake), (p) => p.delete('code'));
      await expectRefused(rig, () => connector.finishLogin({ url, body: {} }), /^callback has no code parameter$/);
    });
  });
}

describe('what the provider answers', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await createRig('memory');
  });
  afterAll(() => rig.close());

  it('refuses a GitHub user with no verified primary e-mail, even with another verified address', async () => {
    fake.knobs.user = { ...OCTOCAT, emails: [{ email: 'mona@example.com', primary: true, verified: false }, { email: 'm@other.example', primary: false, verified: true }] };
    const connector = await rig.connector(githubConfig(fake));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^GitHub user 583231 has no verified primary e-mail \(2 address\(es\) listed\)$/);
  });

  it('refuses a GitHub user in none of the allowed organizations', async () => {
    const connector = await rig.connector(githubConfig(fake, { github: { allowedOrganizations: ['acme-corp'] } }));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^GitHub user 583231 \(octocat\) is in none of the allowed organizations \(acme-corp\)$/);
  });

  it('refuses when the token endpoint returns an error', async () => {
    fake.knobs.tokenError = 'bad_verification_code';
    const connector = await rig.connector(githubConfig(fake));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^token endpoint returned an error \(HTTP 200\): bad_verification_code — fake: bad_verification_code$/);
  });

  it('refuses when the token endpoint fails with HTTP 500', async () => {
    fake.knobs.tokenError = 'http500';
    const connector = await rig.connector(githubConfig(fake));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^token endpoint answered HTTP 500$/);
  });

  it('refuses malformed GitHub user JSON', async () => {
    fake.knobs.malformedUserJson = '{"id": 583231, "login": ';
    const connector = await rig.connector(githubConfig(fake));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^GitHub \/user returned malformed JSON \(HTTP 200, 24 bytes\)$/);
  });

  it('refuses malformed generic user-info JSON', async () => {
    fake.knobs.malformedUserJson = '<html>oops</html>';
    const connector = await rig.connector(genericConfig(fake));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^user-info endpoint returned malformed JSON/);
  });

  it('refuses generic user info without an id at the configured path', async () => {
    const config = genericConfig(fake);
    const connector = await rig.connector({ ...config, claims: { ...config.claims, id: 'data.user.uuid' } });
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^user info has no usable id at "data\.user\.uuid" \(found nothing\)$/);
  });

  it('refuses a provider slower than the configured timeout', async () => {
    const connector = await rig.connector(githubConfig(fake, { timeoutMs: 100 }));
    const callback = await rig.callback(connector, fake);
    fake.knobs.slowMs = 5_000;
    await expectRefused(rig, () => connector.finishLogin({ url: callback, body: {} }), /^token endpoint did not answer within 100 ms$/);
  });

  it('refuses a response larger than maxResponseBytes', async () => {
    fake.knobs.malformedUserJson = JSON.stringify({ id: 1, login: 'x', pad: 'x'.repeat(4000) });
    const connector = await rig.connector(githubConfig(fake, { maxResponseBytes: 1024 }));
    await expectRefused(rig, async () => connector.finishLogin({ url: await rig.callback(connector, fake), body: {} }), /^GitHub \/user response is larger than 1024 bytes$/);
  });

  it('never writes the access token or the code to the log', () => {
    expect(rig.logs.text()).not.toMatch(/gho_[0-9a-f]{32}/);
    expect(rig.logs.text()).not.toMatch(/"code"/);
  });
});

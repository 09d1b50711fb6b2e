/**
 * SAML through the gateway's HTTP routes: the login button, the AuthnRequest redirect, the ACS
 * form post, account linking, sessions, Single Logout, and the refusals a browser can trigger.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { createTestIdp, IDP_SHAPES, loadKeyPair, type TestIdp } from '../../support/saml-idp.js';

const sp = loadKeyPair('sp-signing');

function authnRequestOf(location: string): { id: string; relayState: string; xml: string } {
  const url = new URL(location);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  return { id: /ID="([^"]+)"/.exec(xml)![1]!, relayState: url.searchParams.get('RelayState') ?? '', xml };
}

describe('SAML sign-in through the gateway', () => {
  let h: Harness;
  let idp: TestIdp;
  let acs: string;
  let entityId: string;
  const alice = { id: 'okta-00u1', email: 'alice@example.com', username: 'alice', firstName: 'Alice', lastName: 'Liddell', groups: ['Engineering', 'chat-admins'] };

  async function signIn(client = apiClient(h.url), options: { redirectTo?: string; user?: typeof alice; path?: string } = {}) {
    const startPath = options.path ?? `/auth/okta/saml/login${options.redirectTo ? `?redirect_to=${encodeURIComponent(options.redirectTo)}` : ''}`;
    const started = await client.request('GET', startPath, { useCookies: true });
    expect(started.status).toBe(302);
    const location = started.headers.get('location')!;
    expect(location.startsWith(idp.ssoUrl)).toBe(true);
    const request = authnRequestOf(location);
    const shape = IDP_SHAPES.okta(options.user ?? alice);
    const SAMLResponse = idp.response({ inResponseTo: request.id, nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes });
    const posted = await client.request('POST', options.path ? '/login/sso/saml' : '/auth/okta/saml/acs', { useCookies: true, form: { SAMLResponse, RelayState: request.relayState } });
    return { posted, request, SAMLResponse };
  }

  beforeAll(async () => {
    // The IdP's key is fixed; its view of our URLs is set once the gateway has a port.
    idp = createTestIdp({ entityId: 'https://idp.example.test', sp: {} });
    h = await startHarness('embedded', {
      config: {
        connectors: [{
          id: 'okta', type: 'saml', displayName: 'Sign in with Okta', buttonColor: '#007dc1', default: true, preset: 'okta',
          idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, sloUrl: idp.sloUrl, certificates: [idp.certificatePem] },
          sp: { privateKeyFile: sp.privateKeyFile, certificateFile: sp.certificateFile },
          attributes: IDP_SHAPES.okta(alice).mapping,
          adminAttribute: `${IDP_SHAPES.okta(alice).mapping.groups}=chat-admins`,
        }],
      },
    });
    acs = `${h.url}/auth/okta/saml/acs`;
    entityId = `${h.url}/auth/okta/saml/metadata`;
    idp = createTestIdp({ entityId: 'https://idp.example.test', sp: { entityId, acsUrl: acs, sloUrl: `${h.url}/auth/okta/saml/slo` } });
  });
  afterAll(async () => { await h?.close(); });

  it('shows one button per SAML connector on /login, as a plain link', async () => {
    const page = await apiClient(h.url).request('GET', '/login');
    expect(page.text).toContain('href="/auth/okta/saml/login"');
    expect(page.text).toContain('Sign in with Okta');
    expect(page.text).toContain('background:#007dc1');
  });

  it('publishes SP metadata with the entity id, ACS and SLO', async () => {
    for (const path of ['/api/v4/saml/metadata', '/auth/okta/saml/metadata']) {
      const r = await apiClient(h.url).request('GET', path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('xml');
      expect(r.text).toContain(`entityID="${entityId}"`);
      expect(r.text).toContain(acs);
      expect(r.text).toContain('SingleLogoutService');
    }
  });

  it('signs a new user in just in time, maps attributes and groups, and returns to the same-site path', async () => {
    const c = apiClient(h.url);
    const { posted, request } = await signIn(c, { redirectTo: '/channels/town' });
    expect(request.xml).toContain(`AssertionConsumerServiceURL="${acs}"`);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/channels/town');
    const me = await c.request('GET', '/api/v4/users/me', { useCookies: true });
    expect(me.json).toMatchObject({ username: 'alice', email: 'alice@example.com', first_name: 'Alice', last_name: 'Liddell', auth_service: 'okta' });
    expect(me.json.roles).toBe('system_admin system_user');
    const sessions = await c.request('GET', '/api/v4/users/me/sessions', { useCookies: true });
    expect(sessions.json[0].props.amr).toContain('saml');
  });

  it('signs the same person in again to the same account, refreshing the profile', async () => {
    const c = apiClient(h.url);
    await signIn(c, { user: { ...alice, lastName: 'Pleasance', groups: ['Engineering'] } });
    const me = await c.request('GET', '/api/v4/users/me', { useCookies: true });
    expect(me.json).toMatchObject({ username: 'alice', last_name: 'Pleasance', roles: 'system_user' });
    const admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const list = await admin.request('GET', '/api/v4/users?per_page=200');
    expect(list.json.filter((u: { email: string }) => u.email === 'alice@example.com')).toHaveLength(1);
  });

  it("answers Mattermost's /login/sso/saml paths for the default connector", async () => {
    const c = apiClient(h.url);
    const { posted } = await signIn(c, { path: '/login/sso/saml' });
    expect(posted.status).toBe(303);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(200);
  });

  it('refuses a replayed response with no session', async () => {
    const c = apiClient(h.url);
    const { SAMLResponse, request } = await signIn(c);
    const thief = apiClient(h.url);
    const replay = await thief.request('POST', '/auth/okta/saml/acs', { form: { SAMLResponse, RelayState: request.relayState } });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Single sign-on failed');
    expect(thief.jar.get('MMAUTHTOKEN')).toBeUndefined();
  });

  it('refuses to take over a local account with the same e-mail, and says how to link', async () => {
    const admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    expect((await admin.request('POST', '/api/v4/users', { body: { email: 'bob@example.com', username: 'bob', password: 'a long enough password' } })).status).toBe(201);
    const c = apiClient(h.url);
    const { posted } = await signIn(c, { user: { ...alice, id: 'okta-00u2', email: 'bob@example.com', username: 'bobby' } });
    expect(posted.status).toBe(409);
    expect(posted.text).toContain('Sign in the way you usually do, then link');
    expect(c.jar.get('MMAUTHTOKEN')).toBeUndefined();
  });

  it('never sends the browser off-site, whatever the return path or RelayState says', async () => {
    const c = apiClient(h.url);
    const { posted } = await signIn(c, { redirectTo: 'https://evil.example/' });
    expect(posted.headers.get('location')).toBe('/');
    const again = apiClient(h.url);
    const started = await again.request('GET', '/auth/okta/saml/login');
    const request = authnRequestOf(started.headers.get('location')!);
    const shape = IDP_SHAPES.okta(alice);
    const SAMLResponse = idp.response({ inResponseTo: request.id, nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes });
    const posted2 = await again.request('POST', '/auth/okta/saml/acs', { form: { SAMLResponse, RelayState: 'https://evil.example/' } });
    expect(posted2.status).toBe(303);
    expect(posted2.headers.get('location')).toBe('/');
  });

  it('ends the matching sessions on a signed IdP LogoutRequest, and refuses an unsigned one', async () => {
    const c = apiClient(h.url);
    await signIn(c);
    const shape = IDP_SHAPES.okta(alice);
    const unsigned = idp.logoutRequest({ binding: 'redirect', nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, signed: false });
    const refused = await apiClient(h.url).request('GET', `/auth/okta/saml/slo?${unsigned.input.binding === 'redirect' ? unsigned.input.rawQuery : ''}`);
    expect(refused.status).toBe(400);
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(200);
    const signed = idp.logoutRequest({ binding: 'redirect', nameId: shape.nameId, nameIdFormat: shape.nameIdFormat });
    const done = await apiClient(h.url).request('GET', `/auth/okta/saml/slo?${signed.input.binding === 'redirect' ? signed.input.rawQuery : ''}`);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')!.startsWith(idp.sloUrl)).toBe(true);
    expect(new URL(done.headers.get('location')!).searchParams.get('SAMLResponse')).toBeTruthy();
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
  });

  it('sends the browser to the IdP to end its session too when the user signs out (SP-initiated)', async () => {
    const c = apiClient(h.url);
    await signIn(c);
    const home = await c.request('GET', '/', { useCookies: true });
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(home.text)![1]!;
    const out = await c.request('POST', '/logout', { useCookies: true, form: { csrf_token: csrf } });
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(idp.sloUrl);
    const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(xml).toContain('LogoutRequest');
    expect(xml).toContain(IDP_SHAPES.okta(alice).nameId);
    expect(location.searchParams.get('Signature')).toBeTruthy();
    expect((await c.request('GET', '/api/v4/users/me', { useCookies: true })).status).toBe(401);
  });

  it('lists connectors for admins only', async () => {
    const admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    const list = await admin.request('GET', '/api/v4/gatehouse/connectors');
    expect(list.json).toEqual([{ id: 'okta', kind: 'saml', displayName: 'Sign in with Okta', buttonColor: '#007dc1', default: true, startPath: '/auth/okta/saml/login' }]);
    const c = apiClient(h.url);
    await signIn(c, { user: { ...alice, groups: [] } });
    expect((await c.request('GET', '/api/v4/gatehouse/connectors', { useCookies: true })).status).toBe(403);
  });
});

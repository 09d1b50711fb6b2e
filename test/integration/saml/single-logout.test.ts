/**
 * Single Logout in both directions (issue 3) at the connector level, IdP signing-certificate
 * rollover, and an IdP configured from its metadata file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestIdp, loadKeyPair, readRedirectMessage } from '../../support/saml-idp.js';
import { ALICE, createSamlHarness, expectRefused, IDP_ENTITY_ID, type SamlHarness } from './harness.js';

let h: SamlHarness;
afterEach(async () => h.close());
const session = { nameId: ALICE.uid, nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', sessionIndex: '_idp-session-9' };

describe('SP-initiated Single Logout', () => {
  it('sends a signed LogoutRequest naming the NameID and SessionIndex', async () => {
    h = await createSamlHarness();
    const { redirectUrl } = await h.connector.startLogout({ ...session, relayState: 'bye-1' });
    const sent = readRedirectMessage(redirectUrl);
    expect(redirectUrl.startsWith(h.idp.sloUrl)).toBe(true);
    expect(sent.xml).toContain(`>${ALICE.uid}</`);
    expect(sent.xml).toContain('>_idp-session-9</');
    expect(sent.sigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(sent.signature).toBeTruthy();
  });

  for (const binding of ['redirect', 'post'] as const) {
    it(`accepts the IdP's signed LogoutResponse over ${binding} once, and refuses it again`, async () => {
      h = await createSamlHarness();
      const sent = readRedirectMessage((await h.connector.startLogout({ ...session, relayState: 'bye-1' })).redirectUrl);
      const answer = h.idp.logoutResponse({ inResponseTo: sent.id, binding, relayState: 'bye-1' });
      expect(await h.connector.receiveLogoutResponse(answer.input)).toEqual({ success: true, relayState: 'bye-1' });
      await expectRefused(h, h.connector.receiveLogoutResponse(answer.input), /InResponseTo|unknown|already used/, 'SAML_INVALID_LOGOUT');
    });
  }

  it('refuses an unsigned LogoutResponse', async () => {
    h = await createSamlHarness();
    const sent = readRedirectMessage((await h.connector.startLogout({ ...session, relayState: 'bye-1' })).redirectUrl);
    const answer = h.idp.logoutResponse({ inResponseTo: sent.id, binding: 'redirect', signed: false });
    await expectRefused(h, h.connector.receiveLogoutResponse(answer.input), /not signed/, 'SAML_INVALID_LOGOUT');
  });

  it('refuses a LogoutResponse to a request we never sent', async () => {
    h = await createSamlHarness();
    const answer = h.idp.logoutResponse({ inResponseTo: '_never-sent', binding: 'redirect' });
    await expectRefused(h, h.connector.receiveLogoutResponse(answer.input), /InResponseTo|unknown/, 'SAML_INVALID_LOGOUT');
  });
});

describe('IdP-initiated Single Logout', () => {
  it('answers a signed LogoutRequest with a signed LogoutResponse to the IdP', async () => {
    h = await createSamlHarness();
    const request = await h.connector.receiveLogoutRequest(h.idp.logoutRequest({ ...session, binding: 'redirect', relayState: 'r-2' }).input);
    expect(request).toMatchObject({ nameId: ALICE.uid, sessionIndexes: ['_idp-session-9'] });
    const reply = request.respond(true);
    if (reply.binding !== 'redirect') throw new Error(`expected a redirect LogoutResponse, got ${reply.binding}`);
    const sent = readRedirectMessage(reply.url);
    expect(sent.param).toBe('SAMLResponse');
    expect(sent.xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(sent.signature).toBeTruthy();
  });
});

describe('IdP signing certificates', () => {
  it('accepts either of two configured certificates during a rollover', async () => {
    const rollover = loadKeyPair('idp-rollover');
    const current = loadKeyPair('idp-signing');
    h = await createSamlHarness({ config: { idp: { entityId: IDP_ENTITY_ID, ssoUrl: `${IDP_ENTITY_ID}/sso`, certificates: [current.certificatePem, rollover.certificatePem] } } });
    const old = await h.connector.finishLogin(await h.solicited({ nameId: ALICE.uid, attributes: ALICE }));
    const next = await h.connector.finishLogin(await h.solicited({ nameId: ALICE.uid, attributes: ALICE, signingKey: rollover }));
    expect([old.identity.subject, next.identity.subject]).toEqual([ALICE.uid, ALICE.uid]);
  });

  it('takes the IdP entity id, endpoints and certificate from a metadata file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-saml-'));
    const file = join(dir, 'idp-metadata.xml');
    writeFileSync(file, createTestIdp({ entityId: IDP_ENTITY_ID }).metadataXml());
    h = await createSamlHarness({ config: { idp: { metadataFile: file } } });
    const { redirectUrl } = await h.connector.startLogin('relay-1');
    expect(redirectUrl.startsWith(`${IDP_ENTITY_ID}/sso?`)).toBe(true);
    const result = await h.connector.finishLogin(await h.solicited({ nameId: ALICE.uid, attributes: ALICE }));
    expect(result.identity.subject).toBe(ALICE.uid);
  });
});

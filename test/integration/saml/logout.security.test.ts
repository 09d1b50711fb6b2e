/**
 * Incoming IdP logout messages must be signed (issue 3), on both bindings: an unsigned or
 * wrongly signed LogoutRequest throws SAML_INVALID_LOGOUT and revokes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadKeyPair } from '../../support/saml-idp.js';
import { createSamlHarness, expectRefused, type SamlHarness } from './harness.js';

let h: SamlHarness;
afterEach(async () => h.close());

const who = { nameId: 'u-1001', sessionIndex: '_session-1', relayState: 'r-1' };

for (const binding of ['redirect', 'post'] as const) {
  describe(`an IdP LogoutRequest over HTTP-${binding === 'redirect' ? 'Redirect' : 'POST'}`, () => {
    it('is refused when unsigned', async () => {
      h = await createSamlHarness();
      const message = h.idp.logoutRequest({ ...who, binding, signed: false });
      await expectRefused(h, h.connector.receiveLogoutRequest(message.input), /not signed|no signature|unsigned/i, 'SAML_INVALID_LOGOUT');
    });

    it('is refused when signed by a key that is not configured', async () => {
      h = await createSamlHarness();
      const message = h.idp.logoutRequest({ ...who, binding, signingKey: loadKeyPair('idp-rogue') });
      await expectRefused(h, h.connector.receiveLogoutRequest(message.input), /signature|verify/i, 'SAML_INVALID_LOGOUT');
    });

    it('is refused with a SHA-1 signature unless allowSha1', async () => {
      h = await createSamlHarness();
      const message = h.idp.logoutRequest({ ...who, binding, algorithm: 'sha1' });
      await expectRefused(h, h.connector.receiveLogoutRequest(message.input), /SHA-1/, 'SAML_INVALID_LOGOUT');
    });

    it('is accepted when signed, naming the NameID and SessionIndex to end', async () => {
      h = await createSamlHarness();
      const message = h.idp.logoutRequest({ ...who, binding });
      const request = await h.connector.receiveLogoutRequest(message.input);
      expect(request.nameId).toBe(who.nameId);
      expect(request.sessionIndexes).toEqual([who.sessionIndex]);
      const reply = request.respond(true);
      expect(reply.url.startsWith(h.idp.sloUrl)).toBe(true);
    });
  });
}

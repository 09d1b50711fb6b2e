/**
 * The test IdP itself, checked against bare node-saml 5.1: if these fail, the connector tests
 * would be proving nothing. Signatures (Response, Assertion, both; SHA-256 and SHA-1), encryption
 * (AES-256-GCM and -CBC) and signed logout messages on both bindings must all verify.
 */
import { SAML } from '@node-saml/node-saml';
import { describe, expect, it } from 'vitest';
import { createTestIdp, IDP_SHAPES, loadKeyPair } from '../../support/saml-idp.js';

const sp = { entityId: 'https://sp.example.com/saml', acsUrl: 'https://sp.example.com/acs', sloUrl: 'https://sp.example.com/slo' };
const idp = createTestIdp({ entityId: 'https://idp.example.org/saml', sp });
const encryption = loadKeyPair('sp-encryption');
const user = { id: 'oid-1', email: 'ada@example.com', username: 'ada', firstName: 'Ada', lastName: 'Lovelace', groups: ['g1', 'g2'] };

function bareSp(options: { wantAssertionsSigned: boolean; wantAuthnResponseSigned: boolean }) {
  return new SAML({ callbackUrl: sp.acsUrl, issuer: sp.entityId, audience: sp.entityId, idpCert: idp.certificatePem, decryptionPvk: encryption.privateKeyPem, ...options });
}

describe('the test IdP, checked by bare node-saml', () => {
  for (const sign of ['response', 'assertion', 'both'] as const) {
    for (const algorithm of ['sha256', 'sha1'] as const) {
      for (const encrypt of [undefined, 'aes256-gcm', 'aes256-cbc'] as const) {
        it(`produces a valid response: ${sign} signed, ${algorithm}, ${encrypt ?? 'not encrypted'}`, async () => {
          const shape = IDP_SHAPES.entra(user);
          const SAMLResponse = idp.response({
            sign, algorithm, nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes,
            encryptTo: encrypt && { certificatePem: encryption.certificatePem, algorithm: encrypt },
          });
          const { profile } = await bareSp({ wantAssertionsSigned: sign !== 'response', wantAuthnResponseSigned: sign !== 'assertion' }).validatePostResponseAsync({ SAMLResponse });
          expect(profile?.nameID).toBe(user.email);
          expect(profile?.['http://schemas.microsoft.com/ws/2008/06/identity/claims/groups']).toEqual(user.groups);
        });
      }
    }
  }

  it('signs responses that bare node-saml refuses when tampered after signing', async () => {
    const SAMLResponse = idp.response({ nameId: 'bob', transform: { final: (xml) => xml.replace('>bob<', '>admin<') } });
    await expect(bareSp({ wantAssertionsSigned: true, wantAuthnResponseSigned: true }).validatePostResponseAsync({ SAMLResponse })).rejects.toThrow(/signature/i);
  });

  it('signs HTTP-Redirect LogoutRequests over SAMLRequest, RelayState and SigAlg', async () => {
    const message = idp.logoutRequest({ nameId: 'u-1', sessionIndex: 's-1', binding: 'redirect', relayState: 'r' });
    if (message.binding !== 'redirect') throw new Error('unreachable');
    const query = Object.fromEntries(new URLSearchParams(message.rawQuery));
    const { profile, loggedOut } = await bareSp({ wantAssertionsSigned: true, wantAuthnResponseSigned: false }).validateRedirectAsync(query, message.rawQuery);
    expect(loggedOut).toBe(true);
    expect(profile?.nameID).toBe('u-1');
  });

  it('signs HTTP-POST LogoutRequests', async () => {
    const message = idp.logoutRequest({ nameId: 'u-1', sessionIndex: 's-1', binding: 'post' });
    if (message.binding !== 'post') throw new Error('unreachable');
    const { profile } = await bareSp({ wantAssertionsSigned: true, wantAuthnResponseSigned: false }).validatePostRequestAsync(message.body);
    expect(profile?.nameID).toBe('u-1');
    expect(profile?.sessionIndex).toBe('s-1');
  });

  it('publishes metadata with its signing certificate and endpoints', () => {
    const xml = idp.metadataXml();
    expect(xml).toContain(`entityID="${idp.entityId}"`);
    expect(xml).toContain(idp.certificatePem.split('\n')[1]);
    expect(xml).toContain(`Location="${idp.ssoUrl}"`);
  });
});

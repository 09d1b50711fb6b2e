import { createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSpKeyPair } from '../../../src/connectors/saml/keygen.js';
import { buildRedirectUrl, splitRawQuery, verifyRedirectMessage } from '../../../src/connectors/saml/redirect-binding.js';

let idp: { privateKeyPem: string; certificatePem: string };
let rogue: { privateKeyPem: string; certificatePem: string };
const xml = '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>';
const opts = { allowSha1: false, maxBytes: 65_536 };

beforeAll(async () => {
  [idp, rogue] = await Promise.all([generateSpKeyPair({ commonName: 'idp', bits: 2048 }), generateSpKeyPair({ commonName: 'rogue', bits: 2048 })]);
});

const query = (url: string) => new URL(url).search.slice(1);
const signed = (key = idp.privateKeyPem, relayState = 'r 1/ü') =>
  query(buildRedirectUrl({ endpoint: 'https://sp.example/slo', param: 'SAMLRequest', xml, relayState, privateKey: createPrivateKey(key) }));

describe('HTTP-Redirect binding signatures (bindings §3.4.4.1)', () => {
  it('verifies a message it signed and hands back the XML and RelayState', () => {
    const m = verifyRedirectMessage(signed(), [idp.certificatePem], opts);
    expect(m).toEqual({ param: 'SAMLRequest', xml, relayState: 'r 1/ü' });
  });

  it('accepts a signature by any configured certificate (rollover)', () => {
    expect(verifyRedirectMessage(signed(), [rogue.certificatePem, idp.certificatePem], opts).xml).toBe(xml);
  });

  it('refuses an unsigned message', () => {
    const unsigned = query(buildRedirectUrl({ endpoint: 'https://sp.example/slo', param: 'SAMLRequest', xml, relayState: '' }));
    expect(() => verifyRedirectMessage(unsigned, [idp.certificatePem], opts)).toThrow(/not signed/);
  });

  it('refuses a message signed by a key that is not configured', () => {
    expect(() => verifyRedirectMessage(signed(rogue.privateKeyPem), [idp.certificatePem], opts)).toThrow(/does not verify/);
  });

  it('refuses a changed RelayState', () => {
    const tampered = signed().replace(/RelayState=[^&]*/, 'RelayState=evil');
    expect(() => verifyRedirectMessage(tampered, [idp.certificatePem], opts)).toThrow(/does not verify/);
  });

  it('refuses a duplicated parameter instead of picking one', () => {
    expect(() => splitRawQuery('SAMLRequest=a&SAMLRequest=b')).toThrow(/duplicate SAMLRequest/);
  });

  it('refuses a SHA-1 SigAlg unless allowSha1', () => {
    const sha1 = signed().replace(/SigAlg=[^&]*/, `SigAlg=${encodeURIComponent('http://www.w3.org/2000/09/xmldsig#rsa-sha1')}`);
    expect(() => verifyRedirectMessage(sha1, [idp.certificatePem], opts)).toThrow(/SHA-1 SigAlg/);
  });
});

/**
 * Every SAML response the connector must refuse (issue 3, "Refusals"). Each attack starts from a
 * response the test IdP really signed and changes one thing; each test asserts the error code,
 * the precise reason in `detail` and the warn log line, so none can pass for the wrong reason —
 * and the control test proves the untouched response is accepted by the same configuration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SamlConnectorInput } from '../../../src/connectors/saml/config-schema.js';
import { addBillionLaughs, addDoctypeEntity, applyXsw, EVIL_NAME_ID, fromBase64, injectNameIdComment, padResponse, toBase64, XSW_TARGET, XSW_VARIANTS } from '../../support/saml-attacks.js';
import { loadKeyPair, type ResponseOptions } from '../../support/saml-idp.js';
import { ALICE, createSamlHarness, expectRefused, type SamlHarness } from './harness.js';

const MINUTE = 60_000;
const rogue = loadKeyPair('idp-rogue');
const alice: ResponseOptions = { nameId: ALICE.uid, attributes: ALICE };

let open: SamlHarness[] = [];
async function harness(config: Partial<SamlConnectorInput> = {}): Promise<SamlHarness> {
  const h = await createSamlHarness({ config });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function refuses(h: SamlHarness, samlResponse: string, reason: RegExp): Promise<void> {
  await expectRefused(h, h.connector.finishLogin(samlResponse), reason, 'SAML_INVALID_RESPONSE', samlResponse);
}

describe('the control', () => {
  it('accepts the untouched, signed, solicited response the attacks below start from', async () => {
    const h = await harness();
    const result = await h.connector.finishLogin(await h.solicited(alice));
    expect(result.identity.subject).toBe(ALICE.uid);
    expect(result.identity.email).toBe(ALICE.mail);
  });
});

describe('XML signature wrapping', () => {
  for (const variant of XSW_VARIANTS) {
    const target = XSW_TARGET[variant];
    it(`refuses ${variant} (wrapping the ${target} signature) and never yields the evil identity`, async () => {
      // Only the wrapped signature exists, so the attack is the only thing that can be refused.
      const h = await harness(target === 'response' ? { wantResponseSigned: true, wantAssertionsSigned: false } : {});
      const { requestId } = await h.connector.startLogin('relay-1');
      const xml = h.idp.responseXml({ ...alice, inResponseTo: requestId, sign: target });
      await refuses(h, toBase64(applyXsw(xml, variant)), /assertions; exactly one|not a direct child|signature|ID is not unique/i);
    });
  }
});

describe('comment injection in NameID', () => {
  it(`never reads admin@example.com<!---->.evil.com as ${EVIL_NAME_ID}`, async () => {
    const h = await harness();
    const registered = `${EVIL_NAME_ID}.evil.com`;
    const samlResponse = await h.solicited({
      sign: 'assertion',
      nameId: registered,
      attributes: { ...ALICE, uid: registered, mail: registered },
      transform: { assertion: injectNameIdComment },
    });
    expect(fromBase64(samlResponse)).toContain(`${EVIL_NAME_ID}<!---->.evil.com`);
    const outcome = await h.connector.finishLogin(samlResponse).catch((err: unknown) => err as Error & { code?: string; detail?: string });
    // Refusing because of the comment is fine; accepting is fine only if every value was read whole.
    if (outcome instanceof Error) {
      expect(outcome.code).toBe('SAML_INVALID_RESPONSE');
      expect(outcome.detail).toMatch(/comment/i);
    } else {
      expect(outcome.identity.subject).toBe(registered);
      expect(outcome.identity.email).toBe(registered);
      expect(outcome.session.nameId).toBe(registered);
    }
  });
});

describe('signatures', () => {
  it('refuses an unsigned response when the assertion must be signed', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, sign: 'none' }), /not signed|no signature|unsigned/i);
  });
  it('refuses a response signed only on the Response when the assertion must be signed', async () => {
    const h = await harness({ wantAssertionsSigned: true, wantResponseSigned: false });
    await refuses(h, await h.solicited({ ...alice, sign: 'response' }), /assertion.*(not signed|signature)|(not signed|signature).*assertion/i);
  });
  it('refuses a response signed only on the Assertion when the Response must be signed', async () => {
    const h = await harness({ wantAssertionsSigned: false, wantResponseSigned: true });
    await refuses(h, await h.solicited({ ...alice, sign: 'assertion' }), /response.*(not signed|signature)|(not signed|signature).*response/i);
  });
  it('refuses a signature by an unknown key even when KeyInfo names the configured certificate', async () => {
    const h = await harness();
    const samlResponse = await h.solicited({ ...alice, signingKey: rogue, keyInfoCert: h.idp.certificatePem });
    await refuses(h, samlResponse, /signature|verify/i);
  });
  it('refuses a certificate carried in KeyInfo that is not configured', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, signingKey: rogue }), /signature|verify|certificate/i);
  });
  it('refuses SHA-1 signatures unless allowSha1', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, algorithm: 'sha1' }), /SHA-1/);
  });
  it('accepts SHA-1 signatures when allowSha1 is set', async () => {
    const h = await harness({ allowSha1: true });
    const result = await h.connector.finishLogin(await h.solicited({ ...alice, algorithm: 'sha1' }));
    expect(result.identity.subject).toBe(ALICE.uid);
  });
  it('refuses an AES-CBC encrypted assertion unless allowAesCbc', async () => {
    const h = await harness();
    const encryptTo = { certificatePem: loadKeyPair('sp-encryption').certificatePem, algorithm: 'aes256-cbc' as const };
    await refuses(h, await h.solicited({ ...alice, encryptTo }), /AES-CBC/);
  });
});

describe('structure and status', () => {
  it('refuses two assertions, one signed and one not', async () => {
    const h = await harness({ wantAssertionsSigned: true, wantResponseSigned: false });
    const samlResponse = await h.solicited({ ...alice, sign: 'assertion', assertionCount: 2, secondAssertion: { nameId: EVIL_NAME_ID } });
    await refuses(h, samlResponse, /2 assertions|exactly one/i);
  });
  it('refuses a non-Success Status around a validly signed assertion', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, sign: 'assertion', status: 'Responder', subStatus: 'AuthnFailed' }), /status/i);
  });
  it('refuses a DOCTYPE with an internal entity', async () => {
    const h = await harness();
    const { requestId } = await h.connector.startLogin('relay-1');
    await refuses(h, toBase64(addDoctypeEntity(h.idp.responseXml({ ...alice, inResponseTo: requestId }))), /DOCTYPE|ENTITY/);
  });
  it('refuses billion-laughs entity expansion without expanding it', async () => {
    const h = await harness();
    const { requestId } = await h.connector.startLogin('relay-1');
    await refuses(h, toBase64(addBillionLaughs(h.idp.responseXml({ ...alice, inResponseTo: requestId }))), /DOCTYPE|ENTITY/);
  });
  it('refuses a response over maxResponseBytes', async () => {
    const h = await harness({ maxResponseBytes: 16_384 });
    const { requestId } = await h.connector.startLogin('relay-1');
    await refuses(h, toBase64(padResponse(h.idp.responseXml({ ...alice, inResponseTo: requestId }), 20_000)), /larger than/);
  });
});

describe('addressing', () => {
  it('refuses the wrong Audience', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, audience: 'https://other-sp.example.com' }), /audience/i);
  });
  it('refuses the wrong Destination', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, destination: 'https://other-sp.example.com/acs' }), /Destination/);
  });
  it('refuses the wrong Recipient', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, recipient: 'https://other-sp.example.com/acs' }), /Recipient/);
  });
  it('refuses the wrong assertion Issuer', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, assertionIssuer: 'https://evil.example.net' }), /Issuer/);
  });
  it('refuses the wrong Response Issuer', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, responseIssuer: 'https://evil.example.net' }), /Issuer/);
  });
});

describe('validity window', () => {
  it('refuses an expired assertion', async () => {
    const h = await harness({ clockSkewSeconds: 60 });
    const samlResponse = await h.solicited(alice);
    h.clock.advance(7 * MINUTE); // NotOnOrAfter is issue + 5 min; + 60 s skew is still past it.
    await refuses(h, samlResponse, /expired/);
  });
  it('refuses an assertion that is not yet valid', async () => {
    const h = await harness({ clockSkewSeconds: 60 });
    const issueInstant = new Date(h.clock.now() + 10 * MINUTE);
    await refuses(h, await h.solicited({ ...alice, issueInstant }), /not yet valid/);
  });
  it('refuses an assertion without any NotOnOrAfter', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, notOnOrAfter: null, subjectNotOnOrAfter: null }), /NotOnOrAfter/);
  });
  it('refuses an assertion whose Conditions have no NotOnOrAfter', async () => {
    const h = await harness();
    await refuses(h, await h.solicited({ ...alice, notOnOrAfter: null, subjectNotOnOrAfter: new Date(h.clock.now() + 5 * MINUTE) }), /NotOnOrAfter/);
  });
});

describe('InResponseTo and replay', () => {
  it('refuses an unsolicited response when IdP-initiated login is off', async () => {
    const h = await harness({ allowIdpInitiated: false });
    await refuses(h, h.idp.response(alice), /unsolicited/);
  });
  it('accepts an unsolicited response when IdP-initiated login is on, and says so', async () => {
    const h = await harness({ allowIdpInitiated: true });
    const result = await h.connector.finishLogin(h.idp.response(alice));
    expect(result.unsolicited).toBe(true);
    expect(result.identity.subject).toBe(ALICE.uid);
  });
  it('refuses an InResponseTo that is not a request of ours', async () => {
    const h = await harness();
    await h.connector.startLogin('relay-1');
    await refuses(h, h.idp.response({ ...alice, inResponseTo: '_not-our-request' }), /InResponseTo/);
  });
  it('refuses a solicited response delivered twice', async () => {
    const h = await harness();
    const samlResponse = await h.solicited(alice);
    await h.connector.finishLogin(samlResponse);
    await refuses(h, samlResponse, /InResponseTo|already used|replay/);
  });
  it('refuses a replayed assertion even when IdP-initiated login is on (the assertion-id cache)', async () => {
    const h = await harness({ allowIdpInitiated: true });
    const samlResponse = h.idp.response(alice);
    await h.connector.finishLogin(samlResponse);
    h.clock.advance(2 * MINUTE);
    await refuses(h, samlResponse, /replay|already used/);
  });
});

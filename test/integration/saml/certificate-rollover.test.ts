/** Several IdP signing certificates at once, so an IdP can roll its key without an outage. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadKeyPair } from '../../support/saml-idp.js';
import { ALICE, createSamlHarness, expectRefused, IDP_ENTITY_ID, type SamlHarness } from './harness.js';

const current = loadKeyPair('idp-signing');
const next = loadKeyPair('idp-rollover');
const rogue = loadKeyPair('idp-rogue');

describe('IdP certificate rollover', () => {
  let h: SamlHarness;
  afterEach(async () => { await h?.close(); });

  async function withCertificates(certificates: string[]) {
    h = await createSamlHarness({ config: { idp: { entityId: IDP_ENTITY_ID, ssoUrl: 'https://idp.example.org/sso', certificates } } });
    return h;
  }

  it('accepts responses signed with either configured certificate during a rollover', async () => {
    await withCertificates([current.certificatePem, next.certificatePem]);
    for (const key of [current, next]) {
      const result = await h.connector.finishLogin(await h.solicited({ attributes: ALICE, signingKey: key }));
      expect(result.identity.subject).toBe(ALICE.uid);
    }
  });

  it('refuses the new key until it is configured, and any key that never was', async () => {
    await withCertificates([current.certificatePem]);
    await expectRefused(h, h.connector.finishLogin(await h.solicited({ attributes: ALICE, signingKey: next })), /signature/i);
    await expectRefused(h, h.connector.finishLogin(await h.solicited({ attributes: ALICE, signingKey: rogue, keyInfoCert: rogue.certificatePem })), /signature/i);
  });
});

/**
 * Sign-in with Okta-, OneLogin-, ADFS- and Entra-ID-shaped responses, each with its real attribute
 * names, signed on the Response, the Assertion, both, and with an AES-256-GCM encrypted assertion.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SamlConnectorInput } from '../../../src/connectors/saml/config-schema.js';
import { IDP_SHAPES, loadKeyPair, type ResponseOptions, type ShapeUser } from '../../support/saml-idp.js';
import { createSamlHarness, type SamlHarness } from './harness.js';

const PRESETS = { okta: 'okta', onelogin: 'onelogin', adfs: 'adfs', entra: 'entra-id' } as const;
type ShapeName = keyof typeof PRESETS;

const user: ShapeUser = {
  id: '00u1a2b3c4D5e6F7g8h9',
  email: 'grace@example.com',
  username: 'grace',
  firstName: 'Grace',
  lastName: 'Hopper',
  groups: ['engineering', 'chat-users'],
};

const encryption = loadKeyPair('sp-encryption');
const MODES: Array<{ name: string; config: Partial<SamlConnectorInput>; response: ResponseOptions }> = [
  { name: 'the Response signed', config: { wantResponseSigned: true, wantAssertionsSigned: false }, response: { sign: 'response' } },
  { name: 'the Assertion signed', config: { wantResponseSigned: false, wantAssertionsSigned: true }, response: { sign: 'assertion' } },
  { name: 'both signed', config: { wantResponseSigned: true, wantAssertionsSigned: true }, response: { sign: 'both' } },
  {
    name: 'an AES-256-GCM encrypted, signed assertion',
    config: { wantResponseSigned: false, wantAssertionsSigned: true },
    response: { sign: 'assertion', encryptTo: { certificatePem: encryption.certificatePem, algorithm: 'aes256-gcm' } },
  },
];

let h: SamlHarness;
afterEach(async () => h.close());

async function signIn(shapeName: ShapeName, u: ShapeUser, config: Partial<SamlConnectorInput>, response: ResponseOptions = {}) {
  const shape = IDP_SHAPES[shapeName](u);
  h = await createSamlHarness({ config: { preset: PRESETS[shapeName], attributes: shape.mapping, ...config } });
  const samlResponse = await h.solicited({ nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes, sessionIndex: '_idp-session-7', ...response });
  return { shape, result: await h.connector.finishLogin(samlResponse) };
}

for (const shapeName of Object.keys(PRESETS) as ShapeName[]) {
  describe(`a ${shapeName}-shaped response`, () => {
    for (const mode of MODES) {
      it(`signs the user in with ${mode.name}`, async () => {
        const { shape, result } = await signIn(shapeName, user, mode.config, mode.response);
        expect(result.identity).toMatchObject({
          connectorId: 'corp-sso',
          subject: shape.expectedSubject,
          email: user.email,
          username: shape.expectedUsername,
          firstName: user.firstName,
          lastName: user.lastName,
        });
        expect([...result.identity.groups].sort()).toEqual([...user.groups].sort());
        expect(result.identity.isAdmin ?? false).toBe(false);
        expect(result.identity.isGuest ?? false).toBe(false);
        expect(result.session).toMatchObject({ nameId: shape.nameId, sessionIndex: '_idp-session-7' });
        expect(result.relayState).toBe('relay-1');
        expect(result.unsolicited).toBe(false);
      });
    }

    it('makes the user a system admin through adminAttribute', async () => {
      const shape = IDP_SHAPES[shapeName](user);
      const { result } = await signIn(shapeName, { ...user, roles: ['staff', 'chat-admin'] }, { adminAttribute: `${shape.roleAttribute}=chat-admin` });
      expect(result.identity.isAdmin).toBe(true);
      expect(result.identity.isGuest ?? false).toBe(false);
    });

    it('makes the user a guest through guestAttribute', async () => {
      const shape = IDP_SHAPES[shapeName](user);
      const { result } = await signIn(shapeName, { ...user, roles: ['contractor'] }, { guestAttribute: `${shape.roleAttribute}=contractor`, adminAttribute: `${shape.roleAttribute}=chat-admin` });
      expect(result.identity.isGuest).toBe(true);
      expect(result.identity.isAdmin ?? false).toBe(false);
    });
  });
}

describe('the presets alone', () => {
  // OneLogin's preset has no id attribute and its NameID is an e-mail: it needs attributes.id.
  for (const shapeName of ['okta', 'adfs', 'entra'] as const) {
    it(`map ${shapeName}'s default attribute names without any attributes config`, async () => {
      const shape = IDP_SHAPES[shapeName](user);
      h = await createSamlHarness({ config: { preset: PRESETS[shapeName], attributes: {} } });
      const result = await h.connector.finishLogin(await h.solicited({ nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes }));
      expect(result.identity).toMatchObject({ subject: shape.expectedSubject, email: user.email, firstName: user.firstName, lastName: user.lastName });
      expect([...result.identity.groups].sort()).toEqual([...user.groups].sort());
    });
  }
});

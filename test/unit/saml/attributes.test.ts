import { describe, expect, it } from 'vitest';
import { samlPresetNames } from '../../../src/connectors/saml/config-schema.js';
import {
  loadSamlPreset,
  mapIdentity,
  mergeAttributeMap,
  NAMEID_EMAIL,
  NAMEID_PERSISTENT,
  type AssertedSubject,
} from '../../../src/connectors/saml/attributes.js';

const WS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const cfg = { id: 'entra', adminAttribute: undefined, guestAttribute: undefined };

function entraSubject(extra: Partial<AssertedSubject> = {}): AssertedSubject {
  return {
    nameId: 'grace@example.com',
    nameIdFormat: NAMEID_EMAIL,
    authnContexts: ['urn:oasis:names:tc:SAML:2.0:ac:classes:Password'],
    attributes: {
      'http://schemas.microsoft.com/identity/claims/objectidentifier': ['0b1c2d3e-aaaa-bbbb-cccc-1234567890ab'],
      [`${WS}/emailaddress`]: ['grace@example.com'],
      [`${WS}/name`]: ['grace@example.com'],
      [`${WS}/givenname`]: ['Grace'],
      [`${WS}/surname`]: ['Hopper'],
      'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['g-1', 'g-2', 'g-1'],
    },
    ...extra,
  };
}

describe('presets', () => {
  it('every preset has the same shape: attributes, nameIdFormat, notes', () => {
    for (const name of samlPresetNames) {
      const p = loadSamlPreset(name);
      expect(Object.keys(p).sort(), name).toEqual(['attributes', 'nameIdFormat', 'notes']);
      expect(p.attributes.email, name).toBeTruthy();
    }
  });

  it('lets operator attribute names win over the preset', () => {
    const map = mergeAttributeMap(loadSamlPreset('adfs').attributes, { username: `${WS}/upn` });
    expect(map.username).toBe(`${WS}/upn`);
    expect(map.email).toBe(`${WS}/emailaddress`);
  });
});

describe('mapIdentity', () => {
  const entra = loadSamlPreset('entra-id').attributes;

  it("maps an Entra-shaped assertion with objectidentifier as the stable subject, not the e-mail NameID", () => {
    const id = mapIdentity(cfg, entra, entraSubject());
    expect(id).toMatchObject({
      connectorId: 'entra',
      subject: '0b1c2d3e-aaaa-bbbb-cccc-1234567890ab',
      email: 'grace@example.com',
      emailVerified: true,
      firstName: 'Grace',
      lastName: 'Hopper',
      username: 'grace@example.com',
      amr: ['saml'],
    });
    expect(id.groups).toEqual(['g-1', 'g-2']);
    expect(id.isAdmin).toBeUndefined();
  });

  it('refuses when the configured id attribute is missing rather than falling back to the NameID', () => {
    const s = entraSubject();
    delete s.attributes['http://schemas.microsoft.com/identity/claims/objectidentifier'];
    expect(() => mapIdentity(cfg, entra, s)).toThrow(/no stable id: attribute .*objectidentifier/);
  });

  it('uses a persistent NameID when no id attribute is configured', () => {
    const map = { email: 'mail' };
    const id = mapIdentity(cfg, map, { nameId: 'AbC123==', nameIdFormat: NAMEID_PERSISTENT, authnContexts: [], attributes: { mail: ['a@example.com'] } });
    expect(id.subject).toBe('AbC123==');
  });

  it('refuses an e-mail NameID as the subject', () => {
    expect(() => mapIdentity(cfg, { email: 'mail' }, { nameId: 'a@example.com', nameIdFormat: NAMEID_EMAIL, authnContexts: [], attributes: {} })).toThrow(/no stable id/);
  });

  it('refuses an assertion with no e-mail at all', () => {
    expect(() => mapIdentity(cfg, { email: 'mail' }, { nameId: 'x', nameIdFormat: NAMEID_PERSISTENT, authnContexts: [], attributes: {} })).toThrow(/no e-mail/);
  });

  it('sets isAdmin and isGuest from attr=value rules over multi-valued attributes', () => {
    const s = entraSubject();
    const groups = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
    const rules = { ...cfg, adminAttribute: `${groups}=g-2`, guestAttribute: `${WS}/givenname=Guest` };
    expect(mapIdentity(rules, entra, s)).toMatchObject({ isAdmin: true, isGuest: false });
  });

  it("adds mfa to amr for ADFS's multipleauthn class and Entra's authnmethodsreferences", () => {
    const mfa = 'http://schemas.microsoft.com/claims/multipleauthn';
    expect(mapIdentity(cfg, entra, entraSubject({ authnContexts: [mfa] })).amr).toEqual(['saml', 'mfa']);
    const s = entraSubject();
    s.attributes['http://schemas.microsoft.com/claims/authnmethodsreferences'] = ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password', mfa];
    expect(mapIdentity(cfg, entra, s).amr).toEqual(['saml', 'mfa']);
    expect(mapIdentity(cfg, entra, entraSubject({ authnContexts: ['https://refeds.org/profile/mfa'] })).amr).toEqual(['saml', 'mfa']);
  });

  it('keeps the raw attributes for the security log', () => {
    expect(mapIdentity(cfg, entra, entraSubject()).raw[`${WS}/givenname`]).toEqual(['Grace']);
  });
});

/**
 * What Okta, OneLogin, ADFS and Entra ID put in an assertion by default, so happy-path tests use
 * each IdP's real attribute names. `mapping` is the connector's `attributes` config for that shape.
 *
 * Sources: Entra ID "SAML token claims reference" (learn.microsoft.com/entra/identity-platform/
 * reference-saml-tokens); ADFS's built-in claim types (the ws/2005/05 identity claims, and
 * `http://schemas.xmlsoap.org/claims/Group` for Token-Groups); OneLogin's SAML connector default
 * parameters (`User.email`, `User.FirstName`, `User.LastName`, `memberOf`, `PersonImmutableID`);
 * Okta attribute statements as Mattermost's Okta guide names them (`Id`, `Email`, `Username`,
 * `FirstName`, `LastName`, `Groups`).
 */
import type { NameIdFormat } from './xml.js';

export interface ShapeUser {
  /** The IdP's stable id for the user (Okta user id, OneLogin immutable id, Entra object id…). */
  id: string;
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  groups: string[];
  /** Role values (admin / guest mapping tests). */
  roles?: string[];
}

export interface IdpShape {
  nameId: string;
  nameIdFormat: NameIdFormat;
  attributes: Record<string, string | string[]>;
  /** Connector `attributes` config for this shape (no `id` = the persistent NameID is the id). */
  mapping: { id?: string; email: string; username?: string; firstName: string; lastName: string; groups: string };
  /** The attribute carrying roles, for `adminAttribute: `${roleAttribute}=admin``. */
  roleAttribute: string;
  /** What the connector must report as Identity.subject / username for this user. */
  expectedSubject: string;
  expectedUsername: string;
}

const WS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const MS_ROLE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

function okta(u: ShapeUser): IdpShape {
  // Okta has no default attribute statements; these are the ones Mattermost's Okta guide has
  // admins add (and providers/okta.json expects). Its NameID is the e-mail, Format unspecified.
  return {
    nameId: u.email,
    nameIdFormat: 'unspecified',
    attributes: { Id: u.id, Email: u.email, Username: u.username, FirstName: u.firstName, LastName: u.lastName, Groups: u.groups, Role: u.roles ?? [] },
    mapping: { id: 'Id', email: 'Email', username: 'Username', firstName: 'FirstName', lastName: 'LastName', groups: 'Groups' },
    roleAttribute: 'Role',
    expectedSubject: u.id,
    expectedUsername: u.username,
  };
}

function onelogin(u: ShapeUser): IdpShape {
  return {
    nameId: u.email,
    nameIdFormat: 'emailAddress',
    attributes: {
      PersonImmutableID: u.id,
      'User.email': u.email,
      'User.Username': u.username,
      'User.FirstName': u.firstName,
      'User.LastName': u.lastName,
      memberOf: u.groups,
      'User.Role': u.roles ?? [],
    },
    mapping: { id: 'PersonImmutableID', email: 'User.email', username: 'User.Username', firstName: 'User.FirstName', lastName: 'User.LastName', groups: 'memberOf' },
    roleAttribute: 'User.Role',
    expectedSubject: u.id,
    expectedUsername: u.username,
  };
}

function adfs(u: ShapeUser): IdpShape {
  // ADFS sends a persistent NameID (typically derived from objectGUID) and no separate id claim.
  return {
    nameId: u.id,
    nameIdFormat: 'persistent',
    attributes: {
      [`${WS}/upn`]: `${u.username}@corp.example.com`,
      [`${WS}/emailaddress`]: u.email,
      [`${WS}/givenname`]: u.firstName,
      [`${WS}/surname`]: u.lastName,
      [`${WS}/name`]: u.username,
      'http://schemas.xmlsoap.org/claims/Group': u.groups,
      [MS_ROLE]: u.roles ?? [],
    },
    mapping: { email: `${WS}/emailaddress`, username: `${WS}/name`, firstName: `${WS}/givenname`, lastName: `${WS}/surname`, groups: 'http://schemas.xmlsoap.org/claims/Group' },
    roleAttribute: MS_ROLE,
    expectedSubject: u.id,
    expectedUsername: u.username,
  };
}

function entra(u: ShapeUser): IdpShape {
  // Entra's default NameID is the UPN in emailAddress format — not stable; objectidentifier is.
  return {
    nameId: u.email,
    nameIdFormat: 'emailAddress',
    attributes: {
      'http://schemas.microsoft.com/identity/claims/tenantid': '72f988bf-86f1-41af-91ab-2d7cd011db47',
      'http://schemas.microsoft.com/identity/claims/objectidentifier': u.id,
      'http://schemas.microsoft.com/identity/claims/displayname': `${u.firstName} ${u.lastName}`,
      'http://schemas.microsoft.com/identity/claims/identityprovider': 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
      'http://schemas.microsoft.com/claims/authnmethodsreferences': 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
      [`${WS}/givenname`]: u.firstName,
      [`${WS}/surname`]: u.lastName,
      [`${WS}/emailaddress`]: u.email,
      [`${WS}/name`]: u.email,
      'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': u.groups,
      [MS_ROLE]: u.roles ?? [],
    },
    mapping: {
      id: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
      email: `${WS}/emailaddress`,
      username: `${WS}/name`,
      firstName: `${WS}/givenname`,
      lastName: `${WS}/surname`,
      groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
    },
    roleAttribute: MS_ROLE,
    // Entra's name claim is the UPN (here the e-mail), so that is the username.
    expectedSubject: u.id,
    expectedUsername: u.email,
  };
}

export const IDP_SHAPES = { okta, onelogin, adfs, entra } as const;

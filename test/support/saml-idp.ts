/**
 * A SAML 2.0 identity provider for tests that really signs (xml-crypto, fixed keys from
 * test/fixtures/saml/) and really encrypts. Every knob an attacker or a misconfigured IdP could
 * turn is an option, so each refusal test changes exactly one thing from a valid response.
 *
 *   const idp = createTestIdp({ entityId: 'https://idp.test', sp: { entityId, acsUrl, sloUrl } });
 *   const SAMLResponse = idp.response({ nameId: 'u-1', attributes: IDP_SHAPES.okta(alice).attributes });
 */
import { loadKeyPair, certificateBody } from './saml/keys.js';
import { buildLogoutRequest, buildLogoutResponse, type LogoutMessageOptions, type LogoutRequestOptions, type LogoutResponseOptions, type OutgoingLogout } from './saml/logout.js';
import { encryptAssertion, signElement, type DigestName, type EncryptionAlgorithm, type SigningKey } from './saml/sign.js';
import { assertionXml, escapeXml, NAME_ID_FORMATS, nameIdFormatUri, newId, NS, responseXml, type NameIdFormat, type StatusCode } from './saml/xml.js';

export { IDP_SHAPES, type IdpShape, type ShapeUser } from './saml/shapes.js';
export { loadKeyPair, type KeyPair } from './saml/keys.js';
export { readRedirectMessage, type OutgoingLogout, type ReceivedRedirect } from './saml/logout.js';

export interface TestIdpOptions {
  entityId: string;
  ssoUrl?: string;
  sloUrl?: string;
  /** Defaults for Destination / Recipient / Audience / logout Destination. */
  sp?: { entityId?: string; acsUrl?: string; sloUrl?: string };
  /** The IdP's clock (default `Date.now`); tests pass the same fake clock as the connector. */
  now?: () => number;
  /** Defaults to the fixed `idp-signing` key pair. */
  key?: SigningKey;
}

export interface ResponseOptions {
  /** Response Destination; `null` omits it. Default `sp.acsUrl`. */
  destination?: string | null;
  /** SubjectConfirmationData Recipient; `null` omits it. Default `sp.acsUrl`. */
  recipient?: string | null;
  /** AudienceRestriction; `null` omits it. Default `sp.entityId`. */
  audience?: string | null;
  inResponseTo?: string;
  /** Response Issuer (`null` omits it) and Assertion Issuer, each defaulting to the IdP entity id. */
  responseIssuer?: string | null;
  assertionIssuer?: string;
  nameId?: string;
  nameIdFormat?: NameIdFormat;
  sessionIndex?: string;
  attributes?: Record<string, string | string[]>;
  /** IssueInstant / AuthnInstant. Default: the IdP clock. */
  issueInstant?: Date;
  /** Conditions NotBefore (default now − 1 min) and NotOnOrAfter (default now + 5 min); `null` omits. */
  notBefore?: Date | null;
  notOnOrAfter?: Date | null;
  /** SubjectConfirmationData NotOnOrAfter; defaults to `notOnOrAfter`. */
  subjectNotOnOrAfter?: Date | null;
  authnContextClassRef?: string;
  status?: StatusCode;
  subStatus?: string;
  /** Which elements carry an enveloped signature. Default `'both'`. */
  sign?: 'response' | 'assertion' | 'both' | 'none';
  algorithm?: DigestName;
  /** Encrypt the (already signed) assertion to the SP. */
  encryptTo?: { certificatePem: string; algorithm: EncryptionAlgorithm };
  /** Sign with another key (e.g. `loadKeyPair('idp-rogue')`); KeyInfo then carries its certificate. */
  signingKey?: SigningKey;
  /** Certificate put in KeyInfo regardless of the signing key; `null` sends no KeyInfo. */
  keyInfoCert?: string | null;
  /** 2 adds a second, unsigned assertion (for `secondAssertion` overrides) after the first. */
  assertionCount?: 1 | 2;
  secondAssertion?: { nameId?: string; attributes?: Record<string, string | string[]> };
  assertionId?: string;
  responseId?: string;
  /** Raw XML hooks: before the assertion is signed, before the response is signed, at the very end. */
  transform?: { assertion?: (xml: string) => string; response?: (xml: string) => string; final?: (xml: string) => string };
}

export interface TestIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly certificatePem: string;
  readonly key: SigningKey;
  /** A base64 `SAMLResponse` as the IdP would POST it to the ACS. */
  response(options?: ResponseOptions): string;
  /** The same response as XML, for attack transforms. */
  responseXml(options?: ResponseOptions): string;
  logoutRequest(options: LogoutRequestOptions): OutgoingLogout;
  logoutResponse(options: LogoutResponseOptions): OutgoingLogout;
  metadataXml(options?: { extraCertificates?: string[] }): string;
}

const PASSWORD_PROTECTED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const MINUTE = 60_000;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`test IdP: ${what} not given and no default configured`);
  return value;
}

export function createTestIdp(options: TestIdpOptions): TestIdp {
  const key = options.key ?? loadKeyPair('idp-signing');
  const now = options.now ?? Date.now;
  const ssoUrl = options.ssoUrl ?? `${options.entityId.replace(/\/$/, '')}/sso`;
  const sloUrl = options.sloUrl ?? `${options.entityId.replace(/\/$/, '')}/slo`;
  const sp = options.sp ?? {};

  function buildAssertion(o: ResponseOptions, id: string, overrides: ResponseOptions['secondAssertion'] = {}): string {
    const at = o.issueInstant ?? new Date(now());
    const notOnOrAfter = o.notOnOrAfter === undefined ? new Date(at.getTime() + 5 * MINUTE) : o.notOnOrAfter;
    return assertionXml({
      id,
      issueInstant: at,
      issuer: o.assertionIssuer ?? options.entityId,
      nameId: overrides.nameId ?? o.nameId ?? 'user-0001',
      nameIdFormat: nameIdFormatUri(o.nameIdFormat ?? 'persistent'),
      recipient: o.recipient === undefined ? need(sp.acsUrl, 'recipient') : o.recipient,
      inResponseTo: o.inResponseTo,
      subjectNotOnOrAfter: o.subjectNotOnOrAfter === undefined ? notOnOrAfter : o.subjectNotOnOrAfter,
      notBefore: o.notBefore === undefined ? new Date(at.getTime() - MINUTE) : o.notBefore,
      notOnOrAfter,
      audience: o.audience === undefined ? need(sp.entityId, 'audience') : o.audience,
      sessionIndex: o.sessionIndex ?? `_session-${id.slice(1, 9)}`,
      authnContextClassRef: o.authnContextClassRef ?? PASSWORD_PROTECTED,
      attributes: overrides.attributes ?? o.attributes ?? {},
    });
  }

  function signedAssertion(o: ResponseOptions, sign: ResponseOptions['sign']): string {
    const id = o.assertionId ?? newId();
    let xml = (o.transform?.assertion ?? ((x: string) => x))(buildAssertion(o, id));
    const signing = { key: o.signingKey ?? key, algorithm: o.algorithm ?? 'sha256', keyInfoCert: o.keyInfoCert };
    if (sign === 'assertion' || sign === 'both') xml = signElement(xml, id, signing);
    if (o.encryptTo) xml = encryptAssertion(xml, o.encryptTo.certificatePem, o.encryptTo.algorithm);
    return xml;
  }

  function buildResponse(o: ResponseOptions = {}): string {
    const sign = o.sign ?? 'both';
    const assertions = [signedAssertion(o, sign)];
    if (o.assertionCount === 2) assertions.push(buildAssertion(o, newId(), o.secondAssertion));
    const id = o.responseId ?? newId();
    let xml = responseXml({
      id,
      issueInstant: o.issueInstant ?? new Date(now()),
      issuer: o.responseIssuer === undefined ? options.entityId : o.responseIssuer,
      destination: o.destination === undefined ? need(sp.acsUrl, 'destination') : o.destination,
      inResponseTo: o.inResponseTo,
      status: o.status ?? 'Success',
      subStatus: o.subStatus,
      assertions,
    });
    xml = (o.transform?.response ?? ((x: string) => x))(xml);
    const signing = { key: o.signingKey ?? key, algorithm: o.algorithm ?? 'sha256', keyInfoCert: o.keyInfoCert };
    if (sign === 'response' || sign === 'both') xml = signElement(xml, id, signing);
    return (o.transform?.final ?? ((x: string) => x))(xml);
  }

  const logoutDefaults = (): LogoutMessageOptions => ({ issuer: options.entityId, key, now, destination: sp.sloUrl });

  return {
    entityId: options.entityId,
    ssoUrl,
    sloUrl,
    certificatePem: key.certificatePem,
    key,
    responseXml: buildResponse,
    response: (o) => Buffer.from(buildResponse(o), 'utf8').toString('base64'),
    logoutRequest: (o) => buildLogoutRequest(o, logoutDefaults()),
    logoutResponse: (o) => buildLogoutResponse(o, logoutDefaults()),
    metadataXml: (o = {}) => idpMetadataXml(options.entityId, ssoUrl, sloUrl, [key.certificatePem, ...(o.extraCertificates ?? [])]),
  };
}

function idpMetadataXml(entityId: string, ssoUrl: string, sloUrl: string, certificates: string[]): string {
  const keyDescriptors = certificates
    .map((pem) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  const binding = (b: string) => `urn:oasis:names:tc:SAML:2.0:bindings:${b}`;
  const services = (tag: string, url: string) =>
    ['HTTP-Redirect', 'HTTP-POST'].map((b) => `<md:${tag} Binding="${binding(b)}" Location="${escapeXml(url)}"/>`).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}" entityID="${escapeXml(entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS.protocol}">${keyDescriptors}` +
    `${services('SingleLogoutService', sloUrl)}<md:NameIDFormat>${NAME_ID_FORMATS.persistent}</md:NameIDFormat>` +
    `<md:NameIDFormat>${NAME_ID_FORMATS.emailAddress}</md:NameIDFormat>${services('SingleSignOnService', ssoUrl)}` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/**
 * SAML 2.0 message templates for the test IdP (SAML core §2.3.3 Assertion, §3.2.2 Response,
 * §3.7.1 LogoutRequest). Plain strings, built in schema order, so tampering tests can see exactly
 * what a real IdP would have sent.
 */
import { randomBytes } from 'node:crypto';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
} as const;

export const NAME_ID_FORMATS = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;
/** A short name from NAME_ID_FORMATS, or any full Format URN. */
export type NameIdFormat = keyof typeof NAME_ID_FORMATS | (string & {});

export function nameIdFormatUri(format: NameIdFormat): string {
  return (NAME_ID_FORMATS as Record<string, string>)[format] ?? format;
}

/** Top-level status codes (SAML core §3.2.2.2). */
export type StatusCode = 'Success' | 'Requester' | 'Responder' | 'VersionMismatch';

export function newId(): string {
  // IDs are xs:ID: they must not start with a digit.
  return `_${randomBytes(16).toString('hex')}`;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function isoInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const attr = (name: string, value: string | null | undefined) => (value == null ? '' : ` ${name}="${escapeXml(value)}"`);

export interface AssertionFields {
  id: string;
  issueInstant: Date;
  issuer: string;
  nameId: string;
  nameIdFormat: string;
  recipient: string | null;
  inResponseTo: string | undefined;
  subjectNotOnOrAfter: Date | null;
  notBefore: Date | null;
  notOnOrAfter: Date | null;
  audience: string | null;
  sessionIndex: string;
  authnContextClassRef: string;
  attributes: Record<string, string | string[]>;
}

function subjectXml(f: AssertionFields): string {
  const data =
    `<saml:SubjectConfirmationData${attr('InResponseTo', f.inResponseTo)}` +
    `${attr('NotOnOrAfter', f.subjectNotOnOrAfter && isoInstant(f.subjectNotOnOrAfter))}${attr('Recipient', f.recipient)}/>`;
  return (
    `<saml:Subject><saml:NameID Format="${escapeXml(f.nameIdFormat)}">${escapeXml(f.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">${data}</saml:SubjectConfirmation></saml:Subject>`
  );
}

function conditionsXml(f: AssertionFields): string {
  const audience = f.audience === null ? '' : `<saml:AudienceRestriction><saml:Audience>${escapeXml(f.audience)}</saml:Audience></saml:AudienceRestriction>`;
  return (
    `<saml:Conditions${attr('NotBefore', f.notBefore && isoInstant(f.notBefore))}` +
    `${attr('NotOnOrAfter', f.notOnOrAfter && isoInstant(f.notOnOrAfter))}>${audience}</saml:Conditions>`
  );
}

function attributesXml(attributes: Record<string, string | string[]>): string {
  // An attribute with no values is left out, as IdPs do.
  const entries = Object.entries(attributes).filter(([, v]) => !Array.isArray(v) || v.length > 0);
  if (entries.length === 0) return '';
  const one = ([name, value]: [string, string | string[]]) => {
    const values = (Array.isArray(value) ? value : [value])
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`)
      .join('');
    return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${values}</saml:Attribute>`;
  };
  return `<saml:AttributeStatement>${entries.map(one).join('')}</saml:AttributeStatement>`;
}

export function assertionXml(f: AssertionFields): string {
  const instant = isoInstant(f.issueInstant);
  return (
    `<saml:Assertion xmlns:saml="${NS.assertion}" xmlns:xs="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${f.id}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${escapeXml(f.issuer)}</saml:Issuer>${subjectXml(f)}${conditionsXml(f)}` +
    `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="${escapeXml(f.sessionIndex)}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(f.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>${attributesXml(f.attributes)}</saml:Assertion>`
  );
}

export interface ResponseFields {
  id: string;
  issueInstant: Date;
  issuer: string | null;
  destination: string | null;
  inResponseTo: string | undefined;
  status: StatusCode;
  /** Second-level status, e.g. `AuthnFailed` (SAML core §3.2.2.2). */
  subStatus: string | undefined;
  /** Already-built (signed / encrypted) assertion elements. */
  assertions: string[];
}

function statusXml(status: StatusCode, subStatus: string | undefined): string {
  const sub = subStatus === undefined ? '' : `<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${subStatus}"/>`;
  return `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${status}">${sub}</samlp:StatusCode></samlp:Status>`;
}

export function responseXml(f: ResponseFields): string {
  const issuer = f.issuer === null ? '' : `<saml:Issuer>${escapeXml(f.issuer)}</saml:Issuer>`;
  return (
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${f.id}" Version="2.0" ` +
    `IssueInstant="${isoInstant(f.issueInstant)}"${attr('Destination', f.destination)}${attr('InResponseTo', f.inResponseTo)}>` +
    `${issuer}${statusXml(f.status, f.subStatus)}${f.assertions.join('')}</samlp:Response>`
  );
}

export interface LogoutRequestFields {
  id: string;
  issueInstant: Date;
  issuer: string;
  destination: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string | undefined;
  notOnOrAfter: Date | null;
}

export function logoutRequestXml(f: LogoutRequestFields): string {
  const session = f.sessionIndex === undefined ? '' : `<samlp:SessionIndex>${escapeXml(f.sessionIndex)}</samlp:SessionIndex>`;
  return (
    `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${f.id}" Version="2.0" ` +
    `IssueInstant="${isoInstant(f.issueInstant)}" Destination="${escapeXml(f.destination)}"` +
    `${attr('NotOnOrAfter', f.notOnOrAfter && isoInstant(f.notOnOrAfter))}>` +
    `<saml:Issuer>${escapeXml(f.issuer)}</saml:Issuer>` +
    `<saml:NameID Format="${escapeXml(f.nameIdFormat)}">${escapeXml(f.nameId)}</saml:NameID>${session}</samlp:LogoutRequest>`
  );
}

export interface LogoutResponseFields {
  id: string;
  issueInstant: Date;
  issuer: string;
  destination: string;
  inResponseTo: string;
  status: StatusCode;
}

export function logoutResponseXml(f: LogoutResponseFields): string {
  return (
    `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${f.id}" Version="2.0" ` +
    `IssueInstant="${isoInstant(f.issueInstant)}" Destination="${escapeXml(f.destination)}" InResponseTo="${escapeXml(f.inResponseTo)}">` +
    `<saml:Issuer>${escapeXml(f.issuer)}</saml:Issuer>${statusXml(f.status, undefined)}</samlp:LogoutResponse>`
  );
}

/**
 * The protocol messages the SP sends (SAML core §3.4.1 AuthnRequest, §3.7.1 LogoutRequest,
 * §3.7.2 LogoutResponse), built from plain strings with every value XML-escaped, on the injected
 * clock — so a test's fake time and the message's IssueInstant agree.
 */
import { randomBytes } from 'node:crypto';
import { NS } from './xml-guards.js';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An xs:ID: must start with a letter or underscore (SAML core §1.3.4); 160 random bits. */
export function newMessageId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

export function instant(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

export interface AuthnRequestInput {
  id: string;
  nowMs: number;
  destination: string;
  acsUrl: string;
  spEntityId: string;
  nameIdFormat?: string;
}

export function buildAuthnRequest(r: AuthnRequestInput): string {
  // An unspecified Format is the same as none (core §3.4.1.1); omitting it avoids InvalidNameIDPolicy at some IdPs.
  const format = r.nameIdFormat && r.nameIdFormat !== UNSPECIFIED ? ` Format="${escapeXml(r.nameIdFormat)}"` : '';
  return (
    `<samlp:AuthnRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${r.id}" Version="2.0"` +
    ` IssueInstant="${instant(r.nowMs)}" Destination="${escapeXml(r.destination)}"` +
    ` ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="${escapeXml(r.acsUrl)}">` +
    `<saml:Issuer>${escapeXml(r.spEntityId)}</saml:Issuer>` +
    `<samlp:NameIDPolicy${format} AllowCreate="true"/>` +
    `</samlp:AuthnRequest>`
  );
}

export interface LogoutRequestInput {
  id: string;
  nowMs: number;
  destination: string;
  spEntityId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

export function buildLogoutRequest(r: LogoutRequestInput): string {
  const format = r.nameIdFormat ? ` Format="${escapeXml(r.nameIdFormat)}"` : '';
  const sessionIndex = r.sessionIndex ? `<samlp:SessionIndex>${escapeXml(r.sessionIndex)}</samlp:SessionIndex>` : '';
  return (
    `<samlp:LogoutRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${r.id}" Version="2.0"` +
    ` IssueInstant="${instant(r.nowMs)}" Destination="${escapeXml(r.destination)}">` +
    `<saml:Issuer>${escapeXml(r.spEntityId)}</saml:Issuer>` +
    `<saml:NameID${format}>${escapeXml(r.nameId)}</saml:NameID>${sessionIndex}` +
    `</samlp:LogoutRequest>`
  );
}

export interface LogoutResponseInput {
  id: string;
  nowMs: number;
  destination: string;
  spEntityId: string;
  inResponseTo: string;
  success: boolean;
}

export function buildLogoutResponse(r: LogoutResponseInput): string {
  const status = r.success
    ? `<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>`
    : `<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal"/></samlp:StatusCode>`;
  return (
    `<samlp:LogoutResponse xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${r.id}" Version="2.0"` +
    ` IssueInstant="${instant(r.nowMs)}" Destination="${escapeXml(r.destination)}" InResponseTo="${escapeXml(r.inResponseTo)}">` +
    `<saml:Issuer>${escapeXml(r.spEntityId)}</saml:Issuer><samlp:Status>${status}</samlp:Status>` +
    `</samlp:LogoutResponse>`
  );
}

/**
 * IdP-side Single Logout messages (SAML core §3.7) over HTTP-Redirect (bindings §3.4: DEFLATE,
 * base64, and a detached signature over `SAMLRequest=…&RelayState=…&SigAlg=…`, §3.4.4.1) and
 * HTTP-POST (bindings §3.5: base64, an enveloped signature after the Issuer).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SIGNATURE_ALGORITHMS, signElement, signRedirectQuery, type DigestName, type SigningKey } from './sign.js';
import { logoutRequestXml, logoutResponseXml, nameIdFormatUri, newId, type NameIdFormat, type StatusCode } from './xml.js';

interface CommonLogoutOptions {
  destination?: string;
  binding: 'redirect' | 'post';
  /** Default true; false sends the message with no signature at all. */
  signed?: boolean;
  relayState?: string;
  algorithm?: DigestName;
  signingKey?: SigningKey;
  id?: string;
  /** Raw XML hook applied before signing. */
  transform?: (xml: string) => string;
}

export interface LogoutRequestOptions extends CommonLogoutOptions {
  nameId: string;
  nameIdFormat?: NameIdFormat;
  sessionIndex?: string;
  notOnOrAfter?: Date | null;
}

export interface LogoutResponseOptions extends CommonLogoutOptions {
  inResponseTo: string;
  status?: StatusCode;
}

export interface LogoutMessageOptions {
  issuer: string;
  key: SigningKey;
  now: () => number;
  destination: string | undefined;
}

/** What the IdP sends; `input` is exactly `SamlLogoutInput` from the connector contract. */
export type OutgoingLogout =
  | { binding: 'redirect'; id: string; xml: string; rawQuery: string; url: string; input: { binding: 'redirect'; rawQuery: string } }
  | { binding: 'post'; id: string; xml: string; url: string; body: Record<string, string>; input: { binding: 'post'; body: Record<string, string> } };

function destinationOf(o: CommonLogoutOptions, d: LogoutMessageOptions): string {
  const destination = o.destination ?? d.destination;
  if (destination === undefined) throw new Error('test IdP: logout destination not given and no sp.sloUrl configured');
  return destination;
}

function encode(param: 'SAMLRequest' | 'SAMLResponse', xml: string, id: string, o: CommonLogoutOptions, d: LogoutMessageOptions, url: string): OutgoingLogout {
  const signed = o.signed ?? true;
  const key = o.signingKey ?? d.key;
  const algorithm = o.algorithm ?? 'sha256';
  if (o.binding === 'post') {
    const finalXml = signed ? signElement(xml, id, { key, algorithm }) : xml;
    const body: Record<string, string> = { [param]: Buffer.from(finalXml, 'utf8').toString('base64') };
    if (o.relayState !== undefined) body.RelayState = o.relayState;
    return { binding: 'post', id, xml: finalXml, url, body, input: { binding: 'post', body } };
  }
  const parts = [`${param}=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`];
  if (o.relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(o.relayState)}`);
  if (signed) {
    parts.push(`SigAlg=${encodeURIComponent(SIGNATURE_ALGORITHMS[algorithm])}`);
    parts.push(`Signature=${encodeURIComponent(signRedirectQuery(parts.join('&'), key, algorithm))}`);
  }
  const rawQuery = parts.join('&');
  return { binding: 'redirect', id, xml, rawQuery, url: `${url}?${rawQuery}`, input: { binding: 'redirect', rawQuery } };
}

export function buildLogoutRequest(o: LogoutRequestOptions, d: LogoutMessageOptions): OutgoingLogout {
  const id = o.id ?? newId();
  const destination = destinationOf(o, d);
  const at = new Date(d.now());
  const xml = logoutRequestXml({
    id,
    issueInstant: at,
    issuer: d.issuer,
    destination,
    nameId: o.nameId,
    nameIdFormat: nameIdFormatUri(o.nameIdFormat ?? 'persistent'),
    sessionIndex: o.sessionIndex,
    notOnOrAfter: o.notOnOrAfter === undefined ? new Date(at.getTime() + 5 * 60_000) : o.notOnOrAfter,
  });
  return encode('SAMLRequest', (o.transform ?? ((x) => x))(xml), id, o, d, destination);
}

export function buildLogoutResponse(o: LogoutResponseOptions, d: LogoutMessageOptions): OutgoingLogout {
  const id = o.id ?? newId();
  const destination = destinationOf(o, d);
  const xml = logoutResponseXml({
    id,
    issueInstant: new Date(d.now()),
    issuer: d.issuer,
    destination,
    inResponseTo: o.inResponseTo,
    status: o.status ?? 'Success',
  });
  return encode('SAMLResponse', (o.transform ?? ((x) => x))(xml), id, o, d, destination);
}

/** What the SP sent to the IdP over HTTP-Redirect (an AuthnRequest or a logout message), decoded. */
export interface ReceivedRedirect {
  param: 'SAMLRequest' | 'SAMLResponse';
  xml: string;
  /** The message's ID attribute (to answer with InResponseTo). */
  id: string;
  relayState: string | undefined;
  sigAlg: string | undefined;
  signature: string | undefined;
}

export function readRedirectMessage(url: string): ReceivedRedirect {
  const params = new URL(url).searchParams;
  const param = params.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  const encoded = params.get(param);
  if (encoded === null) throw new Error(`test IdP: no SAMLRequest or SAMLResponse in ${url}`);
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (id === undefined) throw new Error('test IdP: redirect message has no ID');
  return { param, xml, id, relayState: params.get('RelayState') ?? undefined, sigAlg: params.get('SigAlg') ?? undefined, signature: params.get('Signature') ?? undefined };
}

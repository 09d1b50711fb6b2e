/**
 * HTTP-Redirect binding (SAML bindings §3.4): DEFLATE + base64 + URL-encoding, and the query-string
 * signature of §3.4.4.1 — computed over `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as the octets
 * appear in the URL. We verify it ourselves over the raw query: node-saml accepts an unsigned
 * redirect message and finds parameters by substring (STACK.md).
 */
import { createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { decodeSamlMessage, XmlGuardError } from './xml-guards.js';

export const SIG_ALG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
} as const;

const HASH_FOR_SIG_ALG: Record<string, string> = {
  [SIG_ALG.rsaSha256]: 'sha256',
  [SIG_ALG.rsaSha512]: 'sha512',
  [SIG_ALG.ecdsaSha256]: 'sha256',
  [SIG_ALG.rsaSha1]: 'sha1',
};

export type MessageParam = 'SAMLRequest' | 'SAMLResponse';

export interface RedirectMessage {
  endpoint: string;
  param: MessageParam;
  xml: string;
  relayState: string;
  /** Sign with RSA-SHA256 when given. */
  privateKey?: KeyObject;
}

/** Build the redirect URL; the signature covers exactly the encoded parameters we emit. */
export function buildRedirectUrl(m: RedirectMessage): string {
  let query = `${m.param}=${encodeURIComponent(deflateRawSync(Buffer.from(m.xml, 'utf8')).toString('base64'))}`;
  if (m.relayState) query += `&RelayState=${encodeURIComponent(m.relayState)}`;
  if (m.privateKey) {
    query += `&SigAlg=${encodeURIComponent(SIG_ALG.rsaSha256)}`;
    const signature = sign('sha256', Buffer.from(query, 'utf8'), m.privateKey).toString('base64');
    query += `&Signature=${encodeURIComponent(signature)}`;
  }
  return `${m.endpoint}${m.endpoint.includes('?') ? '&' : '?'}${query}`;
}

export function loadPrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

const SAML_PARAMS = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'] as const;
type SamlParam = (typeof SAML_PARAMS)[number];

/** Split the raw query keeping each SAML parameter's octets as sent; duplicates are refused. */
export function splitRawQuery(rawQuery: string): Partial<Record<SamlParam, string>> {
  const out: Partial<Record<SamlParam, string>> = {};
  for (const pair of rawQuery.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (!(SAML_PARAMS as readonly string[]).includes(key)) continue;
    if (out[key as SamlParam] !== undefined) throw new XmlGuardError(`duplicate ${key} parameter`);
    out[key as SamlParam] = eq < 0 ? '' : pair.slice(eq + 1);
  }
  return out;
}

/** URL-decoding as browsers encode forms: `+` is a space (for RelayState); base64 keeps its `+` as %2B. */
function formDecode(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new XmlGuardError('bad URL encoding');
  }
}

export interface VerifiedRedirect {
  param: MessageParam;
  xml: string;
  relayState: string;
}

/**
 * Verify a redirect-binding message's signature against any of the IdP certificates, then
 * decode it. Unsigned messages are refused: incoming logout messages must be signed.
 */
export function verifyRedirectMessage(rawQuery: string, certificates: string[], opts: { allowSha1: boolean; maxBytes: number }): VerifiedRedirect {
  const p = splitRawQuery(rawQuery);
  if ((p.SAMLRequest === undefined) === (p.SAMLResponse === undefined)) throw new XmlGuardError('need exactly one of SAMLRequest and SAMLResponse');
  const param: MessageParam = p.SAMLRequest !== undefined ? 'SAMLRequest' : 'SAMLResponse';
  if (!p.Signature || !p.SigAlg) throw new XmlGuardError('redirect message is not signed (no Signature/SigAlg)');
  const sigAlg = formDecode(p.SigAlg);
  const hash = HASH_FOR_SIG_ALG[sigAlg];
  if (!hash) throw new XmlGuardError(`unsupported SigAlg ${sigAlg}`);
  if (hash === 'sha1' && !opts.allowSha1) throw new XmlGuardError(`SHA-1 SigAlg ${sigAlg} refused (allowSha1 is false)`);
  // §3.4.4.1: the signed octets are the parameters in this order, as they appeared in the URL.
  let signed = `${param}=${p[param]}`;
  if (p.RelayState !== undefined) signed += `&RelayState=${p.RelayState}`;
  signed += `&SigAlg=${p.SigAlg}`;
  const signature = Buffer.from(formDecode(p.Signature).replace(/ /g, '+'), 'base64');
  const ok = certificates.some((cert) => {
    try {
      return verify(hash, Buffer.from(signed, 'utf8'), cert, signature);
    } catch {
      return false;
    }
  });
  if (!ok) throw new XmlGuardError('redirect signature does not verify with any configured IdP certificate');
  const encoded = formDecode(p[param] as string).replace(/ /g, '+');
  return { param, xml: decodeSamlMessage(encoded, opts.maxBytes, true), relayState: p.RelayState ? formDecode(p.RelayState) : '' };
}

/**
 * Guards that run before any XML parser sees a message, and the one DOM parser the connector uses.
 * node-saml 5.1 refuses neither a DOCTYPE nor an over-large inflated message (STACK.md), so these
 * checks are ours.
 */
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
} as const;

/** Thrown by the guards; callers turn it into their GatewayError with the same reason. */
export class XmlGuardError extends Error {
  override readonly name = 'XmlGuardError';
}

const BASE64 = /^[A-Za-z0-9+/\r\n\t ]*={0,2}[\r\n\t ]*$/;

/** Decode base64 after checking the encoded size, so a huge body is never decoded at all. */
export function decodeBase64Capped(encoded: string, maxBytes: number): Buffer {
  // 4 base64 characters carry 3 bytes; allow line breaks some IdPs insert every 64/76 characters.
  if (encoded.length > Math.ceil((maxBytes * 4) / 3) + Math.ceil(maxBytes / 48) + 4) {
    throw new XmlGuardError(`message larger than ${maxBytes} bytes`);
  }
  if (encoded.length === 0 || !BASE64.test(encoded)) throw new XmlGuardError('message is not base64');
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length > maxBytes) throw new XmlGuardError(`message larger than ${maxBytes} bytes`);
  return bytes;
}

/** HTTP-Redirect binding (SAML bindings §3.4.4.1): raw DEFLATE; the output size is capped too. */
export function inflateCapped(deflated: Buffer, maxBytes: number): Buffer {
  try {
    return inflateRawSync(deflated, { maxOutputLength: maxBytes });
  } catch (err) {
    const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test(String(err));
    throw new XmlGuardError(tooBig ? `inflated message larger than ${maxBytes} bytes` : 'message is not valid DEFLATE data');
  }
}

/**
 * SAML core §1.3 and the bindings forbid DTDs in protocol messages; a DOCTYPE is how entity
 * expansion (billion laughs) and external entities get in, so refuse it before parsing.
 */
export function assertNoDoctype(xml: string): void {
  if (/<!\s*DOCTYPE/i.test(xml)) throw new XmlGuardError('DOCTYPE is not allowed');
  if (/<!\s*ENTITY/i.test(xml)) throw new XmlGuardError('ENTITY declarations are not allowed');
}

/** Parse with xmldom, turning every warning-level problem into a refusal (fail closed). */
export function parseXml(xml: string): Document {
  assertNoDoctype(xml);
  const fail = (msg: string): never => {
    throw new XmlGuardError(`malformed XML: ${String(msg).split('\n')[0]}`);
  };
  const doc = new DOMParser({ locator: {}, errorHandler: { warning: fail, error: fail, fatalError: fail } })
    .parseFromString(xml, 'text/xml') as unknown as Document;
  if (!doc || !doc.documentElement) throw new XmlGuardError('malformed XML: no document element');
  return doc;
}

/** Decode (and for redirect, inflate) a SAML message, then refuse DTDs — before any parser. */
export function decodeSamlMessage(encoded: string, maxBytes: number, deflated: boolean): string {
  const raw = decodeBase64Capped(encoded, maxBytes);
  const bytes = deflated ? inflateCapped(raw, maxBytes) : raw;
  const xml = bytes.toString('utf8');
  assertNoDoctype(xml);
  return xml;
}

/** Children of `parent` in namespace `ns` with local name `name` (direct children only). */
export function childElements(parent: Element | Document, ns: string, name: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === ns) out.push(n as Element);
  }
  return out;
}

/** Every descendant element in `ns` named `name`, anywhere below `root`. */
export function descendants(root: Element | Document, ns: string, name: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, name) as unknown as ArrayLike<Element>);
}

/** The full text of an element: every text and CDATA node, comments ignored (no truncation at `<!---->`). */
export function fullText(el: Element): string {
  return (el.textContent ?? '').trim();
}

const SHA1_URIS = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
  'http://www.w3.org/2000/09/xmldsig#sha1',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1',
]);
const CBC_URIS = new Set(['http://www.w3.org/2001/04/xmlenc#aes128-cbc', 'http://www.w3.org/2001/04/xmlenc#aes192-cbc', 'http://www.w3.org/2001/04/xmlenc#aes256-cbc']);
/** Never acceptable: 3DES and RSA PKCS#1 v1.5 key transport (Bleichenbacher-style oracles). */
const FORBIDDEN_ENC_URIS = new Set(['http://www.w3.org/2001/04/xmlenc#tripledes-cbc', 'http://www.w3.org/2001/04/xmlenc#rsa-1_5']);

export interface AlgorithmPolicy {
  allowSha1: boolean;
  allowAesCbc: boolean;
}

/**
 * Look at every SignatureMethod, DigestMethod and EncryptionMethod in the document (signed or not,
 * wherever it sits) and return why it is refused, or null. Checking all of them, not only the one
 * that verified, keeps a weak algorithm from hiding in a second signature.
 */
export function findRefusedAlgorithm(doc: Document | Element, policy: AlgorithmPolicy): string | null {
  for (const name of ['SignatureMethod', 'DigestMethod']) {
    for (const el of descendants(doc, NS.dsig, name)) {
      // A DigestMethod inside xenc:EncryptionMethod is the RSA-OAEP mask digest (SHA-1 by default,
      // XML Encryption §5.4.2), not a signature digest: only Reference digests count here.
      if (name === 'DigestMethod' && (el.parentNode as Element | null)?.localName !== 'Reference') continue;
      const alg = el.getAttribute('Algorithm') ?? '';
      if (SHA1_URIS.has(alg) && !policy.allowSha1) return `SHA-1 ${name} ${alg} refused (allowSha1 is false)`;
    }
  }
  for (const ns of [NS.xenc, NS.dsig, 'http://www.w3.org/2009/xmlenc11#']) {
    for (const el of descendants(doc, ns, 'EncryptionMethod')) {
      const alg = el.getAttribute('Algorithm') ?? '';
      if (FORBIDDEN_ENC_URIS.has(alg)) return `encryption algorithm ${alg} refused`;
      if (CBC_URIS.has(alg) && !policy.allowAesCbc) return `AES-CBC encryption ${alg} refused (allowAesCbc is false)`;
    }
  }
  return null;
}

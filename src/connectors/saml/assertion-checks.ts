/**
 * Checks node-saml leaves to its caller, run on the assertion *as verified* (the signed bytes
 * node-saml hands back), never on the received document: assertion Issuer, a mandatory
 * NotOnOrAfter, the bearer SubjectConfirmation's Recipient, window and InResponseTo
 * (profiles §4.1.4.2–3), and the values the identity is built from (NameID as full text).
 */
import type { SamlAttributes } from './attributes.js';
import { NS, childElements, descendants, fullText, parseXml, XmlGuardError } from './xml-guards.js';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface AssertionPolicy {
  idpEntityId: string;
  acsUrls: string[];
  nowMs: number;
  skewMs: number;
}

export interface CheckedAssertion {
  assertionId: string;
  /** The earliest NotOnOrAfter (Conditions or bearer confirmation), for the replay cache's TTL. */
  notOnOrAfterMs: number;
  /** InResponseTo from the signed SubjectConfirmationData, when it has one. */
  inResponseTo: string | null;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
  authnContexts: string[];
  attributes: SamlAttributes;
}

function fail(reason: string): never {
  throw new XmlGuardError(reason);
}

function time(value: string | null, what: string): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) fail(`${what} is not a valid dateTime`);
  return ms;
}

function checkWindow(el: Element, what: string, p: AssertionPolicy, requireEnd: boolean): number | null {
  const notBefore = time(el.getAttribute('NotBefore'), `${what} NotBefore`);
  const notOnOrAfter = time(el.getAttribute('NotOnOrAfter'), `${what} NotOnOrAfter`);
  if (notBefore !== null && p.nowMs + p.skewMs < notBefore) fail(`${what} not yet valid (NotBefore ${el.getAttribute('NotBefore')})`);
  if (notOnOrAfter === null) {
    if (requireEnd) fail(`${what} has no NotOnOrAfter`);
    return null;
  }
  if (p.nowMs - p.skewMs >= notOnOrAfter) fail(`${what} expired (NotOnOrAfter ${el.getAttribute('NotOnOrAfter')})`);
  return notOnOrAfter;
}

/** Profiles §4.1.4.2: at least one bearer confirmation with our Recipient, a NotOnOrAfter, in its window. */
function checkBearer(subject: Element, p: AssertionPolicy): { notOnOrAfter: number; inResponseTo: string | null } {
  const reasons: string[] = [];
  for (const sc of childElements(subject, NS.assertion, 'SubjectConfirmation')) {
    if (sc.getAttribute('Method') !== BEARER) continue;
    const data = childElements(sc, NS.assertion, 'SubjectConfirmationData')[0];
    if (!data) { reasons.push('bearer confirmation without SubjectConfirmationData'); continue; }
    const recipient = data.getAttribute('Recipient');
    if (!recipient || !p.acsUrls.includes(recipient)) { reasons.push(`Recipient ${recipient ?? '(none)'} is not our ACS URL`); continue; }
    try {
      const end = checkWindow(data, 'SubjectConfirmationData', p, true) as number;
      return { notOnOrAfter: end, inResponseTo: data.getAttribute('InResponseTo') || null };
    } catch (err) {
      reasons.push((err as Error).message);
    }
  }
  return fail(reasons.length ? reasons.join('; ') : 'no bearer SubjectConfirmation');
}

function readAttributes(assertion: Element): SamlAttributes {
  const out: SamlAttributes = {};
  for (const statement of childElements(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attr of childElements(statement, NS.assertion, 'Attribute')) {
      const name = attr.getAttribute('Name');
      if (!name) continue;
      const values = childElements(attr, NS.assertion, 'AttributeValue').map(fullText);
      out[name] = [...(out[name] ?? []), ...values];
    }
  }
  return out;
}

function readAuthn(assertion: Element): { sessionIndex: string; authnContexts: string[] } {
  const statements = childElements(assertion, NS.assertion, 'AuthnStatement');
  if (statements.length === 0) fail('assertion has no AuthnStatement');
  const authnContexts = statements.flatMap((s) => descendants(s, NS.assertion, 'AuthnContextClassRef').map(fullText));
  return { sessionIndex: statements[0]?.getAttribute('SessionIndex') ?? '', authnContexts };
}

export function checkAssertion(verifiedAssertionXml: string, p: AssertionPolicy): CheckedAssertion {
  const assertion = parseXml(verifiedAssertionXml).documentElement;
  if (assertion.localName !== 'Assertion' || assertion.namespaceURI !== NS.assertion) fail('verified content is not a saml:Assertion');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) fail('assertion has no ID');
  const issuer = childElements(assertion, NS.assertion, 'Issuer')[0];
  if (!issuer || fullText(issuer) !== p.idpEntityId) fail(`assertion Issuer ${issuer ? fullText(issuer) : '(none)'} is not the IdP ${p.idpEntityId}`);
  const conditions = childElements(assertion, NS.assertion, 'Conditions');
  if (conditions.length !== 1) fail(`assertion has ${conditions.length} Conditions elements; exactly one is required`);
  const conditionsEnd = checkWindow(conditions[0] as Element, 'Conditions', p, true) as number;
  const subject = childElements(assertion, NS.assertion, 'Subject')[0];
  if (!subject) fail('assertion has no Subject');
  const bearer = checkBearer(subject, p);
  const nameIdEl = childElements(subject, NS.assertion, 'NameID')[0];
  return {
    assertionId,
    notOnOrAfterMs: Math.min(conditionsEnd, bearer.notOnOrAfter),
    inResponseTo: bearer.inResponseTo,
    // fullText: all text nodes, so `admin@example.com<!---->.evil.com` is read whole, never cut at the comment.
    nameId: nameIdEl ? fullText(nameIdEl) : '',
    nameIdFormat: nameIdEl?.getAttribute('Format') ?? '',
    ...readAuthn(assertion),
    attributes: readAttributes(assertion),
  };
}

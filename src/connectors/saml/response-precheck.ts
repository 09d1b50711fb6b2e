/**
 * Checks on the received Response before node-saml verifies signatures: size, base64, DTDs,
 * structure (exactly one assertion anywhere in the document), Status, Destination, Response
 * Issuer and algorithms. Reading the unsigned document is safe here because every check only
 * *refuses*; nothing read here is trusted for the identity.
 */
import { NS, childElements, decodeSamlMessage, descendants, findRefusedAlgorithm, fullText, parseXml, XmlGuardError, type AlgorithmPolicy } from './xml-guards.js';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export interface PrecheckPolicy extends AlgorithmPolicy {
  wantAssertionsSigned: boolean;
  wantResponseSigned: boolean;
  maxBytes: number;
  acsUrls: string[];
  idpEntityId: string;
}

export interface PrecheckedResponse {
  xml: string;
  doc: Document;
  /** The Response's InResponseTo; trusted only once the signed assertion agrees (see assertion checks). */
  inResponseTo: string | null;
  encrypted: boolean;
}

function fail(reason: string): never {
  throw new XmlGuardError(reason);
}

function checkStatus(root: Element): void {
  const status = childElements(root, NS.protocol, 'Status')[0];
  const code = status ? childElements(status, NS.protocol, 'StatusCode')[0]?.getAttribute('Value') : undefined;
  if (!code) fail('Response has no Status/StatusCode');
  if (code !== SUCCESS) {
    const sub = childElements(childElements(status as Element, NS.protocol, 'StatusCode')[0] as Element, NS.protocol, 'StatusCode')[0]?.getAttribute('Value');
    fail(`IdP returned status ${code}${sub ? ` / ${sub}` : ''}`);
  }
}

/** Bindings §3.5.5.2: a signed message MUST carry Destination; when present it must be our ACS. */
function checkDestination(root: Element, acsUrls: string[]): void {
  const destination = root.getAttribute('Destination');
  const signed = childElements(root, NS.dsig, 'Signature').length > 0;
  if (!destination) {
    if (signed) fail('signed Response has no Destination');
    return;
  }
  if (!acsUrls.includes(destination)) fail(`Destination ${destination} is not our ACS URL`);
}

/**
 * One assertion, a direct child of the Response, and no other Assertion or EncryptedAssertion
 * anywhere (inside Extensions, Signature/Object, Advice…): the wrapping attacks XSW1–8 all need a
 * second assertion somewhere, so counting the whole document refuses every variant up front.
 */
function checkSingleAssertion(doc: Document, root: Element): boolean {
  const all = descendants(doc, NS.assertion, 'Assertion').length;
  const encrypted = descendants(doc, NS.assertion, 'EncryptedAssertion').length;
  if (all + encrypted === 0) fail('Response has no Assertion');
  if (all + encrypted > 1) fail(`Response holds ${all + encrypted} assertions; exactly one is allowed`);
  const direct = childElements(root, NS.assertion, 'Assertion').length + childElements(root, NS.assertion, 'EncryptedAssertion').length;
  if (direct !== 1) fail('the Assertion is not a direct child of the Response');
  return encrypted === 1;
}

/**
 * Refuse early, with a clear reason, a message that lacks a signature the policy requires; node-saml
 * then verifies the signatures that are there (it would refuse too, as "Invalid signature").
 */
function checkSignaturePresence(root: Element, policy: PrecheckPolicy, encrypted: boolean): void {
  if (policy.wantResponseSigned && childElements(root, NS.dsig, 'Signature').length === 0) fail('Response is not signed and wantResponseSigned is true');
  const assertion = childElements(root, NS.assertion, 'Assertion')[0];
  // An encrypted assertion's signature is inside the ciphertext; node-saml checks it after decryption.
  if (policy.wantAssertionsSigned && !encrypted && assertion && childElements(assertion, NS.dsig, 'Signature').length === 0) {
    fail('Assertion is not signed and wantAssertionsSigned is true');
  }
}

export function precheckResponse(samlResponse: string, policy: PrecheckPolicy): PrecheckedResponse {
  const xml = decodeSamlMessage(samlResponse.trim(), policy.maxBytes, false);
  const doc = parseXml(xml);
  const root = doc.documentElement;
  if (root.localName !== 'Response' || root.namespaceURI !== NS.protocol) fail(`root element is ${root.localName}, not samlp:Response`);
  if (root.getAttribute('Version') !== '2.0') fail('Response Version is not 2.0');
  checkStatus(root);
  checkDestination(root, policy.acsUrls);
  const issuer = childElements(root, NS.assertion, 'Issuer')[0];
  // Profiles §4.1.4.2: the Response Issuer may be omitted; when present it must be the IdP.
  if (issuer && fullText(issuer) !== policy.idpEntityId) fail(`Response Issuer ${fullText(issuer)} is not the IdP ${policy.idpEntityId}`);
  const encrypted = checkSingleAssertion(doc, root);
  checkSignaturePresence(root, policy, encrypted);
  const weak = findRefusedAlgorithm(doc, policy);
  if (weak) fail(weak);
  return { xml, doc, inResponseTo: root.getAttribute('InResponseTo') || null, encrypted };
}

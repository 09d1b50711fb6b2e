/**
 * Enveloped XML signatures on whole protocol messages (HTTP-POST logout messages, SAML bindings
 * §3.5.4). Verification returns only the bytes the signature covers — callers parse those, never
 * the received document, which is what defeats signature wrapping. Only configured certificates
 * count: a certificate carried in KeyInfo is ignored.
 */
import type { KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { NS, childElements, descendants, parseXml, XmlGuardError } from './xml-guards.js';

/** Verify the signature that is a direct child of the root and references the root; return the signed XML. */
export function verifyRootSignature(xml: string, certificates: string[]): string {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  const signatures = childElements(root, NS.dsig, 'Signature');
  if (signatures.length === 0) throw new XmlGuardError('message is not signed');
  if (signatures.length > 1) throw new XmlGuardError('message has more than one root signature');
  const id = root.getAttribute('ID');
  if (!id) throw new XmlGuardError('signed message has no ID');
  const sameId = descendants(doc, '*', '*').filter((e) => e.getAttribute('ID') === id);
  if (sameId.length !== 1) throw new XmlGuardError('ID is not unique in the message');
  const normalized = xml.replace(/\r\n?/g, '\n');
  for (const publicCert of certificates) {
    const sig = new SignedXml({ publicCert, getCertFromKeyInfo: () => null });
    sig.loadSignature(signatures[0] as Element);
    const refs = sig.getReferences();
    if (refs.length !== 1 || refs[0]?.uri !== `#${id}`) throw new XmlGuardError('signature must reference the message root, once');
    try {
      if (sig.checkSignature(normalized)) {
        const signed = sig.getSignedReferences();
        if (signed.length === 1 && signed[0]) return signed[0];
      }
    } catch {
      // wrong key for this certificate: try the next one (rollover)
    }
  }
  throw new XmlGuardError('signature does not verify with any configured IdP certificate');
}

/** Sign a whole message (RSA-SHA256, exc-c14n), the signature placed right after its Issuer (core §5.4.1). */
export function signRootXml(xml: string, privateKey: KeyObject, certificatePem: string): string {
  const sig = new SignedXml({
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicCert: certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: '/*',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, { location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

/**
 * Real XML signatures and XML encryption for the test IdP: xml-crypto for enveloped signatures
 * (XML-DSig core §6), node:crypto for the HTTP-Redirect binding signature (SAML bindings §3.4.4.1)
 * and for EncryptedAssertion (XML-Enc 1.1 §5.2.4 AES-GCM, §5.2.1 AES-CBC; RSA-OAEP key transport).
 */
import { constants, createCipheriv, publicEncrypt, randomBytes, sign } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { certificateBody } from './keys.js';
import { NS } from './xml.js';

export type DigestName = 'sha256' | 'sha1';

export const SIGNATURE_ALGORITHMS: Record<DigestName, string> = {
  sha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
};
const DIGEST_ALGORITHMS: Record<DigestName, string> = {
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
};
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface SigningKey {
  privateKeyPem: string;
  certificatePem: string;
}

export interface EnvelopedSignatureOptions {
  key: SigningKey;
  algorithm: DigestName;
  /** Certificate to carry in KeyInfo; `null` sends no KeyInfo. Defaults to the signing key's. */
  keyInfoCert?: string | null;
}

/**
 * Sign the element with `ID=id` (enveloped), placing the Signature right after its own Issuer,
 * where SAML core §5.4.1 / the schema puts it (or as the first child when it has no Issuer).
 */
export function signElement(xml: string, id: string, options: EnvelopedSignatureOptions): string {
  const keyInfoCert = options.keyInfoCert === undefined ? options.key.certificatePem : options.keyInfoCert;
  const sig = new SignedXml({
    privateKey: options.key.privateKeyPem,
    signatureAlgorithm: SIGNATURE_ALGORITHMS[options.algorithm],
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: () =>
      keyInfoCert === null ? null : `<ds:X509Data><ds:X509Certificate>${certificateBody(keyInfoCert)}</ds:X509Certificate></ds:X509Data>`,
  });
  sig.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
    digestAlgorithm: DIGEST_ALGORITHMS[options.algorithm],
  });
  const hasIssuer = new RegExp(`ID="${id}"[^>]*>\\s*<(\\w+:)?Issuer[\\s>]`).test(xml);
  const location = hasIssuer
    ? { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' as const }
    : { reference: `//*[@ID='${id}']`, action: 'prepend' as const };
  sig.computeSignature(xml, { prefix: 'ds', location });
  return sig.getSignedXml();
}

/** The `Signature` query parameter of the HTTP-Redirect binding over the exact octets given. */
export function signRedirectQuery(signedOctets: string, key: SigningKey, algorithm: DigestName): string {
  return sign(algorithm === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA1', Buffer.from(signedOctets, 'utf8'), key.privateKeyPem).toString('base64');
}

export type EncryptionAlgorithm = 'aes256-gcm' | 'aes256-cbc';

const ENCRYPTION_URIS: Record<EncryptionAlgorithm, string> = {
  'aes256-gcm': 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
};

function encryptContent(plain: Buffer, key: Buffer, algorithm: EncryptionAlgorithm): Buffer {
  if (algorithm === 'aes256-gcm') {
    // XML-Enc 1.1 §5.2.4: IV (96 bits) || ciphertext || tag (128 bits).
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }
  // §5.2.1: IV (128 bits) || ciphertext, PKCS#7-style padding (node's default).
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
}

/** Wrap a (signed) Assertion into `<saml:EncryptedAssertion>` for the SP's encryption certificate. */
export function encryptAssertion(assertion: string, certificatePem: string, algorithm: EncryptionAlgorithm): string {
  const key = randomBytes(32);
  const wrappedKey = publicEncrypt({ key: certificatePem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key);
  const content = encryptContent(Buffer.from(assertion, 'utf8'), key, algorithm);
  return (
    `<saml:EncryptedAssertion xmlns:saml="${NS.assertion}">` +
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" Type="${NS.xenc}Element">` +
    `<xenc:EncryptionMethod Algorithm="${ENCRYPTION_URIS[algorithm]}"/>` +
    `<ds:KeyInfo xmlns:ds="${NS.dsig}"><xenc:EncryptedKey>` +
    `<xenc:EncryptionMethod Algorithm="${NS.xenc}rsa-oaep-mgf1p"><ds:DigestMethod Algorithm="${NS.dsig}sha1"/></xenc:EncryptionMethod>` +
    `<xenc:CipherData><xenc:CipherValue>${wrappedKey.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${content.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    `</xenc:EncryptedData></saml:EncryptedAssertion>`
  );
}

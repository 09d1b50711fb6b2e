import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSpKeyPair } from '../../../src/connectors/saml/keygen.js';

describe('generateSpKeyPair', () => {
  it('makes a self-signed RSA certificate that matches its private key', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const { privateKeyPem, certificatePem } = await generateSpKeyPair({ commonName: 'chat.example.com', days: 30, bits: 2048, now: () => now });
    const cert = new X509Certificate(certificatePem);
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.subject).toBe('CN=chat.example.com');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(30 * 86_400_000);
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('defaults to RSA-3072', async () => {
    const { privateKeyPem } = await generateSpKeyPair({ commonName: 'sp' });
    expect(createPrivateKey(privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it('refuses an empty common name', async () => {
    await expect(generateSpKeyPair({ commonName: ',=' })).rejects.toThrow(/commonName/);
  });
});

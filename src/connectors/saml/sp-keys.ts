/**
 * The SP's own keys: signing (AuthnRequests, logout messages) and decryption (encrypted
 * assertions). Loaded once at start; a key that does not match its certificate is a config error.
 */
import { readFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { SamlConnectorConfig } from './config-schema.js';

export interface SpKeyPair {
  privateKey: KeyObject;
  privateKeyPem: string;
  certificatePem: string;
}

export interface SpKeys {
  signing: SpKeyPair | null;
  encryption: SpKeyPair | null;
  /** Whether outgoing messages are signed: `sp.signAuthnRequests`, default true when a key exists. */
  signRequests: boolean;
}

/** A config problem with the key path that names it; the caller wraps it as SAML_CONFIG_INVALID. */
export class SpKeyError extends Error {
  override readonly name = 'SpKeyError';
}

async function loadPair(keyFile: string, certFile: string, what: string): Promise<SpKeyPair> {
  const read = async (path: string, key: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new SpKeyError(`sp.${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); make one with \`gatehouse saml keygen\``);
    }
  };
  const keyName = what === 'signing' ? 'privateKeyFile' : 'encryptionPrivateKeyFile';
  const certName = what === 'signing' ? 'certificateFile' : 'encryptionCertificateFile';
  const privateKeyPem = await read(keyFile, keyName);
  const certificatePem = await read(certFile, certName);
  let privateKey: KeyObject;
  let cert: X509Certificate;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch {
    throw new SpKeyError(`sp.${keyName}: ${keyFile} is not a PEM private key`);
  }
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new SpKeyError(`sp.${certName}: ${certFile} is not a PEM certificate`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new SpKeyError(`sp.${keyName}: an RSA key is required (SAML IdPs expect RSA-SHA256)`);
  if (!cert.checkPrivateKey(privateKey)) throw new SpKeyError(`sp.${certName}: certificate does not match sp.${keyName}`);
  return { privateKey, privateKeyPem, certificatePem };
}

export async function loadSpKeys(sp: SamlConnectorConfig['sp']): Promise<SpKeys> {
  const signing = sp.privateKeyFile && sp.certificateFile ? await loadPair(sp.privateKeyFile, sp.certificateFile, 'signing') : null;
  const encryption =
    sp.encryptionPrivateKeyFile && sp.encryptionCertificateFile
      ? await loadPair(sp.encryptionPrivateKeyFile, sp.encryptionCertificateFile, 'encryption')
      : null;
  return { signing, encryption, signRequests: signing !== null && sp.signAuthnRequests !== false };
}

/** The fixed SAML test keys (test/fixtures/saml/, rewritten by its regenerate.ts). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAML_FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/saml');

export interface KeyPair {
  privateKeyPem: string;
  certificatePem: string;
  /** Paths, for connector configs that take files (sp.privateKeyFile etc.). */
  privateKeyFile: string;
  certificateFile: string;
}

export type FixtureKeyName = 'idp-signing' | 'idp-rollover' | 'idp-rogue' | 'sp-signing' | 'sp-encryption';

export function loadKeyPair(name: FixtureKeyName): KeyPair {
  const privateKeyFile = join(SAML_FIXTURES_DIR, `${name}.key`);
  const certificateFile = join(SAML_FIXTURES_DIR, `${name}.crt`);
  return {
    privateKeyFile,
    certificateFile,
    privateKeyPem: readFileSync(privateKeyFile, 'utf8'),
    certificatePem: readFileSync(certificateFile, 'utf8'),
  };
}

/** The base64 body of a PEM certificate, as X509Certificate elements carry it. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

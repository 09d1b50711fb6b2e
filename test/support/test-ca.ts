/**
 * A throwaway test CA for TLS tests (slapd's LDAPS/StartTLS, the SMTP sink's STARTTLS): a CA, a
 * server certificate it signs (SAN IP:127.0.0.1, DNS:localhost) and an unrelated CA for "wrong CA"
 * refusals. Made once per process with openssl (EC P-256, 30 days); nothing is left on disk.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates { caPem: string; otherCaPem: string; serverCertPem: string; serverKeyPem: string }

const OPENSSL = '/usr/bin/openssl';
const OPENSSL_CNF = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

// Made once per process (a few openssl runs): every slapd of this process serves the same certificate.
let certificates: Promise<TestCertificates> | undefined;

export function testCertificates(): Promise<TestCertificates> {
  certificates ??= makeCertificates().catch((error: unknown) => { certificates = undefined; throw error; });
  return certificates;
}

async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-ldap-certs-'));
  const file = (name: string) => join(dir, name);
  const openssl = async (args: string[]) => {
    await new Promise<void>((resolve, reject) => {
      execFile(OPENSSL, args, { timeout: 15_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`openssl ${args[0]} failed: ${err.message}\n${stderr}`)) : resolve()));
    });
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc'];
  const ca = (name: string, cn: string) => openssl(['req', '-config', file('openssl.cnf'), '-x509', '-extensions', 'ca_ext', ...ecKey,
    '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '30', '-subj', `/O=Gatehouse tests/CN=${cn}`]);
  try {
    await writeFile(file('openssl.cnf'), OPENSSL_CNF);
    await Promise.all([
      ca('ca', 'Gatehouse Test CA'),
      ca('other-ca', 'Unrelated Test CA'),
      openssl(['req', '-config', file('openssl.cnf'), '-new', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/O=Gatehouse tests/CN=localhost']),
    ]);
    await openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-days', '30', '-extfile', file('openssl.cnf'), '-extensions', 'server_ext', '-out', file('server.pem')]);
    const [caPem, otherCaPem, serverCertPem, serverKeyPem] = await Promise.all(['ca.pem', 'other-ca.pem', 'server.pem', 'server.key'].map((n) => readFile(file(n), 'utf8')));
    return { caPem: caPem!, otherCaPem: otherCaPem!, serverCertPem: serverCertPem!, serverKeyPem: serverKeyPem! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `gatehouse saml keygen`: an RSA key and a self-signed SP certificate. SAML certificates are
 * trusted by pinning (metadata §2.4.1.1 KeyDescriptor), not by a CA chain, so self-signed is the
 * norm. The certificate is a minimal X.509 v3 (RFC 5280) encoded here in DER and signed with
 * node:crypto: @peculiar/x509 needs a global `reflect-metadata` polyfill, which is not a dependency.
 */
import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

export interface SpKeyPairOptions {
  commonName: string;
  /** Validity in days. Default 3650. */
  days?: number;
  /** RSA modulus length. Default 3072. */
  bits?: 2048 | 3072 | 4096;
  now?: () => number;
}

const generate = promisify(generateKeyPair);

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function positiveInteger(bytes: Buffer): Buffer {
  return tlv(0x02, (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

function name(cn: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
}

function extensions(): Buffer {
  // keyUsage (critical): digitalSignature | keyEncipherment — signing messages, receiving encrypted keys.
  const keyUsage = seq(oid('2.5.29.15'), Buffer.from([0x01, 0x01, 0xff]), tlv(0x04, Buffer.from([0x03, 0x02, 0x05, 0xa0])));
  // basicConstraints: not a CA.
  const basic = seq(oid('2.5.29.19'), tlv(0x04, seq()));
  return tlv(0xa3, seq(keyUsage, basic));
}

function certificate(cn: string, publicKey: KeyObject, privateKey: KeyObject, notBefore: Date, notAfter: Date): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f || 0x01;
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    positiveInteger(serial),
    SHA256_WITH_RSA,
    name(cn),
    seq(time(notBefore), time(notAfter)),
    name(cn),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions(),
  );
  const signature = sign('sha256', tbs, privateKey);
  return seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export async function generateSpKeyPair(options: SpKeyPairOptions): Promise<{ privateKeyPem: string; certificatePem: string }> {
  const cn = options.commonName.replace(/[,=+<>#;"\\]/g, '').trim();
  if (!cn) throw new Error('commonName must not be empty');
  const { publicKey, privateKey } = await generate('rsa', { modulusLength: options.bits ?? 3072 });
  const notBefore = new Date(Math.floor((options.now ?? Date.now)() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + (options.days ?? 3650) * 86_400_000);
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certificatePem: pem('CERTIFICATE', certificate(cn, publicKey, privateKey, notBefore, notAfter)),
  };
}

import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  assertNoDoctype,
  decodeBase64Capped,
  decodeSamlMessage,
  findRefusedAlgorithm,
  fullText,
  inflateCapped,
  parseXml,
} from '../../../src/connectors/saml/xml-guards.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const strict = { allowSha1: false, allowAesCbc: false };

describe('xml guards', () => {
  it('refuses a DOCTYPE before any parser sees it', () => {
    expect(() => assertNoDoctype('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>')).toThrow(/DOCTYPE/);
    expect(() => parseXml('<!doctype r><r/>')).toThrow(/DOCTYPE/);
  });

  it('refuses an ENTITY declaration even without a DOCTYPE keyword', () => {
    expect(() => assertNoDoctype('<r><!ENTITY x "y"></r>')).toThrow(/ENTITY/);
  });

  it('refuses an encoded message larger than the cap without decoding it', () => {
    expect(() => decodeBase64Capped('A'.repeat(20_000), 4096)).toThrow(/larger than 4096/);
  });

  it('refuses text that is not base64', () => {
    expect(() => decodeBase64Capped('<samlp:Response/>', 4096)).toThrow(/not base64/);
  });

  it('accepts base64 with the line breaks IdPs insert', () => {
    const text = 'x'.repeat(300);
    const wrapped = (b64(text).match(/.{1,76}/g) ?? []).join('\r\n');
    expect(decodeBase64Capped(wrapped, 4096).toString()).toBe(text);
  });

  it('caps the inflated size of a redirect-binding message (a deflate bomb)', () => {
    const bomb = deflateRawSync(Buffer.alloc(5_000_000, 0x41));
    expect(bomb.length).toBeLessThan(10_000);
    expect(() => inflateCapped(bomb, 262_144)).toThrow(/inflated message larger than 262144/);
  });

  it('refuses a DOCTYPE hidden inside a base64 message', () => {
    expect(() => decodeSamlMessage(b64('<!DOCTYPE x><x/>'), 4096, false)).toThrow(/DOCTYPE/);
  });

  it('refuses malformed XML instead of guessing', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/malformed XML/);
  });

  it('reads the whole NameID text across a comment (no truncation at <!---->)', () => {
    const doc = parseXml('<NameID>admin@example.com<!---->.evil.com</NameID>');
    expect(fullText(doc.documentElement)).toBe('admin@example.com.evil.com');
  });
});

const sig = (method: string, digest: string) =>
  `<r xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature><ds:SignedInfo><ds:SignatureMethod Algorithm="${method}"/>` +
  `<ds:Reference URI="#x"><ds:DigestMethod Algorithm="${digest}"/></ds:Reference></ds:SignedInfo></ds:Signature></r>`;
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

describe('algorithm policy', () => {
  it('refuses an RSA-SHA1 signature method unless allowSha1', () => {
    const doc = parseXml(sig('http://www.w3.org/2000/09/xmldsig#rsa-sha1', SHA256));
    expect(findRefusedAlgorithm(doc, strict)).toMatch(/SHA-1 SignatureMethod/);
    expect(findRefusedAlgorithm(doc, { ...strict, allowSha1: true })).toBeNull();
  });

  it('refuses a SHA-1 reference digest unless allowSha1', () => {
    expect(findRefusedAlgorithm(parseXml(sig(RSA_SHA256, 'http://www.w3.org/2000/09/xmldsig#sha1')), strict)).toMatch(/SHA-1 DigestMethod/);
  });

  it('accepts RSA-SHA256 with a SHA-256 digest', () => {
    expect(findRefusedAlgorithm(parseXml(sig(RSA_SHA256, SHA256)), strict)).toBeNull();
  });

  const enc = (data: string, key: string) =>
    `<EncryptedAssertion xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedData>` +
    `<xenc:EncryptionMethod Algorithm="${data}"/><ds:KeyInfo><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="${key}">` +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod></xenc:EncryptedKey></ds:KeyInfo></xenc:EncryptedData></EncryptedAssertion>`;
  const OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';

  it('does not mistake the RSA-OAEP mask digest (SHA-1 by default) for a signature digest', () => {
    expect(findRefusedAlgorithm(parseXml(enc('http://www.w3.org/2009/xmlenc11#aes256-gcm', OAEP)), strict)).toBeNull();
  });

  it('refuses AES-CBC unless allowAesCbc', () => {
    const doc = parseXml(enc('http://www.w3.org/2001/04/xmlenc#aes256-cbc', OAEP));
    expect(findRefusedAlgorithm(doc, strict)).toMatch(/AES-CBC/);
    expect(findRefusedAlgorithm(doc, { ...strict, allowAesCbc: true })).toBeNull();
  });

  it('always refuses RSA PKCS#1 v1.5 key transport and 3DES', () => {
    const lax = { allowSha1: true, allowAesCbc: true };
    expect(findRefusedAlgorithm(parseXml(enc('http://www.w3.org/2009/xmlenc11#aes256-gcm', 'http://www.w3.org/2001/04/xmlenc#rsa-1_5')), lax)).toMatch(/rsa-1_5/);
    expect(findRefusedAlgorithm(parseXml(enc('http://www.w3.org/2001/04/xmlenc#tripledes-cbc', OAEP)), lax)).toMatch(/tripledes/);
  });
});

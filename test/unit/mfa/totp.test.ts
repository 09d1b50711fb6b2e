/** TOTP against RFC 6238 Appendix B (SHA-1 secret "12345678901234567890", 6-digit truncation), recovery codes, amr proof. */
import { describe, expect, it } from 'vitest';
import { verifyTotp, otpauthUri, qrCodePng, newTotpSecret } from '../../../src/mfa/totp.js';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes } from '../../../src/mfa/recovery-codes.js';
import { amrProvesMfa } from '../../../src/mfa/policy.js';

// Base32 of the ASCII secret "12345678901234567890" (RFC 6238 Appendix B, SHA-1).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
// The RFC's 8-digit values, last 6 digits (the same HOTP truncation, modulo 10^6).
const VECTORS: [number, string][] = [[59, '287082'], [1111111109, '081804'], [1111111111, '050471'], [1234567890, '005924'], [2000000000, '279037'], [20000000000, '353130']];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at T=%i s the code is %s, at its own time step', async (t, code) => {
    expect(await verifyTotp(RFC_SECRET, code, t * 1000, 0)).toBe(Math.floor(t / 30));
  });
  it('accepts one step either side, not two', async () => {
    const t = 1111111111 * 1000;
    expect(await verifyTotp(RFC_SECRET, '050471', t + 30_000, 0)).toBe(Math.floor(1111111111 / 30));
    expect(await verifyTotp(RFC_SECRET, '050471', t - 30_000, 0)).toBe(Math.floor(1111111111 / 30));
    expect(await verifyTotp(RFC_SECRET, '050471', t + 61_000, 0)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, '050471', t - 61_000, 0)).toBeNull();
  });
  it('refuses a code whose step was already accepted (replay)', async () => {
    const step = Math.floor(1234567890 / 30);
    expect(await verifyTotp(RFC_SECRET, '005924', 1234567890 * 1000, step)).toBeNull();
    expect(await verifyTotp(RFC_SECRET, '005924', 1234567890 * 1000, step - 1)).toBe(step);
  });
  it('refuses malformed codes without asking the library', async () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', '28708 2', '２８７０８２']) expect(await verifyTotp(RFC_SECRET, bad, 59_000, 0)).toBeNull();
  });
  it('makes 160-bit Base32 secrets, an otpauth URI and a PNG QR code', async () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = otpauthUri('Gatehouse', 'alice@example.com', secret);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Gatehouse:alice%40example\.com\?/);
    expect(uri).toContain(`secret=${secret}`);
    expect(Buffer.from(await qrCodePng(uri), 'base64').subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('recovery codes', () => {
  it('are 10 distinct xxxxx-xxxxx codes, hashed per user', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(looksLikeRecoveryCode(c)).toBe(true);
    expect(hashRecoveryCode('u1', codes[0]!)).toBe(hashRecoveryCode('u1', codes[0]!.toUpperCase().replace('-', '')));
    expect(hashRecoveryCode('u1', codes[0]!)).not.toBe(hashRecoveryCode('u2', codes[0]!));
    expect(looksLikeRecoveryCode('123456')).toBe(false);
  });
});

describe('IdP MFA proof (amr)', () => {
  it.each([
    [['saml', 'mfa'], true], [['pwd', 'otp'], true], [['oidc', 'hwk', 'pin'], true],
    [['pwd'], false], [['saml'], false], [['oidc', 'otp'], false], [[], false],
  ])('%j → %s', (amr, proven) => { expect(amrProvesMfa(amr)).toBe(proven); });
});

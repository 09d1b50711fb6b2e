/**
 * TOTP (RFC 6238, SHA-1, 6 digits, 30 s) through otplib 13: secrets, otpauth URIs and QR codes for
 * enrolment, and verification at ±1 time step that reports the step, so a code is accepted once.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const PERIOD_SECONDS = 30;

/** A new 160-bit secret, Base32 (what authenticator apps expect). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(issuer: string, account: string, secret: string): string {
  return generateURI({ issuer, label: account, secret, period: PERIOD_SECONDS, digits: 6, algorithm: 'sha1' });
}

/** PNG QR code of the otpauth URI, base64 (Mattermost's `qr_code` field). */
export async function qrCodePng(uri: string): Promise<string> {
  const dataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  return dataUrl.slice(dataUrl.indexOf(',') + 1);
}

/**
 * The time step the code belongs to when it is valid now (±1 step) and newer than `afterStep`;
 * null otherwise. `nowMs` is the injected clock.
 */
export async function verifyTotp(secret: string, code: string, nowMs: number, afterStep: number): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(nowMs / 1000);
  const result = await verify({
    secret, token: code, epoch, period: PERIOD_SECONDS, epochTolerance: PERIOD_SECONDS,
    ...(afterStep > 0 ? { afterTimeStep: afterStep } : {}),
  });
  if (!result.valid) return null;
  const step = Math.floor(epoch / PERIOD_SECONDS) + result.delta;
  return step > afterStep ? step : null;
}

/**
 * Outgoing-webhook tokens at rest: AES-256-GCM under chat-core's `secretKey`, a random 96-bit IV
 * per seal and the hook id as additional authenticated data, so a sealed token copied onto another
 * hook's row does not open. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url (the gateway's format).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const TAG_BYTES = 16;

function keyOf(secretKey: string): Buffer {
  const key = Buffer.from(secretKey, 'base64');
  if (key.length !== KEY_BYTES) throw new Error('secretKey must be 32 bytes');
  return key;
}

export function sealToken(secretKey: string, hookId: string, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secretKey), iv);
  cipher.setAAD(Buffer.from(hookId, 'utf8'));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The token, or a thrown error when the value was not sealed for this hook under this key. */
export function openToken(secretKey: string, hookId: string, sealed: string): string {
  const [version, iv, tag, body, extra] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined || extra !== undefined) throw new Error('not a sealed token');
  const authTag = Buffer.from(tag, 'base64url');
  // A short tag would be accepted by GCM unless its length is pinned: that weakens forgery resistance.
  if (authTag.length !== TAG_BYTES) throw new Error('not a sealed token');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secretKey), Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(hookId, 'utf8'));
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

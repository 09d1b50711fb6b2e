/**
 * How a callback knows an outgoing-webhook request came from this server.
 *
 * Every request carries the hook's `token` in its payload (as Mattermost does) and, in addition,
 *
 *     X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key = token, message = "<t>.<raw body>")>
 *
 * To verify: take `t` and `v1` from the header; compute HMAC-SHA256 over the ASCII `t`, a `.`, and the
 * raw request body exactly as received (before any form or JSON parsing), keyed with the hook's token
 * (UTF-8); compare with `v1` in constant time; refuse when `t` is more than a few minutes from your clock
 * (a replayed request keeps its old `t`, and changing `t` breaks the signature). Regenerating the token
 * (`POST /api/v4/hooks/outgoing/{id}/regen_token`) changes the key at once.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Gatehouse-Signature';

export function signatureOf(token: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', token).update(`${timestampSeconds}.${body}`).digest('hex');
}

export function signatureHeaderValue(token: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${signatureOf(token, timestampSeconds, body)}`;
}

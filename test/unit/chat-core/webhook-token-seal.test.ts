import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openToken, sealToken } from '../../../chat-core/src/webhooks/token-seal.js';
import { signatureHeaderValue, signatureOf } from '../../../chat-core/src/webhooks/signature.js';

const key = randomBytes(32).toString('base64');
const hookId = 'a'.repeat(26);
const token = 'b'.repeat(26);

describe('sealed outgoing-webhook tokens', () => {
  it('opens what it sealed, with a fresh IV each time and no clear text inside', () => {
    const one = sealToken(key, hookId, token);
    const two = sealToken(key, hookId, token);
    expect(one).not.toBe(two);
    expect(one).not.toContain(token);
    expect(openToken(key, hookId, one)).toBe(token);
    expect(openToken(key, hookId, two)).toBe(token);
  });

  it('refuses another hook id (the id is authenticated data), another key, and any tampering', () => {
    const sealed = sealToken(key, hookId, token);
    expect(() => openToken(key, 'c'.repeat(26), sealed)).toThrow();
    expect(() => openToken(randomBytes(32).toString('base64'), hookId, sealed)).toThrow();
    const [v, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openToken(key, hookId, [v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    // A shortened tag would weaken GCM: refused outright.
    const shortTag = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => openToken(key, hookId, [v, iv, shortTag, body].join('.'))).toThrow();
    for (const junk of ['', 'v1', 'v2.a.b.c', `${sealed}.extra`]) expect(() => openToken(key, hookId, junk)).toThrow();
  });
});

describe('the X-Gatehouse-Signature value', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 keyed with the token over "<t>.<body>">', () => {
    // Independently computed: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret-token
    expect(signatureOf('secret-token', 1_700_000_000, '{"a":1}')).toBe('5f41bf25e13baafd84aaf59392ad5b9942b376ed54a5252bfd5a40a2b7ddb7d8');
    expect(signatureHeaderValue('secret-token', 1_700_000_000, 'x=1')).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(signatureOf('secret-token', 1, 'body')).not.toBe(signatureOf('secret-token', 2, 'body'));
    expect(signatureOf('secret-token', 1, 'body')).not.toBe(signatureOf('other-token', 1, 'body'));
  });
});

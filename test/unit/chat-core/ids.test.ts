import { describe, expect, it } from 'vitest';
import { isExternalId, isId, newId } from '../../../chat-core/src/store/ids.js';

describe('Mattermost-style ids', () => {
  it('are always 26 characters of Mattermost\'s base32 alphabet', () => {
    for (let i = 0; i < 2000; i += 1) expect(newId()).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{26}$/);
  });

  it('do not repeat', () => {
    const ids = new Set(Array.from({ length: 5000 }, newId));
    expect(ids.size).toBe(5000);
  });

  it('tell minted ids from gateway ids and from junk', () => {
    expect(isId(newId())).toBe(true);
    expect(isId('A'.repeat(26))).toBe(false);
    expect(isId('abc')).toBe(false);
    expect(isExternalId('user-42_x')).toBe(true);
    for (const junk of ['', '__proto__', '../x', 'a b', 'x'.repeat(65), 42]) expect(isExternalId(junk)).toBe(false);
  });
});

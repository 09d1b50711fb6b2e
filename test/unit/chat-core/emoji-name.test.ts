import { describe, expect, it } from 'vitest';
import { isEmojiName, requireCustomEmojiName } from '../../../chat-core/src/emoji/emoji-name.js';
import { ChatError } from '../../../chat-core/src/http/chat-error.js';

const refusal = (name: unknown): string | undefined => {
  try {
    requireCustomEmojiName(name);
    return undefined;
  } catch (error) {
    return (error as ChatError).id;
  }
};

describe('emoji names', () => {
  it('accepts letters, digits, "-", "+" and "_" up to 64 characters', () => {
    for (const name of ['party_parrot', 'Ship-It', 'a+b', '1', 'x'.repeat(64)]) expect(isEmojiName(name)).toBe(true);
  });

  it('refuses empty, over-long and out-of-alphabet names', () => {
    for (const name of ['', 'x'.repeat(65), 'with space', 'colon:name', 'dot.name', 'émoji', '<script>', 'nul\u0000', 42, null]) {
      expect(isEmojiName(name)).toBe(false);
      expect(refusal(name)).toBe('model.emoji.name.app_error');
    }
  });

  it('refuses the names of common system emoji for a custom emoji', () => {
    for (const name of ['smile', '+1', '-1', 'thumbsup', 'heart', 'tada', 'fire', '100']) {
      expect(refusal(name)).toBe('model.emoji.system_emoji_name.app_error');
    }
    expect(refusal('smile_custom')).toBeUndefined();
  });
});

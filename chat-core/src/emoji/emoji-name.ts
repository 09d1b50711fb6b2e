/** Emoji names as Mattermost accepts them: letters, digits, `-`, `+`, `_`; 1–64 characters. */
import { badRequest } from '../http/chat-error.js';
import { isSystemEmojiName } from './system-emoji.js';

/** Mattermost's EmojiNameMaxLength. */
export const EMOJI_NAME_MAX_LENGTH = 64;
const EMOJI_NAME_PATTERN = /^[a-zA-Z0-9+_-]+$/;

/** True for a name a reaction or an emoji look-up may use (system or custom). */
export function isEmojiName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= EMOJI_NAME_MAX_LENGTH && EMOJI_NAME_PATTERN.test(value);
}

/** A name a new custom emoji may take: well formed and not a system emoji's (model.IsValidEmojiName). */
export function requireCustomEmojiName(value: unknown): string {
  if (!isEmojiName(value)) {
    throw badRequest('model.emoji.name.app_error', 'Name must be 1 to 64 characters: letters, digits, "-", "+" or "_".');
  }
  if (isSystemEmojiName(value)) {
    throw badRequest('model.emoji.system_emoji_name.app_error', 'That name belongs to a system emoji: choose another.');
  }
  return value;
}

/** Small helpers for validating request bodies. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Length in Unicode code points, as Mattermost counts runes. */
export function runeLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** True when `text` has at most `max` code points, without counting short strings. */
export function fitsRunes(text: string, max: number): boolean {
  return text.length <= max || runeLength(text) <= max;
}

/**
 * True when the text can be stored as-is: PostgreSQL text cannot hold U+0000, so a NUL would
 * turn bad input into a 500 on one dialect and not the other.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000');
}

/** True when arrays/objects nest at most `limit` levels deep; stops as soon as the limit is passed. */
export function nestsWithin(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (limit <= 0) return false;
  for (const child of Object.values(value)) if (!nestsWithin(child, limit - 1)) return false;
  return true;
}

/**
 * Mattermost's search language, parsed into a small syntax tree (after Mattermost's
 * `model.ParseSearchParams`). The tree holds plain text only: the dialect code turns each text
 * term into a quoted FTS5 string or a bound tsquery argument, so nothing a user types is ever
 * read as query syntax.
 *
 *   word           words are ANDed (ORed with is_or_search)
 *   "a phrase"     the words next to each other, in this order
 *   -word -"a b"   posts without it
 *   prefix*        words starting with "prefix"
 *   from:alice     posts by alice (several from: are ORed); -from: excludes
 *   in:town-square / in:~town-square / channel:x     a channel by name; in:@bob the DM with bob,
 *                  in:@bob,carol the group message with exactly them; -in: excludes
 *   before:/after:/on:YYYY-MM-DD   dates in the caller's time zone; -on: etc. exclude
 */

export type TextTerm =
  | { kind: 'word'; text: string; prefix: boolean }
  | { kind: 'phrase'; text: string };

export type ChannelRef =
  | { kind: 'name'; name: string }
  /** The direct (one name) or group channel of the caller and exactly these users. */
  | { kind: 'direct'; usernames: string[] };

export type DateFlag = 'before' | 'after' | 'on';

export interface DateFilter {
  flag: DateFlag;
  year: number;
  month: number;
  day: number;
  exclude: boolean;
}

export interface SearchTerms {
  include: TextTerm[];
  exclude: TextTerm[];
  fromUsers: string[];
  excludedUsers: string[];
  inChannels: ChannelRef[];
  excludedChannels: ChannelRef[];
  dates: DateFilter[];
}

/** A term the caller must fix (a malformed date); `flag` names it. */
export class SearchTermsError extends Error {
  override readonly name = 'SearchTermsError';
  constructor(readonly flag: string, message: string) {
    super(message);
  }
}

interface RawWord {
  text: string;
  quoted: boolean;
  exclude: boolean;
}

const FLAGS = new Set(['from', 'in', 'channel', 'before', 'after', 'on', 'ext']);
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;
const LEADING_NOISE = /^[^\p{L}\p{N}\p{M}]+/u;
const TRAILING_NOISE = /[^\p{L}\p{N}\p{M}]+$/u;
const TRAILING_BEFORE_STAR = /[^\p{L}\p{N}\p{M}*]+$/u;
const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** Bare words and quoted phrases, in order. A quote with no partner is dropped, never an error. */
function splitWords(input: string): RawWord[] {
  const words: RawWord[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i]!;
    if (/\s/u.test(char)) {
      i += 1;
      continue;
    }
    const opensPhrase = char === '"' || (char === '-' && input[i + 1] === '"');
    if (opensPhrase) {
      const exclude = char === '-';
      const start = i + (exclude ? 2 : 1);
      const close = input.indexOf('"', start);
      if (close !== -1) {
        words.push({ text: input.slice(start, close), quoted: true, exclude });
        i = close + 1;
        continue;
      }
      i = start;
      continue;
    }
    let end = i;
    while (end < input.length && input[end] !== '"' && !/\s/u.test(input[end]!)) end += 1;
    words.push({ text: input.slice(i, end), quoted: false, exclude: false });
    i = end;
  }
  return words;
}

/** Edge punctuation goes (as in Mattermost); a trailing `*` makes the word a prefix. */
function textTerm(word: RawWord): TextTerm | undefined {
  if (word.quoted) {
    const text = word.text.trim();
    return HAS_WORD_CHARACTER.test(text) ? { kind: 'phrase', text } : undefined;
  }
  let text = word.text.replace(/"/g, '').replace(LEADING_NOISE, '').replace(TRAILING_BEFORE_STAR, '');
  const prefix = text.endsWith('*');
  text = text.replace(TRAILING_NOISE, '');
  return HAS_WORD_CHARACTER.test(text) ? { kind: 'word', text, prefix } : undefined;
}

function parseDate(flag: DateFlag, value: string, exclude: boolean): DateFilter {
  const match = DATE.exec(value);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (!match || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new SearchTermsError(flag, `${flag}: needs a calendar date written YYYY-MM-DD, e.g. ${flag}:2025-01-31.`);
  }
  return { flag, year, month, day, exclude };
}

function channelRef(value: string): ChannelRef | undefined {
  if (value.startsWith('@')) {
    const usernames = value.slice(1).split(',').map((name) => name.replace(/^@/, '').toLowerCase()).filter((name) => name !== '');
    return usernames.length > 0 ? { kind: 'direct', usernames } : undefined;
  }
  const name = value.replace(/^~/, '').toLowerCase();
  return name !== '' ? { kind: 'name', name } : undefined;
}

function applyFlag(terms: SearchTerms, name: string, value: string, exclude: boolean): void {
  switch (name) {
    case 'from': {
      const username = value.replace(/^@/, '').toLowerCase();
      if (username !== '') (exclude ? terms.excludedUsers : terms.fromUsers).push(username);
      return;
    }
    case 'in':
    case 'channel': {
      const ref = channelRef(value);
      if (ref) (exclude ? terms.excludedChannels : terms.inChannels).push(ref);
      return;
    }
    case 'before':
    case 'after':
    case 'on':
      terms.dates.push(parseDate(name, value, exclude));
      return;
    default:
      // ext: filters file searches; posts have no extension, so it narrows nothing here.
      return;
  }
}

/** `name:value`, `-name:value` or `name: value` (the value in the next word); undefined when not a flag. */
function flagOf(words: RawWord[], index: number): { name: string; value: string; exclude: boolean; consumed: number } | undefined {
  const word = words[index]!;
  const colon = word.text.indexOf(':');
  if (word.quoted || colon === -1) return undefined;
  const exclude = word.text.startsWith('-');
  const name = word.text.slice(exclude ? 1 : 0, colon).toLowerCase();
  if (!FLAGS.has(name)) return undefined;
  const value = word.text.slice(colon + 1);
  if (value !== '') return { name, value, exclude, consumed: 1 };
  const next = words[index + 1];
  if (next && !next.quoted) return { name, value: next.text, exclude, consumed: 2 };
  return { name, value: '', exclude, consumed: 1 };
}

/** Parses the `terms` of a search request; throws SearchTermsError for a malformed date. */
export function parseSearchTerms(input: string): SearchTerms {
  const terms: SearchTerms = { include: [], exclude: [], fromUsers: [], excludedUsers: [], inChannels: [], excludedChannels: [], dates: [] };
  const words = splitWords(input);
  for (let i = 0; i < words.length;) {
    const flag = flagOf(words, i);
    if (flag) {
      if (flag.value !== '') applyFlag(terms, flag.name, flag.value, flag.exclude);
      i += flag.consumed;
      continue;
    }
    const word = words[i]!;
    const exclude = word.exclude || (!word.quoted && word.text.startsWith('-'));
    const term = textTerm(word);
    if (term) (exclude ? terms.exclude : terms.include).push(term);
    i += 1;
  }
  return terms;
}

/**
 * True when there is something to look for: a word or phrase, or a filter. Exclusions alone match
 * nothing (as in Mattermost) rather than every post but a few.
 */
export function hasCriteria(terms: SearchTerms): boolean {
  return terms.include.length > 0 || terms.fromUsers.length > 0 || terms.excludedUsers.length > 0
    || terms.inChannels.length > 0 || terms.excludedChannels.length > 0 || terms.dates.length > 0;
}

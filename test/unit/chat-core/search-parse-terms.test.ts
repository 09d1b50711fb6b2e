import { describe, expect, it } from 'vitest';
import { hasCriteria, parseSearchTerms, SearchTermsError, type SearchTerms } from '../../../chat-core/src/search/parse-terms.js';
import { createAtBounds } from '../../../chat-core/src/search/search-dates.js';
import { ftsQuery } from '../../../chat-core/src/search/text-match.js';

const empty: SearchTerms = { include: [], exclude: [], fromUsers: [], excludedUsers: [], inChannels: [], excludedChannels: [], dates: [] };
const word = (text: string, prefix = false) => ({ kind: 'word' as const, text, prefix });
const phrase = (text: string) => ({ kind: 'phrase' as const, text });

describe('parseSearchTerms', () => {
  it('reads words, quoted phrases, exclusions and trailing-star prefixes', () => {
    expect(parseSearchTerms('deploy "release notes" -staging -"old build" data*')).toEqual({
      ...empty,
      include: [word('deploy'), phrase('release notes'), word('data', true)],
      exclude: [word('staging'), phrase('old build')],
    });
  });

  it('strips edge punctuation as Mattermost does, keeping the inside of a word', () => {
    expect(parseSearchTerms('(hello), world! #release foo-bar o\'neil...').include)
      .toEqual([word('hello'), word('world'), word('release'), word('foo-bar'), word('o\'neil')]);
  });

  it('keeps non-Latin words and their combining marks whole', () => {
    expect(parseSearchTerms('Привет नमस्ते 東京 café').include).toEqual([word('Привет'), word('नमस्ते'), word('東京'), word('café')]);
  });

  it('reads from:, in:, channel:, in:@ and their exclusions, case-insensitively, with or without a space', () => {
    expect(parseSearchTerms('From:@Alice from: bob -from:carol in:~Town-Square channel:ops -in:random in:@dave in:@erin,@frank')).toEqual({
      ...empty,
      fromUsers: ['alice', 'bob'],
      excludedUsers: ['carol'],
      inChannels: [{ kind: 'name', name: 'town-square' }, { kind: 'name', name: 'ops' }, { kind: 'direct', usernames: ['dave'] },
        { kind: 'direct', usernames: ['erin', 'frank'] }],
      excludedChannels: [{ kind: 'name', name: 'random' }],
    });
  });

  it('reads dates, padding one-digit months and days, and refuses a date that is not one', () => {
    expect(parseSearchTerms('on:2025-1-5 before:2025-02-28 -after:2024-12-31').dates).toEqual([
      { flag: 'on', year: 2025, month: 1, day: 5, exclude: false },
      { flag: 'before', year: 2025, month: 2, day: 28, exclude: false },
      { flag: 'after', year: 2024, month: 12, day: 31, exclude: true },
    ]);
    for (const bad of ['on:2025-02-30', 'before:yesterday', 'after:2025/01/01', 'on:20250101', 'before:2025-13-01', 'after:2025-01-01x']) {
      expect(() => parseSearchTerms(bad)).toThrow(SearchTermsError);
    }
  });

  it('treats unknown flags and operator look-alikes as plain words, never as syntax', () => {
    const terms = parseSearchTerms('message:foo NEAR(a b) a OR ^foo {col}:x AND NOT');
    expect(terms.include).toEqual([word('message:foo'), word('NEAR(a'), word('b'), word('a'), word('OR'), word('foo'), word('col}:x'),
      word('AND'), word('NOT')]);
    expect(terms.exclude).toEqual([]);
  });

  it('drops an unbalanced quote and words with nothing to match, such as a lone star', () => {
    expect(parseSearchTerms('"unbalanced phrase').include).toEqual([word('unbalanced'), word('phrase')]);
    expect(parseSearchTerms('* ** -* !!! "" " " -"').include).toEqual([]);
    expect(parseSearchTerms('a"b c"d').include).toEqual([word('a'), phrase('b c'), word('d')]);
  });

  it('ignores a flag with no value and the file-only ext: flag', () => {
    expect(parseSearchTerms('from:')).toEqual(empty);
    expect(parseSearchTerms('ext:pdf')).toEqual(empty);
  });

  it('says a search of exclusions alone has nothing to look for, while a filter alone has', () => {
    expect(hasCriteria(parseSearchTerms('-secret'))).toBe(false);
    expect(hasCriteria(parseSearchTerms('from:alice'))).toBe(true);
    expect(hasCriteria(parseSearchTerms('-from:alice'))).toBe(true);
    expect(hasCriteria(parseSearchTerms('hello'))).toBe(true);
  });
});

describe('createAtBounds', () => {
  const jan15 = Date.UTC(2025, 0, 15);
  const day = 86_400_000;

  it('turns on:, after: and before: into the caller\'s days, as Mattermost does', () => {
    expect(createAtBounds(parseSearchTerms('on:2025-01-15').dates, 0)).toEqual({ include: { from: jan15, to: jan15 + day }, exclude: [] });
    expect(createAtBounds(parseSearchTerms('after:2025-01-15').dates, 0).include).toEqual({ from: jan15 + day });
    expect(createAtBounds(parseSearchTerms('before:2025-01-15').dates, 0).include).toEqual({ to: jan15 });
  });

  it('shifts days by the time zone offset (seconds east of UTC)', () => {
    // UTC+2: the local day starts two hours before midnight UTC.
    expect(createAtBounds(parseSearchTerms('on:2025-01-15').dates, 7200).include).toEqual({ from: jan15 - 7_200_000, to: jan15 + day - 7_200_000 });
    expect(createAtBounds(parseSearchTerms('on:2025-01-15').dates, -18_000).include?.from).toBe(jan15 + 18_000_000);
  });

  it('intersects several dates and keeps excluded ones apart', () => {
    expect(createAtBounds(parseSearchTerms('after:2025-01-10 before:2025-01-20 -on:2025-01-15').dates, 0)).toEqual({
      include: { from: Date.UTC(2025, 0, 11), to: Date.UTC(2025, 0, 20) },
      exclude: [{ from: jan15, to: jan15 + day }],
    });
  });
});

describe('ftsQuery', () => {
  it('quotes every term, doubling quotes, with the operators its own', () => {
    expect(ftsQuery([word('a'), phrase('b c'), word('pre', true)], false)).toBe('(("a") AND ("b c") AND ("pre" *))');
    expect(ftsQuery([word('x"y'), word('NEAR(z')], true)).toBe('(("x""y") OR ("NEAR(z"))');
  });
});

/**
 * The body of POST …/posts/search (Mattermost's SearchParameter): `{terms, is_or_search,
 * time_zone_offset, include_deleted_channels, page, per_page}`. A field of the wrong type is
 * `api.post.search_posts.invalid_body.app_error` (Mattermost's answer when the JSON does not
 * decode); a value out of range is `api.context.invalid_body_param.app_error` (its SetInvalidParam),
 * each with a message that says how to fix it.
 */
import { badRequest, type ChatError } from '../http/chat-error.js';
import { fitsRunes, isPlainObject, isStorableText } from '../http/validation.js';
import { parseSearchTerms, SearchTermsError, type SearchTerms } from './parse-terms.js';

export const MAX_TERMS_LENGTH = 1000;
export const DEFAULT_SEARCH_PER_PAGE = 60;
export const MAX_SEARCH_PER_PAGE = 200;
/** Past this the page lies beyond anything a person pages to; refused rather than scanned. */
export const MAX_SEARCH_PAGE = 10_000;
/** UTC−12 … UTC+14, in seconds. */
const MAX_OFFSET_SECONDS = 14 * 3600;

export interface SearchBody {
  terms: SearchTerms;
  isOrSearch: boolean;
  timeZoneOffset: number;
  includeDeletedChannels: boolean;
  page: number;
  perPage: number;
}

const invalidSearchBody = (detail: string): ChatError =>
  badRequest('api.post.search_posts.invalid_body.app_error', `Unable to read the search request: ${detail}`);

const invalidParam = (name: string, fix: string): ChatError =>
  badRequest('api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body: ${fix}`);

function optionalBoolean(body: Record<string, unknown>, name: string): boolean {
  const value = body[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidSearchBody(`${name} must be true or false.`);
  return value;
}

function optionalInteger(body: Record<string, unknown>, name: string, fallback: number): number {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidSearchBody(`${name} must be a whole number.`);
  return value;
}

function readTerms(body: Record<string, unknown>): string {
  const terms = body.terms;
  if (terms !== undefined && terms !== null && typeof terms !== 'string') throw invalidSearchBody('terms must be a string.');
  if (typeof terms !== 'string' || terms === '') throw invalidParam('terms', 'give the words or filters to search for.');
  if (!fitsRunes(terms, MAX_TERMS_LENGTH)) throw invalidParam('terms', `use at most ${MAX_TERMS_LENGTH} characters.`);
  if (!isStorableText(terms)) throw invalidParam('terms', 'remove the NUL character.');
  return terms;
}

function parseTerms(text: string): SearchTerms {
  try {
    return parseSearchTerms(text.trim());
  } catch (error) {
    if (error instanceof SearchTermsError) throw invalidParam('terms', error.message);
    throw error;
  }
}

export function parseSearchBody(body: unknown): SearchBody {
  if (!isPlainObject(body)) throw invalidSearchBody('send a JSON object with at least "terms".');
  const terms = parseTerms(readTerms(body));
  const isOrSearch = optionalBoolean(body, 'is_or_search');
  const includeDeletedChannels = optionalBoolean(body, 'include_deleted_channels');
  const timeZoneOffset = optionalInteger(body, 'time_zone_offset', 0);
  if (Math.abs(timeZoneOffset) > MAX_OFFSET_SECONDS) {
    throw invalidParam('time_zone_offset', `seconds east of UTC, between ${-MAX_OFFSET_SECONDS} and ${MAX_OFFSET_SECONDS}.`);
  }
  const page = optionalInteger(body, 'page', 0);
  if (page < 0 || page > MAX_SEARCH_PAGE) throw invalidParam('page', `a page number from 0 to ${MAX_SEARCH_PAGE}.`);
  const perPage = optionalInteger(body, 'per_page', DEFAULT_SEARCH_PER_PAGE);
  if (perPage < 1 || perPage > MAX_SEARCH_PER_PAGE) throw invalidParam('per_page', `from 1 to ${MAX_SEARCH_PER_PAGE} results per page.`);
  return { terms, isOrSearch, timeZoneOffset, includeDeletedChannels, page, perPage };
}

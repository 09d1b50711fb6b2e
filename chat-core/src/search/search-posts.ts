/**
 * One post search: parsed terms + the caller's scope → a page of live posts, newest first
 * (create_at desc, id desc). Every value is bound; the scope is applied as a list of channel ids
 * decided in search-scope.ts before any text is matched.
 */
import type { AssertionClaims } from '../../contract.js';
import type { ChatServices } from '../services.js';
import type { PostRow } from '../store/schema.js';
import { hasCriteria, type SearchTerms } from './parse-terms.js';
import { createAtBounds, isEmptyRange, type TimeRange } from './search-dates.js';
import { searchDialectOf } from './search-dialect.js';
import { resolveChannelRefs, searchableChannels, userIdsByName } from './search-scope.js';
import { textPredicate } from './text-match.js';

export interface SearchOptions {
  terms: SearchTerms;
  /** Teams to search in (already checked against the assertion); DMs and group messages always count. */
  teamIds: readonly string[];
  isOrSearch: boolean;
  timeZoneOffset: number;
  includeDeletedChannels: boolean;
  page: number;
  perPage: number;
}

export interface SearchPage {
  rows: PostRow[];
  hasNext: boolean;
}

/** What the query is narrowed to; `undefined` means the search can match nothing. */
interface Narrowing {
  channelIds: string[];
  userIds: string[] | undefined;
  excludedUserIds: string[];
  include: TimeRange | undefined;
  exclude: TimeRange[];
}

const NOTHING: SearchPage = { rows: [], hasNext: false };

async function narrow(services: ChatServices, claims: AssertionClaims, options: SearchOptions): Promise<Narrowing | undefined> {
  const { terms } = options;
  const channels = await searchableChannels(services, claims, { teamIds: options.teamIds, includeDeletedChannels: options.includeDeletedChannels });
  let channelIds = [...channels.keys()];
  if (terms.inChannels.length > 0) {
    const named = await resolveChannelRefs(services.db, terms.inChannels, channels, claims.sub);
    channelIds = channelIds.filter((id) => named.has(id));
  }
  if (terms.excludedChannels.length > 0) {
    const excluded = await resolveChannelRefs(services.db, terms.excludedChannels, channels, claims.sub);
    channelIds = channelIds.filter((id) => !excluded.has(id));
  }
  const userIds = terms.fromUsers.length > 0 ? await userIdsByName(services.db, terms.fromUsers) : undefined;
  const dates = createAtBounds(terms.dates, options.timeZoneOffset);
  if (channelIds.length === 0 || userIds?.length === 0 || (dates.include && isEmptyRange(dates.include))) return undefined;
  const excludedUserIds = await userIdsByName(services.db, terms.excludedUsers);
  return { channelIds, userIds, excludedUserIds, include: dates.include, exclude: dates.exclude };
}

export async function searchPosts(services: ChatServices, claims: AssertionClaims, options: SearchOptions): Promise<SearchPage> {
  if (!hasCriteria(options.terms)) return NOTHING;
  const scope = await narrow(services, claims, options);
  if (!scope) return NOTHING;
  const { db } = services;
  let query = db.selectFrom('posts').selectAll()
    .where('channel_id', 'in', scope.channelIds)
    .where('delete_at', '=', 0)
    // System messages (joins, header changes) are not what people search for, as in Mattermost.
    .where('type', 'not like', 'system_%');
  if (scope.userIds) query = query.where('user_id', 'in', scope.userIds);
  if (scope.excludedUserIds.length > 0) query = query.where('user_id', 'not in', scope.excludedUserIds);
  const { include } = scope;
  if (include?.from !== undefined) query = query.where('create_at', '>=', include.from);
  if (include?.to !== undefined) query = query.where('create_at', '<', include.to);
  for (const range of scope.exclude) {
    query = query.where((eb) => eb.not(eb.and([
      ...(range.from !== undefined ? [eb('create_at', '>=', range.from)] : []),
      ...(range.to !== undefined ? [eb('create_at', '<', range.to)] : []),
    ])));
  }
  const text = textPredicate(searchDialectOf(db), { include: options.terms.include, exclude: options.terms.exclude, any: options.isOrSearch });
  if (text) query = query.where(text);
  const rows = await query.orderBy('create_at', 'desc').orderBy('id', 'desc')
    .limit(options.perPage + 1).offset(options.page * options.perPage).execute();
  return { rows: rows.slice(0, options.perPage), hasNext: rows.length > options.perPage };
}

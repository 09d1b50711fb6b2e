/**
 * Post search against the real index on both dialects, below HTTP: the migration (posts already
 * stored get indexed; down removes it), the index following inserts, edits and deletes, direct
 * and group channels, archived channels, hostile terms, and a 2,000-post channel.
 */
import { Migrator, sql, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../policies/authorizer.js';
import type { AssertionClaims } from '../../../chat-core/contract.js';
import type { ChatServices } from '../../../chat-core/src/services.js';
import { openDatabase, type ChatDatabase } from '../../../chat-core/src/store/database.js';
import { newId } from '../../../chat-core/src/store/ids.js';
import { CHAT_CORE_MIGRATIONS } from '../../../chat-core/src/store/migrations.js';
import type { ChannelRow, ChannelType, PostRow } from '../../../chat-core/src/store/schema.js';
import { parseSearchTerms } from '../../../chat-core/src/search/parse-terms.js';
import { searchPosts, type SearchOptions } from '../../../chat-core/src/search/search-posts.js';
import { createTestPostgres, type TestPostgres } from '../../support/databases.js';
import { DIALECTS } from './harness.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

/** Rows written straight into a chat-core database, and searches as a given user. */
function fixtures(db: ChatDatabase, services: ChatServices) {
  let clock = T0;
  const user = async (username: string): Promise<string> => {
    const id = `${username}-${newId().slice(0, 8)}`;
    await db.insertInto('users').values({ id, username, display_name: username, guest: 0, deactivated: 0, update_at: 1 }).execute();
    return id;
  };
  const channel = async (teamId: string, type: ChannelType, memberIds: string[], name = `c${newId().slice(0, 10)}`): Promise<ChannelRow> => {
    const row: ChannelRow = {
      id: newId(), team_id: teamId, type, name, display_name: name, purpose: '', header: '', creator_id: memberIds[0] ?? 'x',
      create_at: 1, update_at: 1, delete_at: 0, last_post_at: 0, last_root_post_at: 0, total_msg_count: 0, total_msg_count_root: 0,
      group_constrained: 0, moderations: '{}',
    };
    await db.insertInto('channels').values(row).execute();
    for (const userId of memberIds) {
      await db.insertInto('channel_members').values({
        channel_id: row.id, user_id: userId, explicit_roles: '', scheme_user: 1, scheme_admin: 0, scheme_guest: 0,
        last_viewed_at: 0, msg_count: 0, msg_count_root: 0, mention_count: 0, last_update_at: 1,
      }).execute();
    }
    return row;
  };
  const postRow = (channelId: string, userId: string, message: string, extra: Partial<PostRow> = {}): PostRow => {
    clock += 1;
    return {
      id: newId(), channel_id: channelId, user_id: userId, root_id: '', message, type: '', props: '{}', is_pinned: 0,
      create_at: clock, update_at: clock, edit_at: 0, delete_at: 0, file_ids: '[]', has_reactions: 0, ...extra,
    };
  };
  const post = async (channelId: string, userId: string, message: string, extra: Partial<PostRow> = {}): Promise<PostRow> => {
    const row = postRow(channelId, userId, message, extra);
    await db.insertInto('posts').values(row).execute();
    return row;
  };
  const claimsFor = (sub: string, teams: readonly string[]): AssertionClaims => ({
    iss: 'https://gw', aud: 'chat-core', sub, sid: 's', iat: 1, exp: 2, jti: 'j', username: sub, name: sub,
    roles: ['system_user'], teams: Object.fromEntries(teams.map((t) => [t, ['team_user']])), guest: false, amr: ['pwd'], auth_time: 1,
  });
  const searchPage = (sub: string, teams: readonly string[], terms: string, options: Partial<SearchOptions> = {}) =>
    searchPosts(services, claimsFor(sub, teams), {
      terms: parseSearchTerms(terms), teamIds: teams, isOrSearch: false, timeZoneOffset: 0, includeDeletedChannels: false,
      page: 0, perPage: 60, ...options,
    });
  const search = async (sub: string, teams: readonly string[], terms: string, options: Partial<SearchOptions> = {}) =>
    (await searchPage(sub, teams, terms, options)).rows.map((row) => row.id);
  return { user, channel, postRow, post, search, searchPage };
}

async function openTestDatabase(dialect: 'sqlite' | 'postgres'): Promise<{ db: ChatDatabase; services: ChatServices; drop(): Promise<void> }> {
  const postgres: TestPostgres | undefined = dialect === 'postgres' ? await createTestPostgres('gh_chat_search') : undefined;
  const db = openDatabase(postgres ? { databaseUrl: postgres.url } : { sqlitePath: ':memory:' }).db;
  const services = { db, authz: await createAuthorizer() } as unknown as ChatServices;
  return { db, services, async drop() { await db.destroy(); await postgres?.drop(); } };
}

function migratorFor(db: ChatDatabase): Migrator {
  return new Migrator({
    db, provider: { getMigrations: async () => ({ ...CHAT_CORE_MIGRATIONS }) as Record<string, Migration> },
    migrationTableName: 'chat_core_migration', migrationLockTableName: 'chat_core_migration_lock',
  });
}

describe.each(DIALECTS)('post search migration on %s', (dialect) => {
  it('indexes the posts stored before the migration ran, leaves deleted ones out, and down removes the index', async () => {
    const opened = await openTestDatabase(dialect);
    const { db } = opened;
    try {
      const { user, channel, post, search } = fixtures(db, opened.services);
      expect((await migratorFor(db).migrateTo('0003_conversations')).error).toBeUndefined();
      const alice = await user('alice');
      const room = await channel('team-a', 'O', [alice]);
      const old = await post(room.id, alice, 'legacy handbook entry');
      await post(room.id, alice, 'legacy tombstone', { delete_at: 5 });
      const outcome = await migratorFor(db).migrateToLatest();
      expect(outcome.error).toBeUndefined();
      expect(outcome.results?.map((r) => r.migrationName)).toEqual(['0004_post_search']);
      expect(await search(alice, ['team-a'], 'legacy')).toEqual([old.id]);

      expect((await migratorFor(db).migrateDown()).error).toBeUndefined();
      const leftovers = dialect === 'sqlite'
        ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name LIKE 'post_search%'`.execute(db)
        : await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE indexname = 'posts_search_idx'
            UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE 'chat_post_search%'`.execute(db);
      expect(leftovers.rows).toEqual([]);
      const during = await post(room.id, alice, 'legacy written while search was off');
      expect((await migratorFor(db).migrateToLatest()).error).toBeUndefined();
      expect(await search(alice, ['team-a'], 'legacy')).toEqual([during.id, old.id]);
    } finally {
      await opened.drop();
    }
  });
});

describe.each(DIALECTS)('post search storage on %s', (dialect) => {
  let opened: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: ChatDatabase;
  let f: ReturnType<typeof fixtures>;
  beforeAll(async () => {
    opened = await openTestDatabase(dialect);
    db = opened.db;
    expect((await migratorFor(db).migrateToLatest()).error).toBeUndefined();
    f = fixtures(db, opened.services);
  });
  afterAll(async () => { await opened.drop(); });
  const user = (name: string) => f.user(name);
  const channel = (...args: Parameters<typeof f.channel>) => f.channel(...args);
  const post = (...args: Parameters<typeof f.post>) => f.post(...args);
  const search = (...args: Parameters<typeof f.search>) => f.search(...args);

  it('finds an edited post by its new text only, and loses a post once it is deleted', async () => {
    const alice = await user('alice');
    const room = await channel('team-b', 'O', [alice]);
    const row = await post(room.id, alice, 'draft wording here');
    await db.updateTable('posts').set({ message: 'final phrasing here', edit_at: 9, update_at: 9 }).where('id', '=', row.id).execute();
    expect(await search(alice, ['team-b'], 'draft')).toEqual([]);
    expect(await search(alice, ['team-b'], 'final')).toEqual([row.id]);
    await db.updateTable('posts').set({ delete_at: 10, update_at: 10 }).where('id', '=', row.id).execute();
    expect(await search(alice, ['team-b'], 'final')).toEqual([]);
    expect(await search(alice, ['team-b'], 'here')).toEqual([]);
    // A pin (no change of text) leaves a live post where it was.
    const kept = await post(room.id, alice, 'pinned words');
    await db.updateTable('posts').set({ is_pinned: 1 }).where('id', '=', kept.id).execute();
    expect(await search(alice, ['team-b'], 'pinned')).toEqual([kept.id]);
  });

  it('forgets posts removed with their channel, and searches on afterwards', async () => {
    const alice = await user('alice');
    const doomed = await channel('team-c', 'O', [alice]);
    await post(doomed.id, alice, 'ephemeral gone');
    await db.deleteFrom('channel_members').where('channel_id', '=', doomed.id).execute();
    await db.deleteFrom('posts').where('channel_id', '=', doomed.id).execute();
    await db.deleteFrom('channels').where('id', '=', doomed.id).execute();
    const room = await channel('team-c', 'O', [alice]);
    const fresh = await post(room.id, alice, 'ephemeral stays');
    expect(await search(alice, ['team-c'], 'ephemeral')).toEqual([fresh.id]);
    if (dialect === 'sqlite') {
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM post_search_docs d LEFT JOIN posts p ON p.id = d.post_id
        WHERE p.id IS NULL OR p.delete_at > 0`.execute(db);
      expect(rows[0]?.n).toBe(0);
    }
  });

  it('folds case and diacritics and keeps non-Latin words searchable', async () => {
    const alice = await user('alice');
    const room = await channel('team-d', 'O', [alice]);
    const cafe = await post(room.id, alice, 'Rendez-vous au Café Ärger');
    const cyrillic = await post(room.id, alice, 'Привет команда');
    const japanese = await post(room.id, alice, '東京 meeting');
    expect(await search(alice, ['team-d'], 'cafe')).toEqual([cafe.id]);
    expect(await search(alice, ['team-d'], 'CAFÉ ärger')).toEqual([cafe.id]);
    expect(await search(alice, ['team-d'], 'привет')).toEqual([cyrillic.id]);
    expect(await search(alice, ['team-d'], 'ПРИВ*')).toEqual([cyrillic.id]);
    expect(await search(alice, ['team-d'], '東京')).toEqual([japanese.id]);
  });

  it('searches direct and group channels by in:@ in every team scope, and only the caller\'s own', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    const dm = await channel('', 'D', [alice, bob], `${alice}__${bob}`);
    const gm = await channel('', 'G', [alice, bob, carol]);
    const others = await channel('', 'D', [bob, carol], `${bob}__${carol}`);
    const inDm = await post(dm.id, bob, 'quarterly numbers direct');
    const inGm = await post(gm.id, carol, 'quarterly numbers group');
    await post(others.id, bob, 'quarterly numbers private to bob and carol');
    expect(await search(alice, [], 'quarterly')).toEqual([inGm.id, inDm.id]);
    expect(await search(alice, ['some-team'], 'quarterly')).toEqual([inGm.id, inDm.id]);
    expect(await search(alice, [], 'quarterly in:@bob')).toEqual([inDm.id]);
    expect(await search(alice, [], 'quarterly in:@bob,@carol')).toEqual([inGm.id]);
    expect(await search(alice, [], 'quarterly in:@carol')).toEqual([]);
    expect(await search(alice, [], 'quarterly -in:@bob')).toEqual([inGm.id]);
    expect(await search(alice, [], 'in:@nobody-known')).toEqual([]);
    expect(await search(carol, [], 'quarterly')).toHaveLength(2);
    expect(await search(carol, [], 'quarterly in:@alice')).toEqual([]);
  });

  it('leaves archived channels out unless asked, and never includes system messages', async () => {
    const alice = await user('alice');
    const archived = await channel('team-e', 'O', [alice]);
    const kept = await post(archived.id, alice, 'archival record');
    await post(archived.id, alice, 'archival joined the channel', { type: 'system_join_channel' });
    await db.updateTable('channels').set({ delete_at: 50 }).where('id', '=', archived.id).execute();
    expect(await search(alice, ['team-e'], 'archival')).toEqual([]);
    expect(await search(alice, ['team-e'], 'archival', { includeDeletedChannels: true })).toEqual([kept.id]);
  });

  it('never matches FTS syntax from the user and never fails on hostile terms', async () => {
    const alice = await user('alice');
    const room = await channel('team-f', 'O', [alice]);
    const plain = await post(room.id, alice, 'alpha beta gamma message foo');
    const literal = await post(room.id, alice, 'near alpha beta');
    const hostile = ['NEAR(alpha beta)', 'NEAR(alpha beta, 2)', 'message:foo', '"unbalanced', 'alpha OR', 'OR', 'AND', 'NOT alpha', '*', '^foo',
      'alpha + beta', '{message}: foo', 'alpha*beta', '"alpha" "', '-', '-"', '\'', '\'; DROP TABLE posts; --', '\\', '()', 'a:*', '!!alpha',
      'alpha & !beta', 'alpha | zeta', 'alpha <-> beta', "o'neil", '😀', 'x'.repeat(900), 'foo:', 'before:', '"" alpha', 'alpha -"',
      '%', '_', 'foo\u200bbar', 'e\u0301'];
    for (const terms of hostile) await expect(search(alice, ['team-f'], terms), terms).resolves.toBeInstanceOf(Array);
    // Read as FTS5 syntax these would match differently: NEAR() both posts, a column filter
    // an error, ^ only a first word, OR either word.
    expect(await search(alice, ['team-f'], 'NEAR(alpha beta)')).toEqual([literal.id]);
    expect(await search(alice, ['team-f'], 'message:foo')).toEqual([plain.id]);
    expect(await search(alice, ['team-f'], '^foo')).toEqual([plain.id]);
    expect(await search(alice, ['team-f'], 'alpha OR zeta')).toEqual([]);
    expect(await search(alice, ['team-f'], 'alpha zeta', { isOrSearch: true })).toEqual([literal.id, plain.id]);
    expect(await search(alice, ['team-f'], 'alpha | zeta')).toEqual([]);
    expect(await search(alice, ['team-f'], '*')).toEqual([]);
    // A seeded stream of junk over the syntax characters of both engines.
    const alphabet = ['"', '*', '(', ')', '^', ':', '-', '+', '&', '|', '!', '<', '>', '~', '\'', ' ', 'NEAR', 'OR', 'AND', 'NOT', 'a', 'é', ','];
    let seed = 42;
    const next = () => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed; };
    for (let i = 0; i < 200; i += 1) {
      const terms = Array.from({ length: 1 + (next() % 12) }, () => alphabet[next() % alphabet.length]).join('');
      await expect(search(alice, ['team-f'], terms), terms).resolves.toBeInstanceOf(Array);
    }
  });

  it('searches a 2,000-post channel written in one transaction, paging newest first without gaps or repeats', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const room = await channel('team-g', 'O', [alice, bob]);
    const rows = Array.from({ length: 2000 }, (_, i) =>
      f.postRow(room.id, i % 2 === 0 ? alice : bob, i % 10 === 0 ? `needle number ${i}` : `hay stack ${i}`, { create_at: T0 + Math.floor(i / 4) }));
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 250) await trx.insertInto('posts').values(rows.slice(i, i + 250)).execute();
    });
    const expected = rows.filter((r) => r.message.startsWith('needle'))
      .sort((a, b) => b.create_at - a.create_at || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    const seen: string[] = [];
    for (let page = 0; page < 4; page += 1) {
      const result = await f.searchPage(alice, ['team-g'], 'needle', { page });
      seen.push(...result.rows.map((r) => r.id));
      expect(result.hasNext).toBe(page < 3);
    }
    expect(seen).toEqual(expected);
    expect(await search(alice, ['team-g'], 'hay from:bob', { perPage: 200 })).toHaveLength(200);
    // A filter with only excluded words: every post of the filter but those.
    const needlesOnly = await f.searchPage(alice, ['team-g'], `from:alice -hay`, { perPage: 200 });
    expect(needlesOnly.rows.map((r) => r.id)).toEqual(expected);
    expect(needlesOnly.hasNext).toBe(false);
    expect(await search(alice, ['team-g'], 'from:bob -stack')).toEqual([]);
    expect(await search(alice, ['team-g'], '"needle number 1990"')).toEqual([rows[1990]!.id]);
  });
});

/**
 * chat-core's migration set, dialect-neutral, provided in code to Kysely's Migrator. The tracking
 * tables carry a chat-core prefix so the gateway's migrations can share a database if an operator
 * points both services at one.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { ChatDatabase } from './database.js';
import { postSearch } from '../search/search-migration.js';

async function createMirrorTables(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(256)', (c) => c.notNull().defaultTo(''))
    .addColumn('guest', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createTable('team_members')
    .addColumn('team_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user_idx').on('team_members').column('user_id').execute();
}

async function createChannelTables(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('channels')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('team_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(1)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(256)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('header', 'varchar(4096)', (c) => c.notNull().defaultTo(''))
    .addColumn('creator_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_post_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_root_post_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_msg_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_msg_count_root', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('channels_team_name_uq').on('channels').columns(['team_id', 'name']).unique().execute();
  await db.schema.createTable('channel_members')
    .addColumn('channel_id', 'varchar(26)', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('explicit_roles', 'varchar(256)', (c) => c.notNull().defaultTo(''))
    .addColumn('scheme_user', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('scheme_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scheme_guest', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_viewed_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('msg_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('msg_count_root', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('mention_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_update_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_members_pk', ['channel_id', 'user_id'])
    .execute();
  await db.schema.createIndex('channel_members_user_idx').on('channel_members').column('user_id').execute();
}

async function createPostTables(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('posts')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('channel_id', 'varchar(26)', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('root_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('props', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('is_pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('edit_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('posts_channel_create_idx').on('posts').columns(['channel_id', 'create_at']).execute();
  await db.schema.createIndex('posts_channel_update_idx').on('posts').columns(['channel_id', 'update_at']).execute();
  await db.schema.createIndex('posts_root_idx').on('posts').column('root_id').execute();
}

const initial: Migration = {
  async up(db) {
    await createMirrorTables(db);
    await createChannelTables(db);
    await createPostTables(db);
  },
  async down(db) {
    for (const table of ['posts', 'channel_members', 'channels', 'team_members', 'users']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

/** Group sync (DESIGN.md "Who owns what"): a channel whose membership the gateway's linked groups decide. */
const channelGroupConstrained: Migration = {
  async up(db) {
    await db.schema.alterTable('channels')
      .addColumn('group_constrained', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db) {
    await db.schema.alterTable('channels').dropColumn('group_constrained').execute();
  },
};

/**
 * The conversation surface (issue 8): channel moderation, file attachments and reaction flags on
 * posts, reactions, custom emoji, file infos, incoming and outgoing webhooks.
 */
const conversations: Migration = {
  async up(db) {
    await db.schema.alterTable('channels').addColumn('moderations', 'varchar(1024)', (c) => c.notNull().defaultTo('{}')).execute();
    await db.schema.alterTable('posts').addColumn('file_ids', 'varchar(300)', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.alterTable('posts').addColumn('has_reactions', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.createTable('reactions')
      .addColumn('post_id', 'varchar(26)', (c) => c.notNull().references('posts.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('emoji_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('channel_id', 'varchar(26)', (c) => c.notNull())
      .addColumn('create_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reactions_pk', ['post_id', 'user_id', 'emoji_name'])
      .execute();
    await db.schema.createTable('emoji')
      .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
      .addColumn('creator_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('path', 'varchar(512)', (c) => c.notNull())
      .addColumn('mime_type', 'varchar(128)', (c) => c.notNull())
      .addColumn('create_at', 'bigint', (c) => c.notNull())
      .addColumn('update_at', 'bigint', (c) => c.notNull())
      .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    // One live emoji per name; a deleted one keeps its row (and its name free) for history.
    await db.schema.createIndex('emoji_name_live_uq').on('emoji').columns(['name', 'delete_at']).unique().execute();
    await db.schema.createTable('file_infos')
      .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
      .addColumn('creator_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('channel_id', 'varchar(26)', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('post_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
      .addColumn('name', 'varchar(256)', (c) => c.notNull())
      .addColumn('extension', 'varchar(64)', (c) => c.notNull().defaultTo(''))
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('mime_type', 'varchar(128)', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('height', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('path', 'varchar(512)', (c) => c.notNull())
      .addColumn('create_at', 'bigint', (c) => c.notNull())
      .addColumn('update_at', 'bigint', (c) => c.notNull())
      .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('file_infos_post_idx').on('file_infos').column('post_id').execute();
    await db.schema.createTable('incoming_webhooks')
      .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
      .addColumn('channel_id', 'varchar(26)', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('team_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('display_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'varchar(500)', (c) => c.notNull().defaultTo(''))
      .addColumn('username', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('icon_url', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
      .addColumn('channel_locked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('create_at', 'bigint', (c) => c.notNull())
      .addColumn('update_at', 'bigint', (c) => c.notNull())
      .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('incoming_webhooks_team_idx').on('incoming_webhooks').column('team_id').execute();
    await db.schema.createTable('outgoing_webhooks')
      .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
      .addColumn('token_sealed', 'varchar(256)', (c) => c.notNull())
      .addColumn('creator_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('team_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('channel_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
      .addColumn('trigger_words', 'varchar(1024)', (c) => c.notNull().defaultTo('[]'))
      .addColumn('trigger_when', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('callback_urls', 'varchar(4096)', (c) => c.notNull().defaultTo('[]'))
      .addColumn('display_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'varchar(500)', (c) => c.notNull().defaultTo(''))
      .addColumn('content_type', 'varchar(128)', (c) => c.notNull().defaultTo('application/x-www-form-urlencoded'))
      .addColumn('username', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('icon_url', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
      .addColumn('create_at', 'bigint', (c) => c.notNull())
      .addColumn('update_at', 'bigint', (c) => c.notNull())
      .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('outgoing_webhooks_team_idx').on('outgoing_webhooks').column('team_id').execute();
  },
  async down(db) {
    for (const table of ['outgoing_webhooks', 'incoming_webhooks', 'file_infos', 'emoji', 'reactions']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
    await db.schema.alterTable('posts').dropColumn('has_reactions').execute();
    await db.schema.alterTable('posts').dropColumn('file_ids').execute();
    await db.schema.alterTable('channels').dropColumn('moderations').execute();
  },
};

/** Names sort in application order; never rename or edit a released migration, add a new one. */
export const CHAT_CORE_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': initial,
  '0002_channel_group_constrained': channelGroupConstrained,
  '0003_conversations': conversations,
  '0004_post_search': postSearch,
});

const provider: MigrationProvider = { getMigrations: async () => ({ ...CHAT_CORE_MIGRATIONS }) };

export interface MigrationOutcome {
  /** Names of the migrations this call applied (empty when already up to date). */
  applied: string[];
}

/** Applies every pending migration; throws with the failing migration's error. */
export async function migrateToLatest(db: ChatDatabase): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'chat_core_migration',
    migrationLockTableName: 'chat_core_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`chat-core migration ${failed} failed`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

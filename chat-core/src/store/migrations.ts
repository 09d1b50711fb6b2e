/**
 * chat-core's migration set, dialect-neutral, provided in code to Kysely's Migrator. The tracking
 * tables carry a chat-core prefix so the gateway's migrations can share a database if an operator
 * points both services at one.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { ChatDatabase } from './database.js';

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

/** Names sort in application order; never rename or edit a released migration, add a new one. */
export const CHAT_CORE_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': initial,
  '0002_channel_group_constrained': channelGroupConstrained,
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

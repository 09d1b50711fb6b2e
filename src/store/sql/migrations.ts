/**
 * The gateway's migrations, dialect-neutral. Append only: a migration that has run is never edited.
 */
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialectName } from './connect.js';

type AnyDb = Kysely<unknown>;

function gatewayMigrations(dialect: SqlDialectName): Record<string, Migration> {
  const autoId = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    '0001_initial': {
      async up(db: AnyDb) {
        await db.schema.createTable('users')
          .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
          .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
          .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('first_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .addColumn('last_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .addColumn('nickname', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .addColumn('position', 'varchar(128)', (c) => c.notNull().defaultTo(''))
          .addColumn('locale', 'varchar(16)', (c) => c.notNull().defaultTo('en'))
          .addColumn('roles', 'varchar(256)', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('auth_service', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('update_at', 'bigint', (c) => c.notNull())
          .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('last_password_update', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createTable('teams')
          .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
          .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('display_name', 'varchar(64)', (c) => c.notNull())
          .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
          .addColumn('email', 'varchar(320)', (c) => c.notNull().defaultTo(''))
          .addColumn('type', 'varchar(1)', (c) => c.notNull())
          .addColumn('allow_open_invite', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('invite_id', 'varchar(32)', (c) => c.notNull())
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('update_at', 'bigint', (c) => c.notNull())
          .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createTable('team_members')
          .addColumn('team_id', 'varchar(26)', (c) => c.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('roles', 'varchar(256)', (c) => c.notNull())
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
          .execute();
        await db.schema.createIndex('team_members_user_idx').on('team_members').column('user_id').execute();
        await db.schema.createTable('access_tokens')
          .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
          .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('description', 'varchar(512)', (c) => c.notNull().defaultTo(''))
          .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('access_tokens_user_idx').on('access_tokens').column('user_id').execute();
        await db.schema.createTable('signing_keys')
          .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('alg', 'varchar(16)', (c) => c.notNull())
          .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('state', 'varchar(16)', (c) => c.notNull())
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('activate_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('retire_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createTable('audit_log')
          .addColumn('id', sql.raw(autoId) as never, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('event', 'varchar(64)', (c) => c.notNull())
          .addColumn('actor_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
          .addColumn('subject_id', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .addColumn('ip', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
          .execute();
        await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
      },
    },
    '0002_identities_groups': {
      async up(db: AnyDb) {
        // A user's links to identity-provider subjects: the only thing SSO logins match on.
        await db.schema.createTable('identities')
          .addColumn('connector_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('subject', 'varchar(512)', (c) => c.notNull())
          .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('email', 'varchar(320)', (c) => c.notNull().defaultTo(''))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('last_login_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('identities_pk', ['connector_id', 'subject'])
          .execute();
        await db.schema.createIndex('identities_user_idx').on('identities').column('user_id').execute();
        // Groups as an identity provider or directory names them, always by (source, external id).
        await db.schema.createTable('groups')
          .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
          .addColumn('source', 'varchar(64)', (c) => c.notNull())
          .addColumn('external_id', 'varchar(512)', (c) => c.notNull())
          .addColumn('display_name', 'varchar(256)', (c) => c.notNull())
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('update_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('groups_source_external_uq', ['source', 'external_id'])
          .execute();
        await db.schema.createTable('group_members')
          .addColumn('group_id', 'varchar(26)', (c) => c.notNull().references('groups.id').onDelete('cascade'))
          .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
          .execute();
        await db.schema.createIndex('group_members_user_idx').on('group_members').column('user_id').execute();
      },
    },
    '0003_group_sync': {
      async up(db: AnyDb) {
        // Directory groups carry their DN; a group gone from the directory is marked, not dropped, so its links survive a typo.
        await db.schema.alterTable('groups').addColumn('dn', 'varchar(2048)', (c) => c.notNull().defaultTo('')).execute();
        await db.schema.alterTable('groups').addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
        // Set when a directory sync deactivated the user, so only sync reactivates them when they return.
        await db.schema.alterTable('identities').addColumn('sync_deactivated', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // The directory DN of an LDAP identity as last synced (group members are DNs; incremental runs map them through this).
        await db.schema.alterTable('identities').addColumn('dn', 'varchar(2048)', (c) => c.notNull().defaultTo('')).execute();
        await db.schema.alterTable('teams').addColumn('group_constrained', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // 1 when the team_admin role came from a scheme_admin group link (sync may take it back); 0 when granted by hand.
        await db.schema.alterTable('team_members').addColumn('scheme_admin_by_group', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // Mattermost's group syncables: group → team, group → channel (the channel lives in chat-core; team_id is its team).
        await db.schema.createTable('group_teams')
          .addColumn('group_id', 'varchar(26)', (c) => c.notNull().references('groups.id').onDelete('cascade'))
          .addColumn('team_id', 'varchar(26)', (c) => c.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('auto_add', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('scheme_admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('update_at', 'bigint', (c) => c.notNull())
          .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('group_teams_pk', ['group_id', 'team_id'])
          .execute();
        await db.schema.createIndex('group_teams_team_idx').on('group_teams').column('team_id').execute();
        await db.schema.createTable('group_channels')
          .addColumn('group_id', 'varchar(26)', (c) => c.notNull().references('groups.id').onDelete('cascade'))
          .addColumn('channel_id', 'varchar(26)', (c) => c.notNull())
          .addColumn('team_id', 'varchar(26)', (c) => c.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('auto_add', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('scheme_admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('update_at', 'bigint', (c) => c.notNull())
          .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('group_channels_pk', ['group_id', 'channel_id'])
          .execute();
        await db.schema.createIndex('group_channels_channel_idx').on('group_channels').column('channel_id').execute();
        // One row per directory sync run: the history an admin reads, and the incremental high-water mark.
        await db.schema.createTable('sync_runs')
          .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
          .addColumn('connector_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('kind', 'varchar(16)', (c) => c.notNull())
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('start_at', 'bigint', (c) => c.notNull())
          .addColumn('end_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('counts', 'text', (c) => c.notNull().defaultTo('{}'))
          .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('high_water', 'varchar(64)', (c) => c.notNull().defaultTo(''))
          .execute();
        await db.schema.createIndex('sync_runs_connector_idx').on('sync_runs').columns(['connector_id', 'start_at']).execute();
      },
    },
    '0004_mfa': {
      async up(db: AnyDb) {
        // One TOTP secret per user, sealed (AES-256-GCM); active only after a first valid code.
        // last_step is the newest time step accepted: a code is good once, on every node.
        await db.schema.createTable('mfa_secrets')
          .addColumn('user_id', 'varchar(26)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
          .addColumn('secret_sealed', 'text', (c) => c.notNull())
          .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('activate_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createTable('recovery_codes')
          .addColumn('user_id', 'varchar(26)', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('used_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
          .execute();
      },
    },
    '0005_guest_invitations': {
      async up(db: AnyDb) {
        // A guest invitation: the token is stored only as its SHA-256, bound to one address, one team and its channels.
        await db.schema.createTable('invitations')
          .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
          .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('email', 'varchar(320)', (c) => c.notNull())
          .addColumn('team_id', 'varchar(26)', (c) => c.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('channel_ids', 'text', (c) => c.notNull())
          .addColumn('invited_by', 'varchar(26)', (c) => c.notNull())
          .addColumn('create_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('used_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('revoked_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('user_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
          .execute();
        await db.schema.createIndex('invitations_team_idx').on('invitations').column('team_id').execute();
        // When a guest account stops working (0: never); a sweeper deactivates it then.
        await db.schema.alterTable('users').addColumn('expires_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      },
    },
    '0006_bots': {
      async up(db: AnyDb) {
        // A bot is a user row flagged here (so sign-in can refuse it without a join) plus its bot record.
        await db.schema.alterTable('users').addColumn('is_bot', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // Username, display name (first_name) and create/update/delete times stay on the user row: one source each.
        await db.schema.createTable('bots')
          .addColumn('user_id', 'varchar(26)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
          .addColumn('owner_id', 'varchar(26)', (c) => c.notNull())
          .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
          .execute();
        await db.schema.createIndex('bots_owner_idx').on('bots').column('owner_id').execute();
      },
    },
  };
}

export interface MigrationReport {
  applied: string[];
}

/** Apply every pending migration; throws (and applies nothing more) on the first failure. */
export async function migrateGateway(db: Kysely<unknown>, dialect: SqlDialectName): Promise<MigrationReport> {
  const migrations = gatewayMigrations(dialect);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'gatehouse_migrations', migrationLockTableName: 'gatehouse_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

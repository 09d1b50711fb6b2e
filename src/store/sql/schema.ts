/** The gateway's tables, as Kysely sees them. Timestamps are milliseconds since the epoch. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  username: string;
  email: string;
  email_verified: number;
  first_name: string;
  last_name: string;
  nickname: string;
  position: string;
  locale: string;
  /** Space-separated system roles, as Mattermost stores them. */
  roles: string;
  password_hash: string | null;
  auth_service: string;
  create_at: number;
  update_at: number;
  /** Non-zero when deactivated (Mattermost's convention). */
  delete_at: number;
  last_password_update: number;
  /** Guests: when the account stops working (0: never). */
  expires_at: Generated<number>;
  /** 1 for a bot account (its bot record is in `bots`): never signs in, acts only through access tokens. */
  is_bot: Generated<number>;
}

export interface TeamsTable {
  id: string;
  name: string;
  display_name: string;
  description: string;
  email: string;
  type: string;
  allow_open_invite: number;
  invite_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  /** 1: membership is exactly the union of the linked groups (Mattermost's group_constrained). */
  group_constrained: Generated<number>;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  roles: string;
  create_at: number;
  delete_at: number;
  /** 1 when team_admin came from a scheme_admin group link. */
  scheme_admin_by_group: Generated<number>;
}

export interface AccessTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  description: string;
  is_active: number;
  create_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** AES-256-GCM sealed private JWK (see src/keys/seal.ts). */
  private_jwk_sealed: string;
  public_jwk: string;
  /** `next` (published, not signing), `active` (signing), `retired` (published until `retire_at`). */
  state: string;
  create_at: number;
  activate_at: number;
  retire_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  event: string;
  actor_id: string;
  subject_id: string;
  ip: string;
  details: string;
}

export interface IdentitiesTable {
  connector_id: string;
  subject: string;
  user_id: string;
  email: string;
  create_at: number;
  last_login_at: number;
  /** 1 when a directory sync deactivated the user (sync may reactivate them). */
  sync_deactivated: Generated<number>;
  /** LDAP: the entry's DN as last synced. */
  dn: Generated<string>;
}

export interface GroupsTable {
  id: string;
  /** Where the group comes from: a connector id (`okta`), later `ldap:…`, `scim`. */
  source: string;
  external_id: string;
  display_name: string;
  create_at: number;
  update_at: number;
  /** The directory DN, for LDAP groups; '' otherwise. */
  dn: Generated<string>;
  /** Non-zero once the group is no longer in its directory. */
  delete_at: Generated<number>;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  create_at: number;
}

export interface GroupSyncableColumns {
  group_id: string;
  auto_add: number;
  scheme_admin: number;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface GroupTeamsTable extends GroupSyncableColumns {
  team_id: string;
}

export interface GroupChannelsTable extends GroupSyncableColumns {
  channel_id: string;
  /** The channel's team (chat-core owns the channel). */
  team_id: string;
}

export interface SyncRunsTable {
  id: string;
  connector_id: string;
  /** `full`, `incremental` or `dry-run`. */
  kind: string;
  /** `running`, `succeeded`, `failed`, `refused` (safety valve). */
  status: string;
  start_at: number;
  end_at: number;
  /** JSON counts: users seen, updated, deactivated, reactivated, created; groups; memberships added/removed. */
  counts: string;
  error: string;
  /** Highest change marker seen (modifyTimestamp / uSNChanged), for the next incremental run. */
  high_water: string;
}

export interface MfaSecretsTable {
  user_id: string;
  secret_sealed: string;
  active: number;
  /** Newest TOTP time step accepted (replay protection). */
  last_step: number;
  create_at: number;
  activate_at: number;
}

export interface RecoveryCodesTable {
  user_id: string;
  /** SHA-256 of user id and code. */
  code_hash: string;
  create_at: number;
  used_at: number;
}

export interface InvitationsTable {
  id: string;
  token_hash: string;
  email: string;
  team_id: string;
  /** JSON array of channel ids. */
  channel_ids: string;
  invited_by: string;
  create_at: number;
  expires_at: number;
  used_at: number;
  revoked_at: number;
  /** The account that accepted. */
  user_id: string;
}

/** Mattermost's Bots table, minus what the bot's user row already holds. */
export interface BotsTable {
  user_id: string;
  /** The user who manages the bot (Mattermost's owner_id). */
  owner_id: string;
  description: string;
}

export interface GatewayDatabase {
  bots: BotsTable;
  invitations: InvitationsTable;
  mfa_secrets: MfaSecretsTable;
  recovery_codes: RecoveryCodesTable;
  group_teams: GroupTeamsTable;
  group_channels: GroupChannelsTable;
  sync_runs: SyncRunsTable;
  identities: IdentitiesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  access_tokens: AccessTokensTable;
  signing_keys: SigningKeysTable;
  audit_log: AuditLogTable;
}

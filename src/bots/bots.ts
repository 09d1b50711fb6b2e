/**
 * Bot accounts (Mattermost's Bots): a user row flagged `is_bot` plus a `bots` record naming its owner
 * and description. The username, display name (the user's first_name) and the create/update/delete
 * times live on the user row only, so deactivating the user through any route disables the bot too.
 */
import type { Kysely, Transaction } from 'kysely';
import type { GatewayDatabase } from '../store/sql/schema.js';
import { isUniqueViolation } from '../store/sql/connect.js';
import { GatewayError } from '../errors/gateway-error.js';
import { newId } from '../http/ids.js';
import { normalizeUsername, type UserRow } from '../directory/users.js';

/** One bot as Mattermost's store reads it (bots joined with users). */
export interface BotView {
  user_id: string;
  username: string;
  display_name: string;
  description: string;
  owner_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface NewBot {
  username: string;
  displayName: string;
  description: string;
  ownerId: string;
}

export interface BotListOptions {
  page: number;
  perPage: number;
  /** Only bots of this owner; undefined for every owner. */
  ownerId?: string;
  includeDeleted: boolean;
  /** Only bots whose owner is deactivated (Mattermost's only_orphaned). */
  onlyOrphaned: boolean;
}

/** Mattermost's placeholder address for a bot (model.UserFromBot): never a deliverable one. */
export function botEmail(username: string): string {
  return `${username}@localhost`;
}

function botQuery(db: Kysely<GatewayDatabase> | Transaction<GatewayDatabase>) {
  return db.selectFrom('bots').innerJoin('users', 'users.id', 'bots.user_id')
    .select(['bots.user_id', 'users.username', 'users.first_name as display_name', 'bots.description', 'bots.owner_id', 'users.create_at', 'users.update_at', 'users.delete_at']);
}

function usernameClash(err: unknown): GatewayError {
  // The placeholder e-mail follows the username, so any unique clash on the user row is a username clash.
  return new GatewayError('USERNAME_EXISTS', { cause: err });
}

export function createBotRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    /** The bot user and its bot record, in one transaction; USERNAME_EXISTS when the name is taken. */
    async create(input: NewBot): Promise<{ bot: BotView; user: UserRow }> {
      const at = now();
      const username = normalizeUsername(input.username);
      const user: UserRow = {
        id: newId(), username, email: botEmail(username), email_verified: 0, first_name: input.displayName, last_name: '', nickname: '',
        position: '', locale: 'en', roles: 'system_user', password_hash: null, auth_service: '', create_at: at, update_at: at,
        delete_at: 0, last_password_update: 0, expires_at: 0, is_bot: 1,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('users').values(user).execute();
          await trx.insertInto('bots').values({ user_id: user.id, owner_id: input.ownerId, description: input.description }).execute();
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw usernameClash(err);
        throw err;
      }
      return { user, bot: { user_id: user.id, username, display_name: input.displayName, description: input.description, owner_id: input.ownerId, create_at: at, update_at: at, delete_at: 0 } };
    },
    async get(userId: string, includeDeleted: boolean): Promise<BotView | undefined> {
      let q = botQuery(db).where('bots.user_id', '=', userId);
      if (!includeDeleted) q = q.where('users.delete_at', '=', 0);
      return q.executeTakeFirst();
    },
    /** Mattermost's order: oldest first, then by username. */
    async list(o: BotListOptions): Promise<BotView[]> {
      let q = botQuery(db);
      if (!o.includeDeleted) q = q.where('users.delete_at', '=', 0);
      if (o.ownerId !== undefined) q = q.where('bots.owner_id', '=', o.ownerId);
      if (o.onlyOrphaned) q = q.innerJoin('users as owner', 'owner.id', 'bots.owner_id').where('owner.delete_at', '!=', 0);
      return q.orderBy('users.create_at', 'asc').orderBy('users.username', 'asc').limit(o.perPage).offset(o.page * o.perPage).execute();
    },
    async description(userId: string): Promise<string | undefined> {
      return (await db.selectFrom('bots').select('description').where('user_id', '=', userId).executeTakeFirst())?.description;
    },
    /** Apply a validated patch to the user row and bot record together. */
    async patch(userId: string, fields: { username?: string; displayName?: string; description?: string }): Promise<void> {
      const userFields = {
        ...(fields.username !== undefined ? { username: normalizeUsername(fields.username), email: botEmail(normalizeUsername(fields.username)) } : {}),
        ...(fields.displayName !== undefined ? { first_name: fields.displayName } : {}),
      };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('users').set({ ...userFields, update_at: now() }).where('id', '=', userId).where('is_bot', '=', 1).execute();
          if (fields.description !== undefined) await trx.updateTable('bots').set({ description: fields.description }).where('user_id', '=', userId).execute();
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw usernameClash(err);
        throw err;
      }
    },
    async setOwner(userId: string, ownerId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('bots').set({ owner_id: ownerId }).where('user_id', '=', userId).execute();
        await trx.updateTable('users').set({ update_at: now() }).where('id', '=', userId).execute();
      });
    },
    /** Undo a creation chat-core could not be told about: the user row goes, its bot record and tokens with it. */
    async remove(userId: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', userId).where('is_bot', '=', 1).execute();
    },
  };
}

export type BotRepository = ReturnType<typeof createBotRepository>;

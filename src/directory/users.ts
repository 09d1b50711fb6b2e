/**
 * Users: the gateway's own record of every person, and the Mattermost `User` shape clients see.
 */
import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, UsersTable } from '../store/sql/schema.js';
import { isUniqueViolation } from '../store/sql/connect.js';
import { GatewayError } from '../errors/gateway-error.js';
import { newId } from '../http/ids.js';

/** `is_bot` is optional only so rows built in code before their insert may leave it to the column default (0). */
export type UserRow = Omit<Selectable<UsersTable>, 'is_bot'> & { is_bot?: number };

export interface NewUser {
  username: string;
  email: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  nickname?: string;
  roles?: string[];
  passwordHash?: string | null;
  authService?: string;
  /** Guests: when the account stops working (ms since epoch; 0 never). */
  expiresAt?: number;
}

const USERNAME = /^[a-z][a-z0-9.\-_]{2,63}$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const RESERVED_USERNAMES = new Set(['all', 'channel', 'here', 'matterbot', 'system', 'gatehouse']);

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Mattermost's IsValidUsername, on the normalized name (users and bots alike). */
export function isValidUsername(username: string): boolean {
  const normalized = normalizeUsername(username);
  return USERNAME.test(normalized) && !RESERVED_USERNAMES.has(normalized);
}

/** Field-level validation, after Mattermost's model.User.IsValid. */
export function validateNewUser(user: NewUser): void {
  if (!isValidUsername(user.username)) {
    throw new GatewayError('USER_INVALID', { message: 'Usernames are 3–64 characters, start with a letter, and use only a-z, 0-9, ".", "-" and "_".', publicDetail: 'username' });
  }
  if (user.email.length > 320 || !EMAIL.test(normalizeEmail(user.email))) {
    throw new GatewayError('USER_INVALID', { message: 'Enter a valid email address.', publicDetail: 'email' });
  }
  for (const [field, value] of [['first_name', user.firstName], ['last_name', user.lastName], ['nickname', user.nickname]] as const) {
    if (value !== undefined && value.length > 64) throw new GatewayError('USER_INVALID', { message: `${field} is at most 64 characters.`, publicDetail: field });
  }
}

export function createUserRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    async create(input: NewUser): Promise<UserRow> {
      validateNewUser(input);
      const at = now();
      const row: UserRow = {
        id: newId(), username: normalizeUsername(input.username), email: normalizeEmail(input.email),
        email_verified: input.emailVerified ? 1 : 0, first_name: input.firstName ?? '', last_name: input.lastName ?? '',
        nickname: input.nickname ?? '', position: '', locale: 'en', roles: (input.roles ?? ['system_user']).join(' '),
        password_hash: input.passwordHash ?? null, auth_service: input.authService ?? '', create_at: at, update_at: at,
        delete_at: 0, last_password_update: input.passwordHash ? at : 0, expires_at: input.expiresAt ?? 0,
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new GatewayError('USER_EXISTS', { cause: err });
        throw err;
      }
      return row;
    },
    async get(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async require(id: string): Promise<UserRow> {
      const user = await this.get(id);
      if (!user) throw new GatewayError('USER_NOT_FOUND');
      return user;
    },
    /** By username or e-mail, as Mattermost's login_id. */
    async findByLoginId(loginId: string): Promise<UserRow | undefined> {
      const value = loginId.trim().toLowerCase();
      const column = value.includes('@') ? 'email' : 'username';
      return db.selectFrom('users').selectAll().where(column, '=', value).executeTakeFirst();
    },
    async findByEmail(email: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
    },
    async usernameTaken(username: string): Promise<boolean> {
      return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
    },
    /** Refresh profile fields from an identity provider; only the fields given change. */
    async updateProfile(id: string, fields: Partial<Pick<UserRow, 'first_name' | 'last_name' | 'nickname' | 'position' | 'locale' | 'email' | 'email_verified'>>): Promise<void> {
      const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      if (Object.keys(clean).length === 0) return;
      try {
        await db.updateTable('users').set({ ...clean, update_at: now() }).where('id', '=', id).execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw new GatewayError('USER_EXISTS', { cause: err });
        throw err;
      }
    },
    async list(page: number, perPage: number): Promise<UserRow[]> {
      return db.selectFrom('users').selectAll().orderBy('username').limit(perPage).offset(page * perPage).execute();
    },
    async countAdmins(): Promise<number> {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n'))
        .where('roles', 'like', '%system_admin%').where('delete_at', '=', 0).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async setRoles(id: string, roles: string[]): Promise<void> {
      await db.updateTable('users').set({ roles: roles.join(' '), update_at: now() }).where('id', '=', id).execute();
    },
    async setDeactivated(id: string, deactivated: boolean): Promise<void> {
      const res = await db.updateTable('users').set({ delete_at: deactivated ? now() : 0, update_at: now() }).where('id', '=', id).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new GatewayError('USER_NOT_FOUND');
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;

/** Mattermost's `User` JSON; never carries credentials. `sanitized` drops e-mail (for other viewers). */
export function toMattermostUser(u: UserRow, options: { sanitized?: boolean; mfaActive?: boolean; botDescription?: string } = {}) {
  return {
    id: u.id, create_at: u.create_at, update_at: u.update_at, delete_at: u.delete_at, username: u.username,
    auth_data: '', auth_service: u.auth_service, email: options.sanitized ? '' : u.email,
    email_verified: u.email_verified === 1, nickname: u.nickname, first_name: u.first_name, last_name: u.last_name,
    position: u.position, roles: u.roles, locale: u.locale, notify_props: {}, props: {},
    last_password_update: u.last_password_update, mfa_active: options.mfaActive ?? false, timezone: { useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: '' },
    is_bot: u.is_bot === 1, ...(u.is_bot === 1 && options.botDescription ? { bot_description: options.botDescription } : {}),
  };
}

export function displayName(u: Pick<UserRow, 'first_name' | 'last_name' | 'username'>): string {
  const full = `${u.first_name} ${u.last_name}`.trim();
  return full || u.username;
}

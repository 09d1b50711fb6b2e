/**
 * Personal access tokens (Mattermost's user access tokens): a random secret shown once, stored as its
 * SHA-256, usable as `Authorization: Bearer`.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AccessTokensTable, GatewayDatabase } from '../store/sql/schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { newId, newSecret } from '../http/ids.js';
import { hashToken } from '../sessions/session-store.js';

export type AccessTokenRow = Selectable<AccessTokensTable>;

export function createAccessTokenRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    async create(userId: string, description: unknown): Promise<{ row: AccessTokenRow; token: string }> {
      if (typeof description !== 'string' || description.trim() === '' || description.length > 512) {
        throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'A description of 1–512 characters is required.', publicDetail: 'description' });
      }
      const token = `gh_${newSecret()}`;
      const row: AccessTokenRow = { id: newId(), token_hash: hashToken(token), user_id: userId, description: description.trim(), is_active: 1, create_at: now() };
      await db.insertInto('access_tokens').values(row).execute();
      return { row, token };
    },
    async findActiveByToken(token: string): Promise<AccessTokenRow | undefined> {
      return db.selectFrom('access_tokens').selectAll().where('token_hash', '=', hashToken(token)).where('is_active', '=', 1).executeTakeFirst();
    },
    async get(id: string): Promise<AccessTokenRow | undefined> {
      return db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listForUser(userId: string): Promise<AccessTokenRow[]> {
      return db.selectFrom('access_tokens').selectAll().where('user_id', '=', userId).orderBy('create_at', 'desc').execute();
    },
    async revoke(id: string): Promise<boolean> {
      const res = await db.deleteFrom('access_tokens').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export type AccessTokenRepository = ReturnType<typeof createAccessTokenRepository>;

export function toMattermostAccessToken(row: AccessTokenRow, token?: string) {
  return { id: row.id, user_id: row.user_id, description: row.description, is_active: row.is_active === 1, ...(token ? { token } : {}) };
}

/**
 * Guest invitations in SQL: a random token (shown once, in the mail) stored as its SHA-256, bound
 * to one normalised address, one team and its channels, expiring, used once (a compare-and-set),
 * revocable one by one or all at once.
 */
import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, InvitationsTable } from '../store/sql/schema.js';
import { newId, newSecret } from '../http/ids.js';
import { hashToken } from '../sessions/session-store.js';

export type InvitationRow = Selectable<InvitationsTable>;

export function createInvitationRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    async create(input: { email: string; teamId: string; channelIds: string[]; invitedBy: string; ttlMs: number }): Promise<{ row: InvitationRow; token: string }> {
      const token = newSecret();
      const at = now();
      const row: InvitationRow = {
        id: newId(), token_hash: hashToken(token), email: input.email, team_id: input.teamId, channel_ids: JSON.stringify(input.channelIds),
        invited_by: input.invitedBy, create_at: at, expires_at: at + input.ttlMs, used_at: 0, revoked_at: 0, user_id: '',
      };
      await db.insertInto('invitations').values(row).execute();
      return { row, token };
    },
    /** The live invitation for a token: unused, unrevoked, unexpired; undefined otherwise. */
    async findLive(token: string): Promise<InvitationRow | undefined> {
      if (typeof token !== 'string' || token.length < 20 || token.length > 128) return undefined;
      return db.selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(token)).where('used_at', '=', 0)
        .where('revoked_at', '=', 0).where('expires_at', '>', now()).executeTakeFirst();
    },
    /** Use it up for `userId`: true for exactly one caller, and only while it is live. */
    async consume(id: string, userId: string): Promise<boolean> {
      const res = await db.updateTable('invitations').set({ used_at: now(), user_id: userId }).where('id', '=', id)
        .where('used_at', '=', 0).where('revoked_at', '=', 0).where('expires_at', '>', now()).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async listPending(teamId?: string): Promise<InvitationRow[]> {
      let q = db.selectFrom('invitations').selectAll().where('used_at', '=', 0).where('revoked_at', '=', 0).where('expires_at', '>', now());
      if (teamId) q = q.where('team_id', '=', teamId);
      return q.orderBy('create_at', 'desc').limit(1000).execute();
    },
    async revoke(id: string): Promise<boolean> {
      const res = await db.updateTable('invitations').set({ revoked_at: now() }).where('id', '=', id).where('used_at', '=', 0).where('revoked_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async revokeAll(): Promise<number> {
      const res = await db.updateTable('invitations').set({ revoked_at: now() }).where('used_at', '=', 0).where('revoked_at', '=', 0).executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
  };
}

export type InvitationRepository = ReturnType<typeof createInvitationRepository>;

export function toInvitationJson(r: InvitationRow) {
  return { id: r.id, email: r.email, team_id: r.team_id, channel_ids: JSON.parse(r.channel_ids) as string[], invited_by: r.invited_by, create_at: r.create_at, expires_at: r.expires_at };
}

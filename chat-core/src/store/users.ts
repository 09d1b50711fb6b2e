/** The user mirror and the asserted team memberships. */
import type { ChatDatabase } from './database.js';
import type { UserRow } from './schema.js';

export function findUser(db: ChatDatabase, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts or updates a user's profile; `deactivated` is written only when given. */
export async function upsertUser(db: ChatDatabase, row: Omit<UserRow, 'deactivated'> & { deactivated?: 0 | 1 }): Promise<void> {
  const profile = { username: row.username, display_name: row.display_name, guest: row.guest, update_at: row.update_at };
  const update = row.deactivated === undefined ? profile : { ...profile, deactivated: row.deactivated };
  await db.insertInto('users')
    .values({ ...profile, id: row.id, deactivated: row.deactivated ?? 0 })
    .onConflict((oc) => oc.column('id').doUpdateSet(update))
    .execute();
}

export async function setUserDeactivated(db: ChatDatabase, id: string, at: number): Promise<void> {
  await db.updateTable('users').set({ deactivated: 1, update_at: at }).where('id', '=', id).execute();
}

export async function listUserTeams(db: ChatDatabase, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.team_id);
}

/** Replaces a user's team memberships with the set the latest assertion names. */
export async function replaceUserTeams(db: ChatDatabase, userId: string, teamIds: readonly string[]): Promise<void> {
  await db.deleteFrom('team_members').where('user_id', '=', userId).execute();
  if (teamIds.length === 0) return;
  await db.insertInto('team_members').values(teamIds.map((team_id) => ({ team_id, user_id: userId })))
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .execute();
}

export async function isTeamMember(db: ChatDatabase, teamId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom('team_members').select('user_id')
    .where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export async function removeTeamMember(db: ChatDatabase, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

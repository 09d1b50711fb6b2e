/** Channel membership rows. */
import type { ChatDatabase } from './database.js';
import type { ChannelMemberRow } from './schema.js';
import type { Page } from './channels.js';

export function findMember(db: ChatDatabase, channelId: string, userId: string): Promise<ChannelMemberRow | undefined> {
  return db.selectFrom('channel_members').selectAll()
    .where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
}

/** Inserts the member unless one exists; returns the stored row either way. */
export async function addMember(db: ChatDatabase, row: ChannelMemberRow): Promise<ChannelMemberRow> {
  await db.insertInto('channel_members').values(row)
    .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
    .execute();
  const stored = await findMember(db, row.channel_id, row.user_id);
  if (!stored) throw new Error('channel member vanished after insert');
  return stored;
}

export async function setMemberSchemeAdmin(db: ChatDatabase, channelId: string, userId: string, admin: boolean, at: number): Promise<void> {
  await db.updateTable('channel_members').set({ scheme_admin: admin ? 1 : 0, last_update_at: at })
    .where('channel_id', '=', channelId).where('user_id', '=', userId).execute();
}

/** Returns true when a membership was removed. */
/**
 * A user became a guest (or stopped being one): every channel membership follows — a guest is
 * `channel_guest` only (never admin); a promoted guest becomes a plain `channel_user`.
 */
export async function setMembershipsGuest(db: ChatDatabase, userId: string, guest: boolean, at: number): Promise<void> {
  await db.updateTable('channel_members')
    .set(guest ? { scheme_guest: 1, scheme_user: 0, scheme_admin: 0, last_update_at: at } : { scheme_guest: 0, scheme_user: 1, last_update_at: at })
    .where('user_id', '=', userId).execute();
}

export async function removeMember(db: ChatDatabase, channelId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('channel_members')
    .where('channel_id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function removeMemberFromTeamChannels(db: ChatDatabase, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('channel_members')
    .where('user_id', '=', userId)
    .where('channel_id', 'in', (eb) => eb.selectFrom('channels').select('id').where('team_id', '=', teamId))
    .execute();
}

export function listMembers(db: ChatDatabase, channelId: string, page: Page): Promise<ChannelMemberRow[]> {
  return db.selectFrom('channel_members').selectAll().where('channel_id', '=', channelId)
    .orderBy('user_id').limit(page.limit).offset(page.offset).execute();
}

export function listMembershipsInTeam(db: ChatDatabase, teamId: string, userId: string): Promise<ChannelMemberRow[]> {
  return db.selectFrom('channel_members').selectAll('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .where('channels.team_id', 'in', [teamId, '']).where('channel_members.user_id', '=', userId)
    .where('channels.delete_at', '=', 0)
    .orderBy('channel_members.channel_id').execute();
}

/** Every member of a channel with the admin flag as the membership JSON shows it (a guest is never admin). */
export async function listMemberRoles(db: ChatDatabase, channelId: string): Promise<{ user_id: string; scheme_admin: boolean }[]> {
  const rows = await db.selectFrom('channel_members').select(['user_id', 'scheme_admin', 'scheme_guest'])
    .where('channel_id', '=', channelId).orderBy('user_id').execute();
  return rows.map((r) => ({ user_id: r.user_id, scheme_admin: r.scheme_admin === 1 && r.scheme_guest !== 1 }));
}

export async function listMemberUserIds(db: ChatDatabase, channelId: string): Promise<string[]> {
  const rows = await db.selectFrom('channel_members').select('user_id').where('channel_id', '=', channelId).execute();
  return rows.map((r) => r.user_id);
}

/** One more mention for each of `userIds` in the channel. */
export async function addMentions(db: ChatDatabase, channelId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.updateTable('channel_members').set((eb) => ({ mention_count: eb('mention_count', '+', 1) }))
    .where('channel_id', '=', channelId).where('user_id', 'in', userIds).execute();
}

/** The poster has seen everything up to their own post (Mattermost marks the channel viewed). */
export async function markViewed(
  db: ChatDatabase, channelId: string, userId: string, at: number, counts: { total_msg_count: number; total_msg_count_root: number },
): Promise<void> {
  await db.updateTable('channel_members')
    .set({ last_viewed_at: at, msg_count: counts.total_msg_count, msg_count_root: counts.total_msg_count_root, mention_count: 0, last_update_at: at })
    .where('channel_id', '=', channelId).where('user_id', '=', userId).execute();
}

/** Which of `otherIds` share at least one live channel with `userId` (the guest visibility rule). */
export async function usersSharingChannel(db: ChatDatabase, userId: string, otherIds: readonly string[]): Promise<string[]> {
  if (otherIds.length === 0) return [];
  const rows = await db.selectFrom('channel_members as a').innerJoin('channel_members as b', 'b.channel_id', 'a.channel_id')
    .innerJoin('channels', 'channels.id', 'a.channel_id').select('b.user_id').distinct()
    .where('a.user_id', '=', userId).where('b.user_id', 'in', [...otherIds]).where('channels.delete_at', '=', 0).execute();
  return rows.map((r) => r.user_id);
}

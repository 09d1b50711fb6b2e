/** Channel rows. */
import type { ChatDatabase } from './database.js';
import type { ChannelRow, Flag } from './schema.js';

export function findChannel(db: ChatDatabase, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findChannelByName(db: ChatDatabase, teamId: string, name: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('team_id', '=', teamId).where('name', '=', name).executeTakeFirst();
}

export async function insertChannel(db: ChatDatabase, row: ChannelRow): Promise<void> {
  await db.insertInto('channels').values(row).execute();
}

export type ChannelChanges = Partial<Pick<ChannelRow, 'display_name' | 'purpose' | 'header' | 'group_constrained'>>;

/** Updates a live channel; returns the row as stored after the update, or undefined when it is gone or archived. */
export async function updateChannel(db: ChatDatabase, id: string, changes: ChannelChanges, at: number): Promise<ChannelRow | undefined> {
  await db.updateTable('channels').set({ ...changes, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
  const row = await findChannel(db, id);
  return row && row.delete_at === 0 ? row : undefined;
}

export async function setChannelModerations(db: ChatDatabase, id: string, moderations: string, at: number): Promise<ChannelRow | undefined> {
  await db.updateTable('channels').set({ moderations, update_at: at }).where('id', '=', id).execute();
  return findChannel(db, id);
}

/** Archives (`deleteAt` > 0) or restores (0) a channel. */
export async function setChannelDeleteAt(db: ChatDatabase, id: string, deleteAt: number, at: number): Promise<void> {
  await db.updateTable('channels').set({ delete_at: deleteAt, update_at: at }).where('id', '=', id).execute();
}

export async function setChannelGroupConstrained(db: ChatDatabase, id: string, flag: Flag, at: number): Promise<void> {
  await db.updateTable('channels').set({ group_constrained: flag, update_at: at }).where('id', '=', id).execute();
}

export interface Page {
  offset: number;
  limit: number;
}

export function listPublicChannels(db: ChatDatabase, teamId: string, page: Page): Promise<ChannelRow[]> {
  return db.selectFrom('channels').selectAll()
    .where('team_id', '=', teamId).where('type', '=', 'O').where('delete_at', '=', 0)
    .orderBy('display_name').orderBy('id')
    .limit(page.limit).offset(page.offset)
    .execute();
}

/**
 * The user's channels in the given teams plus their direct and group channels (team id ''), as
 * Mattermost lists "my channels" for a team.
 */
export function listMemberChannels(db: ChatDatabase, teamIds: readonly string[], userId: string, includeDeleted: boolean): Promise<ChannelRow[]> {
  let query = db.selectFrom('channels')
    .innerJoin('channel_members', 'channel_members.channel_id', 'channels.id')
    .selectAll('channels')
    .where('channels.team_id', 'in', [...teamIds, '']).where('channel_members.user_id', '=', userId);
  if (!includeDeleted) query = query.where('channels.delete_at', '=', 0);
  return query.orderBy('channels.display_name').orderBy('channels.id').execute();
}

export function listTeamChannelIds(db: ChatDatabase, teamId: string): Promise<{ id: string }[]> {
  return db.selectFrom('channels').select('id').where('team_id', '=', teamId).execute();
}

/** Counts a new post; returns the channel's totals after the increment. */
export async function recordChannelPost(
  db: ChatDatabase, channelId: string, at: number, isRoot: boolean,
): Promise<{ total_msg_count: number; total_msg_count_root: number }> {
  const root = isRoot ? 1 : 0;
  return db.updateTable('channels')
    .set((eb) => ({
      last_post_at: at,
      last_root_post_at: isRoot ? at : eb.ref('last_root_post_at'),
      total_msg_count: eb('total_msg_count', '+', 1),
      total_msg_count_root: eb('total_msg_count_root', '+', root),
    }))
    .where('id', '=', channelId)
    .returning(['total_msg_count', 'total_msg_count_root'])
    .executeTakeFirstOrThrow();
}

/** Member, guest, pinned-post and file counts of a channel (Mattermost's ChannelStats). */
export async function channelStats(db: ChatDatabase, channelId: string) {
  const members = await db.selectFrom('channel_members')
    .select((eb) => [eb.fn.countAll<number>().as('members'), eb.fn.sum<number>('scheme_guest').as('guests')])
    .where('channel_id', '=', channelId).executeTakeFirstOrThrow();
  const pinned = await db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId).where('is_pinned', '=', 1).where('delete_at', '=', 0).executeTakeFirstOrThrow();
  const files = await db.selectFrom('file_infos').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId).where('post_id', '!=', '').where('delete_at', '=', 0).executeTakeFirstOrThrow();
  return {
    member_count: Number(members.members), guest_count: Number(members.guests ?? 0),
    pinnedpost_count: Number(pinned.n), files_count: Number(files.n),
  };
}

/** Incoming and outgoing webhook rows. A deleted hook keeps its row (delete_at > 0) and is never found again. */
import type { Page } from '../store/channels.js';
import type { ChatDatabase } from '../store/database.js';
import type { IncomingWebhookRow, OutgoingWebhookRow } from '../store/schema.js';

export type IncomingChanges = Partial<Pick<IncomingWebhookRow, 'channel_id' | 'display_name' | 'description' | 'username' | 'icon_url' | 'channel_locked'>>;
export type OutgoingChanges = Partial<Pick<OutgoingWebhookRow,
  'token_sealed' | 'channel_id' | 'trigger_words' | 'trigger_when' | 'callback_urls' | 'display_name' | 'description' | 'content_type' | 'username' | 'icon_url'>>;

export function findIncomingHook(db: ChatDatabase, id: string): Promise<IncomingWebhookRow | undefined> {
  return db.selectFrom('incoming_webhooks').selectAll().where('id', '=', id).where('delete_at', '=', 0).executeTakeFirst();
}

export async function insertIncomingHook(db: ChatDatabase, row: IncomingWebhookRow): Promise<void> {
  await db.insertInto('incoming_webhooks').values(row).execute();
}

/** Updates a live hook; returns the stored row, or undefined when it was deleted meanwhile. */
export async function updateIncomingHook(db: ChatDatabase, id: string, changes: IncomingChanges, at: number): Promise<IncomingWebhookRow | undefined> {
  await db.updateTable('incoming_webhooks').set({ ...changes, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
  return findIncomingHook(db, id);
}

export async function deleteIncomingHook(db: ChatDatabase, id: string, at: number): Promise<void> {
  await db.updateTable('incoming_webhooks').set({ delete_at: at, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
}

export interface IncomingFilter {
  teamId?: string | undefined;
  userId?: string | undefined;
  /** Only hooks of public channels and of private channels this user is a member of (ids are credentials). */
  visibleTo: string;
}

function filtered(db: ChatDatabase, filter: IncomingFilter) {
  let query = db.selectFrom('incoming_webhooks').where('incoming_webhooks.delete_at', '=', 0);
  if (filter.teamId !== undefined) query = query.where('incoming_webhooks.team_id', '=', filter.teamId);
  if (filter.userId !== undefined) query = query.where('incoming_webhooks.user_id', '=', filter.userId);
  return query.where((eb) => eb.or([
    eb.exists(eb.selectFrom('channels').select('channels.id')
      .whereRef('channels.id', '=', 'incoming_webhooks.channel_id').where('channels.type', '=', 'O')),
    eb.exists(eb.selectFrom('channel_members').select('channel_members.user_id')
      .whereRef('channel_members.channel_id', '=', 'incoming_webhooks.channel_id').where('channel_members.user_id', '=', filter.visibleTo)),
  ]));
}

export function listIncomingHooks(db: ChatDatabase, filter: IncomingFilter, page: Page): Promise<IncomingWebhookRow[]> {
  return filtered(db, filter).selectAll('incoming_webhooks')
    .orderBy('incoming_webhooks.create_at').orderBy('incoming_webhooks.id').limit(page.limit).offset(page.offset).execute();
}

export async function countIncomingHooks(db: ChatDatabase, filter: IncomingFilter): Promise<number> {
  const row = await filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
  // PostgreSQL answers count(*) as a string.
  return Number(row?.count ?? 0);
}

export function findOutgoingHook(db: ChatDatabase, id: string): Promise<OutgoingWebhookRow | undefined> {
  return db.selectFrom('outgoing_webhooks').selectAll().where('id', '=', id).where('delete_at', '=', 0).executeTakeFirst();
}

export async function insertOutgoingHook(db: ChatDatabase, row: OutgoingWebhookRow): Promise<void> {
  await db.insertInto('outgoing_webhooks').values(row).execute();
}

export async function updateOutgoingHook(db: ChatDatabase, id: string, changes: OutgoingChanges, at: number): Promise<OutgoingWebhookRow | undefined> {
  await db.updateTable('outgoing_webhooks').set({ ...changes, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
  return findOutgoingHook(db, id);
}

export async function deleteOutgoingHook(db: ChatDatabase, id: string, at: number): Promise<void> {
  await db.updateTable('outgoing_webhooks').set({ delete_at: at, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
}

export interface OutgoingFilter {
  teamId?: string | undefined;
  channelId?: string | undefined;
  creatorId?: string | undefined;
}

export function listOutgoingHooks(db: ChatDatabase, filter: OutgoingFilter, page: Page): Promise<OutgoingWebhookRow[]> {
  let query = db.selectFrom('outgoing_webhooks').selectAll().where('delete_at', '=', 0);
  if (filter.teamId !== undefined) query = query.where('team_id', '=', filter.teamId);
  if (filter.channelId !== undefined) query = query.where('channel_id', '=', filter.channelId);
  if (filter.creatorId !== undefined) query = query.where('creator_id', '=', filter.creatorId);
  return query.orderBy('create_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
}

/** Every live hook of a team that could fire for a post in `channelId` (its own, or team-wide ones). */
export function listTriggerCandidates(db: ChatDatabase, teamId: string, channelId: string): Promise<OutgoingWebhookRow[]> {
  return db.selectFrom('outgoing_webhooks').selectAll()
    .where('team_id', '=', teamId).where('delete_at', '=', 0)
    .where((eb) => eb.or([eb('channel_id', '=', channelId), eb('channel_id', '=', '')]))
    .orderBy('create_at').orderBy('id').execute();
}

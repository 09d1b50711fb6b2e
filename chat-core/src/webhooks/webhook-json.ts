/** Mattermost API v4 IncomingWebhook and OutgoingWebhook shapes. */
import type { IncomingWebhookRow, OutgoingWebhookRow } from '../store/schema.js';

export function incomingHookJson(row: IncomingWebhookRow) {
  return {
    id: row.id,
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    user_id: row.user_id,
    channel_id: row.channel_id,
    team_id: row.team_id,
    display_name: row.display_name,
    description: row.description,
    username: row.username,
    icon_url: row.icon_url,
    channel_locked: row.channel_locked === 1,
  };
}

/** Stored JSON arrays are written by us only; anything unreadable counts as empty. */
export function stringArray(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** `token` is the opened token ('' when it could not be opened: the hook then never fires). */
export function outgoingHookJson(row: OutgoingWebhookRow, token: string) {
  return {
    id: row.id,
    token,
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    creator_id: row.creator_id,
    channel_id: row.channel_id,
    team_id: row.team_id,
    trigger_words: stringArray(row.trigger_words),
    trigger_when: row.trigger_when,
    callback_urls: stringArray(row.callback_urls),
    display_name: row.display_name,
    description: row.description,
    content_type: row.content_type,
    username: row.username,
    icon_url: row.icon_url,
  };
}

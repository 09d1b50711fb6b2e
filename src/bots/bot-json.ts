/** Mattermost's `Bot` JSON (server/public/model/bot.go). */
import type { BotView } from './bots.js';

/** The same fields as the store's view, and only those: a copy, so nothing else a row carries leaks out. */
export type MattermostBot = BotView;

export function toMattermostBot(b: BotView): MattermostBot {
  return {
    user_id: b.user_id, username: b.username, display_name: b.display_name, description: b.description,
    owner_id: b.owner_id, create_at: b.create_at, update_at: b.update_at, delete_at: b.delete_at,
  };
}

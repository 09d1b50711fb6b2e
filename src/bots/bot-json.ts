/** Mattermost's `Bot` JSON (server/public/model/bot.go). */
import type { BotView } from './bots.js';

export interface MattermostBot {
  user_id: string;
  username: string;
  display_name: string;
  description: string;
  owner_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export function toMattermostBot(b: BotView): MattermostBot {
  return {
    user_id: b.user_id, username: b.username, display_name: b.display_name, description: b.description,
    owner_id: b.owner_id, create_at: b.create_at, update_at: b.update_at, delete_at: b.delete_at,
  };
}

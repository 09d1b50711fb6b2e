/**
 * Reading a BotPatch (`{username, display_name, description}`, each optional) and checking it as
 * Mattermost's Bot.IsValidCreate does: username as for users, display name ≤ 64 and description
 * ≤ 1024 characters (counted in code points, as Go counts runes).
 */
import { GatewayError } from '../errors/gateway-error.js';
import { body, optionalString } from '../http/params.js';
import { isValidUsername, normalizeUsername } from '../directory/users.js';
import type { Request } from 'express';

export interface BotPatch {
  username?: string;
  displayName?: string;
  description?: string;
}

const DISPLAY_NAME_MAX = 64;
const DESCRIPTION_MAX = 1024;

const runes = (s: string) => [...s].length;

export function readBotPatch(req: Request): BotPatch {
  const b = body(req);
  const username = optionalString(b.username, 'username');
  const displayName = optionalString(b.display_name, 'display_name');
  const description = optionalString(b.description, 'description');
  if (username !== undefined && !isValidUsername(username)) throw new GatewayError('BOT_INVALID_USERNAME', { publicDetail: 'username' });
  if (displayName !== undefined && runes(displayName) > DISPLAY_NAME_MAX) throw new GatewayError('BOT_INVALID_DISPLAY_NAME', { publicDetail: 'display_name' });
  if (description !== undefined && runes(description) > DESCRIPTION_MAX) throw new GatewayError('BOT_INVALID_DESCRIPTION', { publicDetail: 'description' });
  return {
    ...(username !== undefined ? { username: normalizeUsername(username) } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

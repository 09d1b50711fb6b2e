/**
 * Emoji permissions are system-wide, but Mattermost also honours them when a team role of the
 * caller holds them ("any user with CREATE_EMOJIS at team level may create emoji at system
 * level"), so the roles that count are the system roles plus every team role in the assertion.
 */
import type { AssertionClaims } from '../../contract.js';
import { forbidden } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';

export type EmojiPermission = 'create_emojis' | 'delete_emojis' | 'delete_others_emojis';

export function requireEmojiPermission(services: ChatServices, claims: AssertionClaims, permission: EmojiPermission): void {
  const roles = [...claims.roles, ...Object.values(claims.teams).flat()];
  if (!services.authz.allows(roles, permission)) throw forbidden(`missing permission ${permission}`);
}

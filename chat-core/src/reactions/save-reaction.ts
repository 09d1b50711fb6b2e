/**
 * POST /api/v4/reactions {user_id, post_id, emoji_name} — react as yourself. Adding a reaction
 * that is already there answers it again and changes nothing. Any well-formed emoji name is
 * accepted: unlike Mattermost, chat-core does not check it against the system emoji table (it
 * carries only part of it, see emoji/system-emoji.ts) or the custom emoji.
 */
import type { RequestHandler } from 'express';
import { isEmojiName, EMOJI_NAME_MAX_LENGTH } from '../emoji/emoji-name.js';
import { ChatError, badRequest, invalidBody, postNotFound } from '../http/chat-error.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { isExternalId, isId } from '../store/ids.js';
import { broadcastToChannel } from '../websocket/broadcast.js';
import { loadReactablePost } from './reaction-access.js';
import { reactionJson } from './reaction-json.js';
import { addReaction } from './reaction-store.js';

interface ReactionInput {
  user_id: string;
  post_id: string;
  emoji_name: string;
}

function parseReaction(body: unknown): ReactionInput {
  if (!isPlainObject(body)) throw invalidBody('reaction');
  const { user_id, post_id, emoji_name } = body;
  if (!isExternalId(user_id) || !isId(post_id) || typeof emoji_name !== 'string' || emoji_name === '' || emoji_name.length > EMOJI_NAME_MAX_LENGTH) {
    throw badRequest('api.reaction.save_reaction.invalid.app_error', 'The reaction needs a user_id, a post_id and an emoji_name of at most 64 characters.');
  }
  if (!isEmojiName(emoji_name)) {
    throw badRequest('model.reaction.is_valid.emoji_name.app_error', 'An emoji name may hold only letters, digits, "-", "+" and "_".');
  }
  return { user_id, post_id, emoji_name };
}

const tooManyReactions = () => badRequest('app.reaction.save.save.too_many_reactions',
  'This post already has the most different emoji reactions it may have: react with one already there.');

export function saveReactionHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const input = parseReaction(req.body);
    if (input.user_id !== claims.sub) {
      throw new ChatError(403, 'api.reaction.save_reaction.user_id.app_error', 'You can only add reactions as yourself.');
    }
    const { post } = await loadReactablePost(services, claims, input.post_id, 'add_reaction');
    const outcome = await addReaction(services.db, { ...input, channel_id: post.channel_id, create_at: services.now() });
    if (outcome.kind === 'post_gone') throw postNotFound();
    if (outcome.kind === 'too_many') throw tooManyReactions();
    const body = reactionJson(outcome.row);
    sendJson(res, 200, body);
    if (outcome.kind === 'added') broadcastToChannel(services, post.channel_id, 'reaction_added', { reaction: JSON.stringify(body) });
  };
}

/**
 * Custom emoji reads, open to every signed-in user as in Mattermost: the list, one by id or by
 * name, many by name, search and autocomplete.
 */
import type { Request, RequestHandler } from 'express';
import { badRequest, invalidBody, invalidUrlParam, notFound } from '../http/chat-error.js';
import { idParam, pageQuery } from '../http/params.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import type { EmojiRow } from '../store/schema.js';
import { emojiJson } from './emoji-json.js';
import { isEmojiName } from './emoji-name.js';
import { findLiveEmoji, findLiveEmojiByName, findLiveEmojiByNames, listLiveEmoji, searchLiveEmoji } from './emoji-store.js';
import { isSystemEmojiName } from './system-emoji.js';

/** Mattermost's PerPageMaximum (search) and EmojiMaxAutocompleteItems. */
const SEARCH_LIMIT = 200;
const AUTOCOMPLETE_LIMIT = 100;
export const MAX_NAMES_PER_REQUEST = 200;

export const emojiNotFound = () => notFound('app.emoji.get.no_result', 'Unable to find the emoji.');

export async function requireLiveEmoji(services: ChatServices, req: Request): Promise<EmojiRow> {
  const emoji = await findLiveEmoji(services.db, idParam(req, 'emoji_id'));
  if (!emoji) throw emojiNotFound();
  return emoji;
}

export function listEmojiHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const sort = (req.query as Record<string, unknown>).sort;
    if (sort !== undefined && sort !== '' && sort !== 'name') throw invalidUrlParam('sort');
    const rows = await listLiveEmoji(services.db, pageQuery(req), sort === 'name');
    sendJson(res, 200, rows.map(emojiJson));
  };
}

export function getEmojiHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    sendJson(res, 200, emojiJson(await requireLiveEmoji(services, req)));
  };
}

export function getEmojiByNameHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const name = req.params.emoji_name;
    if (!isEmojiName(name)) throw invalidUrlParam('emoji_name');
    const emoji = await findLiveEmojiByName(services.db, name);
    if (!emoji) throw notFound('app.emoji.get_by_name.no_result', 'Unable to find an emoji with that name.');
    sendJson(res, 200, emojiJson(emoji));
  };
}

/** POST /emoji/names: system emoji names are dropped (they are never custom), unknown ones simply absent. */
export function getEmojiByNamesHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const body: unknown = req.body;
    if (body !== null && (!Array.isArray(body) || body.some((name) => typeof name !== 'string'))) {
      throw badRequest('api.payload.parse.error', 'The body must be a JSON array of emoji names.');
    }
    const names = [...new Set((body ?? []) as string[])];
    if (names.length === 0) throw invalidBody('names');
    if (names.length > MAX_NAMES_PER_REQUEST) {
      throw badRequest('api.emoji.get_multiple_by_name_too_many.request_error', `Ask for at most ${MAX_NAMES_PER_REQUEST} emoji names at a time.`);
    }
    const custom = names.filter((name) => isEmojiName(name) && !isSystemEmojiName(name));
    sendJson(res, 200, (await findLiveEmojiByNames(services.db, custom)).map(emojiJson));
  };
}

/** Only a term made of emoji-name characters can match a name; any other matches none and never reaches SQL. */
const searchable = (term: string): boolean => isEmojiName(term);

export function searchEmojiHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const body: unknown = req.body;
    if (!isPlainObject(body) || typeof body.term !== 'string' || body.term === '') throw invalidBody('term');
    if (body.prefix_only !== undefined && typeof body.prefix_only !== 'boolean') throw invalidBody('prefix_only');
    const rows = searchable(body.term) ? await searchLiveEmoji(services.db, body.term, body.prefix_only === true, SEARCH_LIMIT) : [];
    sendJson(res, 200, rows.map(emojiJson));
  };
}

export function autocompleteEmojiHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const name = (req.query as Record<string, unknown>).name;
    if (typeof name !== 'string' || name === '') throw invalidUrlParam('name');
    const rows = searchable(name) ? await searchLiveEmoji(services.db, name, true, AUTOCOMPLETE_LIMIT) : [];
    sendJson(res, 200, rows.map(emojiJson));
  };
}

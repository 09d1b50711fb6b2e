/** Custom emoji routes under /api/v4 (Mattermost's api4/emoji.go). Fixed paths come before `/emoji/:emoji_id`. */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import { createEmojiHandler } from './create-emoji.js';
import { deleteEmojiHandler } from './delete-emoji.js';
import { getEmojiImageHandler } from './emoji-image-route.js';
import {
  autocompleteEmojiHandler, getEmojiByNameHandler, getEmojiByNamesHandler, getEmojiHandler, listEmojiHandler, searchEmojiHandler,
} from './read-emoji.js';

export function registerEmojiRoutes(router: Router, services: ChatServices): void {
  router.post('/emoji', createEmojiHandler(services));
  router.get('/emoji', listEmojiHandler(services));
  router.post('/emoji/search', searchEmojiHandler(services));
  router.post('/emoji/names', getEmojiByNamesHandler(services));
  router.get('/emoji/autocomplete', autocompleteEmojiHandler(services));
  router.get('/emoji/name/:emoji_name', getEmojiByNameHandler(services));
  router.get('/emoji/:emoji_id', getEmojiHandler(services));
  router.get('/emoji/:emoji_id/image', getEmojiImageHandler(services));
  router.delete('/emoji/:emoji_id', deleteEmojiHandler(services));
}

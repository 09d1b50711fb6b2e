/** Reaction routes under /api/v4 (Mattermost's api4/reaction.go). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import { deleteReactionHandler } from './delete-reaction.js';
import { getBulkReactionsHandler, getReactionsHandler } from './get-reactions.js';
import { saveReactionHandler } from './save-reaction.js';

export function registerReactionRoutes(router: Router, services: ChatServices): void {
  router.post('/reactions', saveReactionHandler(services));
  router.get('/posts/:post_id/reactions', getReactionsHandler(services));
  router.post('/posts/ids/reactions', getBulkReactionsHandler(services));
  router.delete('/users/:user_id/posts/:post_id/reactions/:emoji_name', deleteReactionHandler(services));
}

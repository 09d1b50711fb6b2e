/** Post routes under /api/v4. */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import { createPostHandler } from './create-post.js';
import { deletePostHandler } from './delete-post.js';
import { editPostHandler } from './edit-post.js';
import { getPostHandler } from './get-post.js';
import { listPostsHandler } from './list-posts.js';
import { pinPostHandler } from './pin-post.js';
import { pinnedPostsHandler, threadHandler } from './thread.js';

export function registerPostRoutes(router: Router, services: ChatServices): void {
  router.post('/posts', createPostHandler(services));
  router.get('/posts/:post_id', getPostHandler(services));
  router.put('/posts/:post_id', editPostHandler(services, 'update'));
  router.put('/posts/:post_id/patch', editPostHandler(services, 'patch'));
  router.delete('/posts/:post_id', deletePostHandler(services));
  router.get('/posts/:post_id/thread', threadHandler(services));
  router.post('/posts/:post_id/pin', pinPostHandler(services, true));
  router.post('/posts/:post_id/unpin', pinPostHandler(services, false));
  router.get('/channels/:channel_id/posts', listPostsHandler(services));
  router.get('/channels/:channel_id/pinned', pinnedPostsHandler(services));
}

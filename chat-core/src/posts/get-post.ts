/** GET /api/v4/posts/{post_id}. */
import type { RequestHandler } from 'express';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { decoratedPost } from './post-json.js';
import { loadReadablePost } from './read-post.js';

export function getPostHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const { post } = await loadReadablePost(services, claimsOf(res), idParam(req, 'post_id'));
    sendJson(res, 200, await decoratedPost(services.db, post));
  };
}

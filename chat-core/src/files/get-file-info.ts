/** GET /api/v4/files/{file_id}/info, /files/{file_id}/link and /posts/{post_id}/files/info. */
import type { RequestHandler } from 'express';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { loadReadablePost } from '../posts/read-post.js';
import type { ChatServices } from '../services.js';
import { fileInfosForPosts } from './attach-files.js';
import { loadReadableFile } from './file-access.js';
import { publicLinksDisabled } from './file-errors.js';
import { fileInfoJson } from './file-info-json.js';

export function getFileInfoHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const row = await loadReadableFile(services, claimsOf(res), idParam(req, 'file_id'));
    sendJson(res, 200, fileInfoJson(row));
  };
}

/** chat-core has no public links (Mattermost's EnablePublicLink off); the access check still runs first. */
export function getFileLinkHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    await loadReadableFile(services, claimsOf(res), idParam(req, 'file_id'));
    throw publicLinksDisabled();
  };
}

export function getPostFileInfosHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const { post } = await loadReadablePost(services, claimsOf(res), idParam(req, 'post_id'));
    sendJson(res, 200, (await fileInfosForPosts(services.db, [post])).get(post.id) ?? []);
  };
}

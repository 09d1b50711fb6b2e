/**
 * POST /api/v4/files — uploads that a post can attach later (Mattermost's uploadFileStream), as
 * multipart/form-data or as one raw body. Answers 201 `{file_infos, client_ids}`. A refusal at
 * any point (access, size, a malformed part, the database) keeps nothing: no content in the
 * store, no row.
 */
import type { RequestHandler } from 'express';
import { idQuery } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { noFile, wrongClientIdCount } from './file-errors.js';
import { fileInfoJson } from './file-info-json.js';
import { discardBody } from './request-body.js';
import { createUploadBatch } from './upload-batch.js';
import { uploadMultipart } from './upload-multipart.js';
import { uploadRaw } from './upload-raw.js';

const MULTIPART = /^\s*multipart\//i;
/** How much of a refused upload is still read (and dropped) so the client sees the answer. */
const DISCARD_LIMIT = 4 * 1024 * 1024;

export function uploadFilesHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const batch = createUploadBatch(services, claims.sub, services.now());
    try {
      const form = MULTIPART.test(req.headers['content-type'] ?? '')
        ? await uploadMultipart(services, req, claims, batch, idQuery(req, 'channel_id'))
        : await uploadRaw(services, req, claims, batch);
      if (batch.count === 0) throw noFile();
      if (form.clientIds.length > 0 && form.clientIds.length !== batch.count) throw wrongClientIdCount(form.clientIds.length, batch.count);
      const rows = await batch.commit(form.channelId);
      sendJson(res, 201, { file_infos: rows.map(fileInfoJson), client_ids: form.clientIds });
    } catch (error) {
      await batch.discard();
      await discardBody(req, res, DISCARD_LIMIT);
      throw error;
    }
  };
}

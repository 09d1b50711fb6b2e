/**
 * The multipart form of POST /api/v4/files: `channel_id` (a field, or the query), `client_ids`
 * (one per file, in order, or none) and the file parts. Mattermost clients send `channel_id`
 * first, and then the access check runs before a single file byte is read; when it comes after
 * the files, they are stored first and removed again if the check fails.
 */
import type { Request } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { invalidBody } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { isId } from '../store/ids.js';
import { MAX_FILES_PER_UPLOAD, fileTooLarge, multipleChannelIds } from './file-errors.js';
import { readMultipart, type UploadPart } from './multipart-parts.js';
import { readLimited } from './request-body.js';
import type { UploadBatch } from './upload-batch.js';
import { uploadAccessOnce } from './upload-access.js';

export interface UploadForm {
  channelId: string;
  clientIds: string[];
}

/** Mattermost's maxMultipartFormDataBytes. */
const MAX_FIELD_BYTES = 10 * 1024;

export async function uploadMultipart(
  services: ChatServices, req: Request, claims: AssertionClaims, batch: UploadBatch, queryChannelId: string | undefined,
): Promise<UploadForm> {
  const maxFileSize = services.config.maxFileSize;
  const checkAccess = uploadAccessOnce(services, claims);
  const form = { channelId: queryChannelId, clientIds: [] as string[] };
  const reader = readMultipart(req, { maxFileSize, maxFiles: MAX_FILES_PER_UPLOAD, maxFields: MAX_FILES_PER_UPLOAD + 2, maxFieldBytes: MAX_FIELD_BYTES });
  try {
    for await (const part of reader) {
      if (part.kind === 'field') {
        readField(form, part);
        continue;
      }
      if (form.channelId) await checkAccess(form.channelId);
      const content = await readLimited(part.stream, maxFileSize, () => fileTooLarge(maxFileSize, part.filename));
      await batch.store(part.filename, content);
    }
  } finally {
    reader.close();
  }
  if (!form.channelId) throw invalidBody('channel_id');
  await checkAccess(form.channelId);
  return { channelId: form.channelId, clientIds: form.clientIds };
}

function readField(form: { channelId: string | undefined; clientIds: string[] }, part: Extract<UploadPart, { kind: 'field' }>): void {
  if (part.truncated) throw invalidBody(part.name);
  switch (part.name) {
    case 'channel_id':
      if (!isId(part.value)) throw invalidBody('channel_id');
      if (form.channelId && form.channelId !== part.value) throw multipleChannelIds();
      form.channelId = part.value;
      return;
    case 'client_ids':
      form.clientIds.push(part.value);
      return;
    default:
      throw invalidBody(part.name);
  }
}

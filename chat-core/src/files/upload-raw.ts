/**
 * The raw form of POST /api/v4/files: `?channel_id=…&filename=…[&client_id=…]` with one file's
 * bytes as the body (sent as application/octet-stream, which the JSON parser leaves alone).
 */
import type { Request } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { invalidUrlParam } from '../http/chat-error.js';
import { idQuery } from '../http/params.js';
import type { ChatServices } from '../services.js';
import { fileTooLarge, noFile, unreadableUpload } from './file-errors.js';
import { readLimited } from './request-body.js';
import type { UploadBatch } from './upload-batch.js';
import type { UploadForm } from './upload-multipart.js';
import { requireUploadAccess } from './upload-access.js';

const MAX_CLIENT_ID_LENGTH = 128;

function stringQuery(req: Request, name: string, maxLength: number): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > maxLength) throw invalidUrlParam(name);
  return value;
}

export async function uploadRaw(services: ChatServices, req: Request, claims: AssertionClaims, batch: UploadBatch): Promise<UploadForm> {
  const channelId = idQuery(req, 'channel_id');
  if (!channelId) throw invalidUrlParam('channel_id');
  const filename = stringQuery(req, 'filename', 4096);
  if (!filename) throw invalidUrlParam('filename');
  const clientId = stringQuery(req, 'client_id', MAX_CLIENT_ID_LENGTH);
  // Any other Content-Type was already read as JSON by the API's body parser: the bytes are gone.
  if (req.body !== undefined || req.readableEnded) throw unreadableUpload(`body of type ${req.headers['content-type'] ?? 'none'} was parsed as JSON`);
  await requireUploadAccess(services, claims, channelId);
  const maxFileSize = services.config.maxFileSize;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxFileSize) throw fileTooLarge(maxFileSize, filename);
  const content = await readLimited(req, maxFileSize, () => fileTooLarge(maxFileSize, filename));
  if (content.length === 0) throw noFile();
  await batch.store(filename, content);
  return { channelId, clientIds: clientId ? [clientId] : [] };
}

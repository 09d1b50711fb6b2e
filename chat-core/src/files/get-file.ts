/**
 * GET /api/v4/files/{file_id}, /preview and /thumbnail — the content, under headers that keep a
 * browser from running it: the sniffed type with `nosniff`, a sandboxing CSP, and an attachment
 * unless the file is an inline-safe image and `?download=1` was not asked for.
 */
import type { Request, RequestHandler, Response } from 'express';
import { invalidUrlParam } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import type { ChatServices } from '../services.js';
import type { FileInfoRow } from '../store/schema.js';
import { loadReadableFile } from './file-access.js';
import { fileNotFound, noPreview, noThumbnail } from './file-errors.js';
import { hasPreview } from './file-info-json.js';
import { contentDisposition } from './file-name.js';
import { isInlineImage } from './sniff.js';

export type FileView = 'file' | 'preview' | 'thumbnail';

/** Go's strconv.ParseBool, which Mattermost reads `download` with. */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['', '0', 'f', 'F', 'false', 'FALSE', 'False']);

function downloadQuery(req: Request): boolean {
  const value = (req.query as Record<string, unknown>).download;
  if (value === undefined) return false;
  if (typeof value === 'string' && TRUE.has(value)) return true;
  if (typeof value === 'string' && FALSE.has(value)) return false;
  throw invalidUrlParam('download');
}

function sendContent(res: Response, row: FileInfoRow, content: Buffer, forceDownload: boolean): void {
  const inline = isInlineImage(row.mime_type) && !forceDownload;
  res.statusCode = 200;
  res.setHeader('Content-Type', row.mime_type === 'text/plain' ? 'text/plain; charset=utf-8' : row.mime_type);
  res.setHeader('Content-Length', content.length);
  res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', row.name));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', 'sandbox');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Last-Modified', new Date(row.update_at).toUTCString());
  res.end(content);
}

export function getFileHandler(services: ChatServices, view: FileView): RequestHandler {
  return async (req, res) => {
    const forceDownload = downloadQuery(req);
    const row = await loadReadableFile(services, claimsOf(res), idParam(req, 'file_id'));
    if (view !== 'file' && !hasPreview(row)) throw view === 'preview' ? noPreview() : noThumbnail();
    const content = await services.files.read(row.path);
    if (!content) throw fileNotFound(`content of file ${row.id} is missing from the store`);
    sendContent(res, row, content, forceDownload);
  };
}

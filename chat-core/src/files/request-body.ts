/** Reading an upload body with a size cap, and discarding what is left of one that was refused. */
import type { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { ChatError } from '../http/chat-error.js';
import { unreadableUpload } from './file-errors.js';

/** Reads a file part (or a raw body) whole, refusing it as soon as it passes `maxBytes`. */
export async function readLimited(stream: Readable, maxBytes: number, tooLarge: () => ChatError): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  stream.once('limit', () => { over = true; });
  try {
    // Not destroyed on an early stop: for a raw body that would close the socket before the 413.
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes) {
        over = true;
        break;
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof ChatError) throw error;
    throw unreadableUpload(error instanceof Error ? error.message : 'unreadable body');
  }
  if (over) throw tooLarge();
  return Buffer.concat(chunks, size);
}

/**
 * After a refusal, reads and drops the rest of the body (up to `limit` bytes) so that the client,
 * still sending, gets to read the error. Past the limit the connection is closed after the
 * response instead of reading an upload nobody will keep.
 */
export function discardBody(req: Request, res: Response, limit: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen <= limit) return;
      res.setHeader('Connection', 'close');
      done();
    };
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}

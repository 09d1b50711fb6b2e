/**
 * A multipart/form-data body as an async sequence of parts, in the order they were sent, read
 * with backpressure: busboy does not parse past a file until the caller has read it. Anything
 * malformed, and every limit, is a 4xx ChatError; the caller closes the reader when done.
 */
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { ChatError } from '../http/chat-error.js';
import { tooManyFiles, unreadableUpload } from './file-errors.js';

export type UploadPart =
  | { kind: 'field'; name: string; value: string; truncated: boolean }
  | { kind: 'file'; name: string; filename: string; stream: Readable };

export interface MultipartLimits {
  /** Largest file; busboy is told one byte more, so that "over" is seen, not "exactly at". */
  maxFileSize: number;
  maxFiles: number;
  maxFields: number;
  maxFieldBytes: number;
}

export interface MultipartReader extends AsyncIterable<UploadPart> {
  /** Stops parsing; the rest of the body is the caller's to discard. */
  close(): void;
}

const ignore = (): void => {};

function createParser(req: Request, limits: MultipartLimits): busboy.Busboy {
  try {
    return busboy({
      headers: req.headers,
      // Names are cleaned by sanitizeFileName, which sees them whole; UTF-8 is what browsers send.
      preservePath: true,
      defParamCharset: 'utf8',
      limits: {
        fileSize: limits.maxFileSize + 1, files: limits.maxFiles, fields: limits.maxFields,
        fieldSize: limits.maxFieldBytes, parts: limits.maxFiles + limits.maxFields, fieldNameSize: 100,
      },
    });
  } catch (error) {
    throw unreadableUpload(error instanceof Error ? error.message : 'bad multipart header');
  }
}

export function readMultipart(req: Request, limits: MultipartLimits): MultipartReader {
  const parser = createParser(req, limits);
  const queue: UploadPart[] = [];
  let failure: ChatError | undefined;
  let finished = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const fail = (error: ChatError): void => {
    failure ??= error;
    notify();
  };
  const push = (part: UploadPart): void => {
    queue.push(part);
    notify();
  };

  parser.on('field', (name, value, info) => push({ kind: 'field', name, value, truncated: info.nameTruncated || info.valueTruncated }));
  parser.on('file', (name, stream, info) => {
    // Errors reach the reader through iteration; this keeps an unread stream's error from going unhandled.
    stream.on('error', ignore);
    push({ kind: 'file', name, filename: info.filename ?? '', stream });
  });
  parser.on('filesLimit', () => fail(tooManyFiles()));
  parser.on('fieldsLimit', () => fail(unreadableUpload('too many form fields')));
  parser.on('partsLimit', () => fail(unreadableUpload('too many parts')));
  parser.on('error', (error: Error) => fail(unreadableUpload(error.message)));
  parser.on('finish', () => {
    finished = true;
    notify();
  });
  const onRequestError = (): void => {
    fail(unreadableUpload('the client stopped sending the request'));
    parser.destroy();
  };
  const onRequestClose = (): void => {
    if (!req.complete) onRequestError();
  };
  req.on('error', onRequestError);
  req.on('close', onRequestClose);
  req.pipe(parser);

  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failure) throw failure;
        const part = queue.shift();
        if (part) {
          yield part;
          continue;
        }
        if (finished) return;
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    },
    close() {
      req.unpipe(parser);
      req.off('error', onRequestError);
      req.off('close', onRequestClose);
      req.on('error', ignore);
      if (!finished) parser.destroy();
      for (const part of queue) if (part.kind === 'file') part.stream.resume();
    },
  };
}

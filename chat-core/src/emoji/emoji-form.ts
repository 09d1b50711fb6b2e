/**
 * Reads the multipart body of POST /api/v4/emoji while it streams: an `emoji` field (JSON text)
 * and an `image` file of at most 512 KiB, refused the moment it grows past that (Mattermost's
 * MaxEmojiFileSize was 512 KiB before it rose to 1 MiB; chat-core keeps the smaller one). Nothing
 * is written anywhere here: the caller stores the image only once everything has been checked.
 */
import type { Request } from 'express';
import busboy from 'busboy';
import { ChatError, badRequest } from '../http/chat-error.js';

export const MAX_EMOJI_IMAGE_BYTES = 512 * 1024;
/** Multipart framing and the emoji field on top of the image. */
const MAX_FORM_OVERHEAD = 16 * 1024;
const MAX_EMOJI_FIELD_BYTES = 4096;
/** After a refusal, this much more of the body is read (so the client sees the answer), then the socket is cut. */
const MAX_DISCARD_BYTES = 1024 * 1024;

export interface EmojiForm {
  /** The `emoji` field's text, when sent. */
  emoji: string | undefined;
  /** The first `image` file's bytes, when sent. */
  image: Buffer | undefined;
}

export const emojiTooLarge = (): ChatError =>
  new ChatError(413, 'api.emoji.create.too_large.app_error', `The emoji image must be at most ${MAX_EMOJI_IMAGE_BYTES / 1024} KiB.`);

const unreadable = (detail: string): ChatError =>
  badRequest('api.emoji.create.parse.app_error',
    'The upload could not be read: send multipart/form-data with one "image" file and an "emoji" field.', detail);

const discarding = new WeakSet<Request>();

/** Lets the rest of a refused body drain, up to a bound, so the refusal reaches the client. */
export function discardBody(req: Request): void {
  if (req.complete || req.destroyed || discarding.has(req)) return;
  discarding.add(req);
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) req.destroy();
  });
  req.resume();
}

function createParser(req: Request): busboy.Busboy {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_EMOJI_IMAGE_BYTES + MAX_FORM_OVERHEAD) throw emojiTooLarge();
  try {
    return busboy({
      headers: req.headers,
      limits: { fileSize: MAX_EMOJI_IMAGE_BYTES, files: 1, fields: 4, parts: 5, fieldSize: MAX_EMOJI_FIELD_BYTES, headerPairs: 16 },
    });
  } catch (error) {
    throw unreadable((error as Error).message);
  }
}

export function readEmojiForm(req: Request): Promise<EmojiForm> {
  const parser = createParser(req);
  return new Promise((resolve, reject) => {
    const form: EmojiForm = { emoji: undefined, image: undefined };
    let settled = false;
    const fail = (error: ChatError): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      parser.removeAllListeners('close');
      discardBody(req);
      reject(error);
    };
    parser.on('file', (name: string, stream: NodeJS.ReadableStream & { truncated?: boolean }) => {
      if (name !== 'image') return void stream.resume();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(emojiTooLarge()));
      stream.on('end', () => { if (!stream.truncated) form.image = Buffer.concat(chunks); });
    });
    parser.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
      if (name !== 'emoji') return;
      if (info.valueTruncated) return fail(badRequest('api.context.invalid_body_param.app_error', 'Invalid or missing emoji in request body.'));
      form.emoji = value;
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit']) parser.on(limit, () => fail(unreadable(limit)));
    parser.on('error', (error: Error) => fail(unreadable(error.message)));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(form);
    });
    req.on('error', (error: Error) => fail(unreadable(error.message)));
    req.pipe(parser);
  });
}

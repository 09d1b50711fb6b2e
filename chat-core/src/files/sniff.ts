/**
 * Content sniffing: what an upload *is*, decided from its first bytes, never from the type or the
 * name the client sent. Anything unrecognised is `application/octet-stream`, which is only ever
 * served as an attachment.
 */
import { imageSize, type ImageSize } from './image-size.js';

export interface SniffedContent extends ImageSize {
  mimeType: string;
}

type Matcher = (head: Buffer) => boolean;

const ascii = (head: Buffer, offset: number, text: string): boolean =>
  head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;

const bytes = (head: Buffer, offset: number, values: readonly number[]): boolean =>
  head.length >= offset + values.length && values.every((value, i) => head[offset + i] === value);

/** BMP's two-byte "BM" is too weak alone: the DIB header size must be one of the known ones too. */
const DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);
const isBmp: Matcher = (head) => ascii(head, 0, 'BM') && head.length >= 18 && DIB_HEADER_SIZES.has(head.readUInt32LE(14));

/** ISO base media (`ftyp` box): QuickTime and the MP4 family; other brands (HEIF, AVIF…) are not video. */
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VH', 'M4VP', 'dash', 'mmp4', 'f4v ']);
const ftypBrand = (head: Buffer): string | undefined => (ascii(head, 4, 'ftyp') && head.length >= 12 ? head.toString('latin1', 8, 12) : undefined);

/** An MPEG audio layer III frame header: 11 sync bits, a defined version, layer bits 01. */
const isMp3Frame: Matcher = (head) => {
  if (head.length < 3 || head[0] !== 0xff) return false;
  const second = head[1]!;
  const version = (second >> 3) & 0b11;
  const layer = (second >> 1) & 0b11;
  const bitrate = head[2]! >> 4;
  return (second & 0xe0) === 0xe0 && version !== 0b01 && layer === 0b01 && bitrate !== 0b1111;
};

/** First match wins; order matters only where signatures share a prefix (RIFF). */
const SIGNATURES: ReadonlyArray<readonly [string, Matcher]> = [
  ['image/png', (h) => bytes(h, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ['image/jpeg', (h) => bytes(h, 0, [0xff, 0xd8, 0xff])],
  ['image/gif', (h) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a')],
  ['image/webp', (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WEBP')],
  ['audio/wav', (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WAVE')],
  ['image/bmp', isBmp],
  ['application/pdf', (h) => ascii(h, 0, '%PDF-')],
  ['application/zip', (h) => ascii(h, 0, 'PK') && (bytes(h, 2, [3, 4]) || bytes(h, 2, [5, 6]) || bytes(h, 2, [7, 8]))],
  ['application/gzip', (h) => bytes(h, 0, [0x1f, 0x8b, 0x08])],
  ['video/quicktime', (h) => ftypBrand(h) === 'qt  '],
  ['audio/mp4', (h) => ftypBrand(h) === 'M4A '],
  ['video/mp4', (h) => MP4_BRANDS.has(ftypBrand(h) ?? '')],
  ['audio/mpeg', (h) => ascii(h, 0, 'ID3') || isMp3Frame(h)],
  ['audio/ogg', (h) => ascii(h, 0, 'OggS')],
];

/** How much of the start of a file is looked at to call it text. */
export const TEXT_SNIFF_BYTES = 8192;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Control characters other than tab, line feed, form feed, carriage return and escape mean binary. */
function hasBinaryControl(head: Buffer): boolean {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return true;
    if (byte === 0x7f) return true;
  }
  return false;
}

/** Where a UTF-8 sequence cut off by the sniff window begins, so the cut is not taken for bad UTF-8. */
function completeUtf8Length(head: Buffer): number {
  for (let back = 1; back <= Math.min(3, head.length); back += 1) {
    const byte = head[head.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? head.length - back : head.length;
  }
  return head.length;
}

/** Plain UTF-8 text: valid UTF-8 (a BOM is fine) with no binary control characters. */
export function looksLikeText(content: Buffer): boolean {
  if (content.length === 0) return false;
  const cut = content.length > TEXT_SNIFF_BYTES;
  let head = content.subarray(0, TEXT_SNIFF_BYTES);
  if (hasBinaryControl(head)) return false;
  if (cut) head = head.subarray(0, completeUtf8Length(head));
  try {
    decoder.decode(head);
    return true;
  } catch {
    return false;
  }
}

/** The MIME type of `content`, from its magic bytes. */
export function sniffMimeType(content: Buffer): string {
  for (const [mimeType, matches] of SIGNATURES) if (matches(content)) return mimeType;
  return looksLikeText(content) ? 'text/plain' : 'application/octet-stream';
}

/** The sniffed type and, for png/gif/jpeg/webp, the pixel size from the image's header. */
export function sniffContent(content: Buffer): SniffedContent {
  const mimeType = sniffMimeType(content);
  return { mimeType, ...imageSize(content, mimeType) };
}

/** Images a browser may show inline (never SVG, never anything scriptable). */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function isInlineImage(mimeType: string): boolean {
  return INLINE_IMAGES.has(mimeType);
}

/**
 * What an uploaded emoji image is, decided from its bytes alone (never the client's file name or
 * Content-Type): PNG, GIF, JPEG or WebP whose header parses to a non-empty size. Anything else —
 * SVG (it can carry script), HTML, a PNG signature on other content — is not an image here.
 */
import { crc32 } from 'node:zlib';

export type EmojiImageType = 'image/png' | 'image/gif' | 'image/jpeg' | 'image/webp';

export const EMOJI_IMAGE_TYPES: ReadonlySet<string> = new Set<EmojiImageType>(['image/png', 'image/gif', 'image/jpeg', 'image/webp']);

export interface EmojiImageInfo {
  mimeType: EmojiImageType;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_BIT_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function sized(mimeType: EmojiImageType, width: number, height: number): EmojiImageInfo | undefined {
  return width > 0 && height > 0 ? { mimeType, width, height } : undefined;
}

/** Signature, then an IHDR chunk first with a valid CRC, bit depth and colour type (PNG §11.2.2). */
function png(data: Buffer): EmojiImageInfo | undefined {
  if (data.length < 33 || !data.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  if (data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  if (crc32(data.subarray(12, 29)) !== data.readUInt32BE(29)) return undefined;
  const depth = data[24]!;
  const colourType = data[25]!;
  if (!PNG_BIT_DEPTHS[colourType]?.includes(depth)) return undefined;
  return sized('image/png', data.readUInt32BE(16), data.readUInt32BE(20));
}

/** Header and logical screen descriptor (GIF89a §17–18). */
function gif(data: Buffer): EmojiImageInfo | undefined {
  if (data.length < 13) return undefined;
  const header = data.toString('latin1', 0, 6);
  if (header !== 'GIF87a' && header !== 'GIF89a') return undefined;
  return sized('image/gif', data.readUInt16LE(6), data.readUInt16LE(8));
}

const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** SOI, then marker segments up to the first start-of-frame, which carries the size (ITU T.81 §B.2). */
function jpeg(data: Buffer): EmojiImageInfo | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return undefined;
    const marker = data[at + 1]!;
    if (marker === 0xff) { at += 1; continue; }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
    if (marker === 0xd8 || marker === 0xd9 || marker === 0xda) return undefined;
    const length = data.readUInt16BE(at + 2);
    if (length < 2) return undefined;
    if (JPEG_SOF.has(marker)) {
      if (length < 8 || at + 9 > data.length) return undefined;
      return sized('image/jpeg', data.readUInt16BE(at + 7), data.readUInt16BE(at + 5));
    }
    at += 2 + length;
  }
  return undefined;
}

/** RIFF/WEBP with a VP8 (lossy), VP8L (lossless) or VP8X (extended) first chunk. */
function webp(data: Buffer): EmojiImageInfo | undefined {
  if (data.length < 30 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  const chunk = data.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    if (data[23] !== 0x9d || data[24] !== 0x01 || data[25] !== 0x2a) return undefined;
    return sized('image/webp', data.readUInt16LE(26) & 0x3fff, data.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (data[20] !== 0x2f) return undefined;
    const bits = data.readUInt32LE(21);
    return sized('image/webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return sized('image/webp', data.readUIntLE(24, 3) + 1, data.readUIntLE(27, 3) + 1);
  return undefined;
}

/** The image's type and size, or undefined when the bytes are not one of the accepted formats. */
export function sniffEmojiImage(data: Buffer): EmojiImageInfo | undefined {
  return png(data) ?? gif(data) ?? jpeg(data) ?? webp(data);
}

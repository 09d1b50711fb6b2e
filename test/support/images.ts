/** Small real images for upload tests: PNGs built chunk by chunk (with CRCs), and a 1×1 GIF. */
import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export interface PngOptions {
  /** IHDR colour type: 6 RGBA (default), 2 RGB. */
  colourType?: number;
  /** IHDR bit depth (default 8; tests pass invalid ones on purpose). */
  depth?: number;
  /** The value of every pixel byte, so two images can differ. */
  fill?: number;
}

/** A complete PNG of the given size. */
export function pngImage(width: number, height: number, options: PngOptions = {}): Buffer {
  const colourType = options.colourType ?? 6;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = options.depth ?? 8;
  ihdr[9] = colourType;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * (colourType === 2 ? 3 : 4), options.fill ?? 0)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', pixels), pngChunk('IEND', Buffer.alloc(0))]);
}

export const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

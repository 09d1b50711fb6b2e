/**
 * Pixel size of png, gif, jpeg and webp images, read from their headers (never by decoding the
 * image). A header that does not parse gives 0 × 0, never an error: the upload is still kept.
 */

export interface ImageSize {
  width: number;
  height: number;
}

const NONE: ImageSize = { width: 0, height: 0 };

/** The integer columns' range (and PNG's own limit, spec §11.2.2). */
const MAX_DIMENSION = 0x7fffffff;

const fits = (value: number): boolean => value > 0 && value <= MAX_DIMENSION;
const sized = (width: number, height: number): ImageSize => (fits(width) && fits(height) ? { width, height } : NONE);

function pngSize(data: Buffer): ImageSize {
  // The IHDR chunk comes first (PNG spec §5.6): width and height at bytes 16 and 20.
  if (data.length < 24 || data.toString('latin1', 12, 16) !== 'IHDR') return NONE;
  return sized(data.readUInt32BE(16), data.readUInt32BE(20));
}

function gifSize(data: Buffer): ImageSize {
  if (data.length < 10) return NONE;
  return sized(data.readUInt16LE(6), data.readUInt16LE(8));
}

function webpSize(data: Buffer): ImageSize {
  if (data.length < 25) return NONE;
  switch (data.toString('latin1', 12, 16)) {
    case 'VP8 ': // lossy: a key frame's start code, then 14-bit width and height
      if (data.length < 30 || data[23] !== 0x9d || data[24] !== 0x01 || data[25] !== 0x2a) return NONE;
      return sized(data.readUInt16LE(26) & 0x3fff, data.readUInt16LE(28) & 0x3fff);
    case 'VP8L': { // lossless: signature 0x2f, then width-1 and height-1 in 14 bits each
      if (data[20] !== 0x2f) return NONE;
      const bits = data.readUInt32LE(21);
      return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    case 'VP8X': // extended: canvas width-1 and height-1 in 24 bits each
      if (data.length < 30) return NONE;
      return sized(data.readUIntLE(24, 3) + 1, data.readUIntLE(27, 3) + 1);
    default:
      return NONE;
  }
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** Markers that stand alone, with no length after them. */
const isStandalone = (marker: number): boolean => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
/** Enough for any real header section; a file that never reaches a frame is not walked to its end. */
const MAX_JPEG_SEGMENTS = 1024;

function jpegSize(data: Buffer): ImageSize {
  let offset = 2;
  for (let segment = 0; segment < MAX_JPEG_SEGMENTS && offset + 4 <= data.length; segment += 1) {
    if (data[offset] !== 0xff) return NONE;
    const marker = data[offset + 1]!;
    if (marker === 0xff) { offset += 1; continue; } // fill byte
    if (marker === 0xd9 || marker === 0xda) return NONE; // end of image, or scan data before any frame
    if (isStandalone(marker)) { offset += 2; continue; }
    const length = data.readUInt16BE(offset + 2);
    if (length < 2) return NONE;
    if (isStartOfFrame(marker)) {
      if (offset + 9 > data.length) return NONE;
      return sized(data.readUInt16BE(offset + 7), data.readUInt16BE(offset + 5));
    }
    offset += 2 + length;
  }
  return NONE;
}

/** Width and height for the image types that have them; 0 × 0 for everything else. */
export function imageSize(data: Buffer, mimeType: string): ImageSize {
  switch (mimeType) {
    case 'image/png': return pngSize(data);
    case 'image/gif': return gifSize(data);
    case 'image/jpeg': return jpegSize(data);
    case 'image/webp': return webpSize(data);
    default: return NONE;
  }
}

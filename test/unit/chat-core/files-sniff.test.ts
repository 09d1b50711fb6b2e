import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { imageSize } from '../../../chat-core/src/files/image-size.js';
import { TEXT_SNIFF_BYTES, isInlineImage, looksLikeText, sniffContent, sniffMimeType } from '../../../chat-core/src/files/sniff.js';
import { pngImage } from '../../integration/chat-core/files-harness.js';

const bytes = (...parts: (string | number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));
const u16le = (value: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(value); return b; };
const u16be = (value: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(value); return b; };
const u32le = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };
const u24le = (value: number) => Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);

const gif = (width: number, height: number) => bytes('GIF89a', u16le(width), u16le(height), [0xf7, 0, 0], ';');
/** SOI, an APP0 segment, a DQT-ish filler segment, then SOF0 (or SOF2) with the size. */
const jpeg = (width: number, height: number, sof = 0xc0) => bytes(
  [0xff, 0xd8], [0xff, 0xe0], u16be(16), 'JFIF\0', Buffer.alloc(9),
  [0xff, 0xff], [0xff, 0xdb], u16be(4), [0, 0],
  [0xff, sof], u16be(17), [8], u16be(height), u16be(width), [3], Buffer.alloc(9),
  [0xff, 0xd9],
);
const riff = (kind: string, chunk: Buffer) => bytes('RIFF', u32le(4 + chunk.length), kind, chunk);
const webpLossy = (width: number, height: number) => riff('WEBP', bytes('VP8 ', u32le(10), [0x30, 0x01, 0x00], [0x9d, 0x01, 0x2a], u16le(width), u16le(height), Buffer.alloc(4)));
const webpLossless = (width: number, height: number) => {
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
  return riff('WEBP', bytes('VP8L', u32le(5), [0x2f], u32le(bits), Buffer.alloc(4)));
};
const webpExtended = (width: number, height: number) => riff('WEBP', bytes('VP8X', u32le(10), [0, 0, 0, 0], u24le(width - 1), u24le(height - 1), Buffer.alloc(2)));
const ftyp = (brand: string) => bytes(u32le(0).reverse(), 'ftyp', brand, [0, 0, 2, 0], 'isomiso2');

describe('content sniffing', () => {
  it.each<[string, Buffer, string]>([
    ['a real png', pngImage(4, 3), 'image/png'],
    ['a jpeg', jpeg(640, 480), 'image/jpeg'],
    ['a gif', gif(16, 8), 'image/gif'],
    ['a lossy webp', webpLossy(300, 200), 'image/webp'],
    ['a bmp', bytes('BM', u32le(70), u32le(0), u32le(54), u32le(40), Buffer.alloc(40)), 'image/bmp'],
    ['a pdf', bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj'), 'application/pdf'],
    ['a zip', bytes('PK', [3, 4], Buffer.alloc(26)), 'application/zip'],
    ['an empty zip', bytes('PK', [5, 6], Buffer.alloc(18)), 'application/zip'],
    ['a gzip stream', gzipSync('hello'), 'application/gzip'],
    ['an mp4', ftyp('isom'), 'video/mp4'],
    ['a QuickTime movie', ftyp('qt  '), 'video/quicktime'],
    ['an m4a', ftyp('M4A '), 'audio/mp4'],
    ['an mp3 with an ID3 tag', bytes('ID3', [4, 0, 0], Buffer.alloc(10)), 'audio/mpeg'],
    ['a bare mp3 frame', bytes([0xff, 0xfb, 0x90, 0x64], Buffer.alloc(20)), 'audio/mpeg'],
    ['an ogg stream', bytes('OggS', [0, 2], Buffer.alloc(20)), 'audio/ogg'],
    ['a wav', riff('WAVE', bytes('fmt ', u32le(16), Buffer.alloc(16))), 'audio/wav'],
    ['plain text', Buffer.from('hello, world\n\tindented\r\n'), 'text/plain'],
    ['UTF-8 text with a BOM', Buffer.from('\ufeffgrüße, 世界 😀'), 'text/plain'],
    ['an HTML page (served as text, never as HTML)', Buffer.from('<!doctype html><script>alert(1)</script>'), 'text/plain'],
    ['an SVG (text, never an inline image)', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'text/plain'],
    ['binary with NUL bytes', Buffer.from([0x68, 0x69, 0x00, 0x01]), 'application/octet-stream'],
    ['invalid UTF-8', Buffer.from([0x68, 0xc3, 0x28]), 'application/octet-stream'],
    ['an empty file', Buffer.alloc(0), 'application/octet-stream'],
    ['a HEIF image (an ftyp brand that is not video)', ftyp('heic'), 'application/octet-stream'],
    ['"BM" text is text, not a bitmap', Buffer.from('BM is a nice band name'), 'text/plain'],
    ['an ADTS AAC frame is not mp3', bytes([0xff, 0xf1, 0x50, 0x80], Buffer.alloc(8)), 'application/octet-stream'],
  ])('recognises %s', (_label, content, mimeType) => {
    expect(sniffMimeType(content)).toBe(mimeType);
  });

  it('calls a long UTF-8 text text even when the sniff window cuts a character in two', () => {
    const text = Buffer.from(`${'a'.repeat(TEXT_SNIFF_BYTES - 1)}€ and more`);
    expect(text[TEXT_SNIFF_BYTES - 1]).toBe(0xe2);
    expect(looksLikeText(text)).toBe(true);
    expect(looksLikeText(Buffer.concat([Buffer.from('a'.repeat(100)), Buffer.from([0xe2, 0x82])]))).toBe(false);
  });

  it('treats only png, jpeg, gif and webp as inline images', () => {
    expect(['image/png', 'image/jpeg', 'image/gif', 'image/webp'].every(isInlineImage)).toBe(true);
    expect(['image/bmp', 'image/svg+xml', 'text/html', 'text/plain', 'application/pdf'].some(isInlineImage)).toBe(false);
  });
});

describe('image size from headers', () => {
  it.each<[string, Buffer, number, number]>([
    ['png', pngImage(37, 12), 37, 12],
    ['gif', gif(320, 240), 320, 240],
    ['baseline jpeg', jpeg(1920, 1080), 1920, 1080],
    ['progressive jpeg', jpeg(800, 600, 0xc2), 800, 600],
    ['lossy webp', webpLossy(300, 200), 300, 200],
    ['lossless webp', webpLossless(1000, 16383), 1000, 16383],
    ['extended webp', webpExtended(5000, 3000), 5000, 3000],
  ])('reads the size of a %s', (_label, content, width, height) => {
    expect(sniffContent(content)).toMatchObject({ width, height });
  });

  it('gives 0 × 0 for a header that does not parse, and never throws', () => {
    expect(imageSize(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png')).toEqual({ width: 0, height: 0 });
    expect(imageSize(bytes([0xff, 0xd8], [0xff, 0xe0], u16be(0)), 'image/jpeg')).toEqual({ width: 0, height: 0 });
    expect(imageSize(bytes([0xff, 0xd8], [0xff, 0xda], u16be(8), Buffer.alloc(8)), 'image/jpeg')).toEqual({ width: 0, height: 0 });
    expect(imageSize(bytes([0xff, 0xd8], ...Array.from({ length: 2000 }, () => Buffer.from([0xff, 0xe1, 0, 2]))), 'image/jpeg')).toEqual({ width: 0, height: 0 });
    expect(imageSize(riff('WEBP', bytes('VP8 ', Buffer.alloc(20))), 'image/webp')).toEqual({ width: 0, height: 0 });
    const huge = pngImage(1, 1);
    huge.writeUInt32BE(0xffffffff, 16);
    expect(imageSize(huge, 'image/png')).toEqual({ width: 0, height: 0 });
    expect(sniffContent(Buffer.from('text'))).toEqual({ mimeType: 'text/plain', width: 0, height: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { sniffEmojiImage } from '../../../chat-core/src/emoji/emoji-image.js';
import { GIF_1X1, pngImage } from '../../support/images.js';

const png = (width: number, height: number, colourType = 6, depth = 8): Buffer => pngImage(width, height, { colourType, depth });


function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

function riff(chunkType: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(12 + payload.length, 4);
  head.write('WEBP', 8, 'latin1');
  head.write(chunkType, 12, 'latin1');
  head.writeUInt32LE(payload.length, 16);
  return Buffer.concat([head, payload, Buffer.alloc(8)]);
}

const webpLossless = (width: number, height: number): Buffer => {
  const payload = Buffer.alloc(5);
  payload[0] = 0x2f;
  payload.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 1);
  return riff('VP8L', payload);
};

const webpLossy = (width: number, height: number): Buffer => {
  const payload = Buffer.alloc(10);
  payload.set([0x9d, 0x01, 0x2a], 3);
  payload.writeUInt16LE(width, 6);
  payload.writeUInt16LE(height, 8);
  return riff('VP8 ', payload);
};

const webpExtended = (width: number, height: number): Buffer => {
  const payload = Buffer.alloc(10);
  payload.writeUIntLE(width - 1, 4, 3);
  payload.writeUIntLE(height - 1, 7, 3);
  return riff('VP8X', payload);
};

describe('emoji image sniffing', () => {
  it('recognizes PNG, GIF, JPEG and the three WebP kinds by their bytes, with their size', () => {
    expect(sniffEmojiImage(png(64, 32))).toEqual({ mimeType: 'image/png', width: 64, height: 32 });
    expect(sniffEmojiImage(GIF_1X1)).toEqual({ mimeType: 'image/gif', width: 1, height: 1 });
    expect(sniffEmojiImage(jpeg(300, 200))).toEqual({ mimeType: 'image/jpeg', width: 300, height: 200 });
    expect(sniffEmojiImage(webpLossless(128, 96))).toEqual({ mimeType: 'image/webp', width: 128, height: 96 });
    expect(sniffEmojiImage(webpLossy(40, 50))).toEqual({ mimeType: 'image/webp', width: 40, height: 50 });
    expect(sniffEmojiImage(webpExtended(2000, 1))).toEqual({ mimeType: 'image/webp', width: 2000, height: 1 });
  });

  it('refuses SVG and HTML, whatever name or type the client gave them', () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
    const html = Buffer.from('<!DOCTYPE html><html><body><script>fetch("/api/v4/users/me")</script></body></html>');
    expect(sniffEmojiImage(svg)).toBeUndefined();
    expect(sniffEmojiImage(html)).toBeUndefined();
    expect(sniffEmojiImage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), svg]))).toBeUndefined();
  });

  it('refuses a PNG signature in front of anything but a well-formed IHDR', () => {
    const good = png(4, 4);
    const signatureThenHtml = Buffer.concat([good.subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')]);
    expect(sniffEmojiImage(signatureThenHtml)).toBeUndefined();
    const badCrc = Buffer.from(good);
    badCrc[30] = badCrc[30]! ^ 0xff;
    expect(sniffEmojiImage(badCrc)).toBeUndefined();
    expect(sniffEmojiImage(png(4, 4, 6, 3))).toBeUndefined();
    expect(sniffEmojiImage(png(0, 4))).toBeUndefined();
  });

  it('refuses truncated or empty headers of every format', () => {
    for (const image of [png(8, 8), GIF_1X1, jpeg(8, 8), webpLossless(8, 8), webpLossy(8, 8)]) {
      expect(sniffEmojiImage(image.subarray(0, 12))).toBeUndefined();
    }
    expect(sniffEmojiImage(Buffer.alloc(0))).toBeUndefined();
    expect(sniffEmojiImage(Buffer.from('GIF89a\0\0\0\0\0\0\0'))).toBeUndefined();
    expect(sniffEmojiImage(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08]))).toBeUndefined();
  });
});

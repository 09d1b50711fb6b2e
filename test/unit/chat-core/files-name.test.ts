import { describe, expect, it } from 'vitest';
import { MAX_FILE_NAME_BYTES, contentDisposition, extensionOf, sanitizeFileName } from '../../../chat-core/src/files/file-name.js';

describe('file name sanitising', () => {
  it.each<[string, string, string]>([
    ['a path going up', '../../etc/passwd', 'passwd'],
    ['a Windows path', '..\\..\\Windows\\System32\\x.exe', 'x.exe'],
    ['mixed separators', 'a/b\\c/../d.txt', 'd.txt'],
    ['a trailing separator', 'folder/', 'file'],
    ['a right-to-left override hiding .exe', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['isolates and marks', '\u2067photo\u2069\u200F.jpg\u200E', 'photo.jpg'],
    ['a BOM', '\ufeffnotes.txt', 'notes.txt'],
    ['NUL and control characters', 'na\u0000me\u0007\u001b\u009b.txt', 'name.txt'],
    ['a newline (header injection)', 'a.txt\r\nSet-Cookie: x=1', 'a.txtSet-Cookie: x=1'],
    ['leading dots (a hidden file)', '...htaccess', 'htaccess'],
    ['only dots', '..', 'file'],
    ['surrounding spaces and dots', '  report.pdf . ', 'report.pdf'],
    ['nothing at all', '', 'file'],
    ['only invisible characters', '\u202E\u0000\u200F', 'file'],
    ['a lone surrogate', 'bad\ud800name.txt', 'badname.txt'],
    ['decomposed accents (kept, as NFC)', 'Cafe\u0301.txt', 'Café.txt'],
    ['an ordinary name', 'Quarterly results (final) 2025.xlsx', 'Quarterly results (final) 2025.xlsx'],
  ])('cleans %s', (_label, raw, clean) => {
    expect(sanitizeFileName(raw)).toBe(clean);
  });

  it('caps the name at 255 UTF-8 bytes and keeps the extension', () => {
    const long = `${'ж'.repeat(300)}.tar.gz`;
    const clean = sanitizeFileName(long);
    expect(Buffer.byteLength(clean)).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
    expect(clean.endsWith('ж.gz')).toBe(true);
    const emoji = sanitizeFileName(`${'😀'.repeat(100)}.png`);
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
    expect(emoji).toMatch(/^(😀)+\.png$/u);
    const noExtension = sanitizeFileName(`${'a'.repeat(200)}.${'b'.repeat(100)}`);
    expect(Buffer.byteLength(noExtension)).toBe(MAX_FILE_NAME_BYTES);
    expect(sanitizeFileName('a'.repeat(255))).toBe('a'.repeat(255));
  });

  it('derives Mattermost\'s extension: lower case, no dot, none for dot files or absurd suffixes', () => {
    expect(extensionOf('Photo.JPEG')).toBe('jpeg');
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('README')).toBe('');
    expect(extensionOf('.env')).toBe('');
    expect(extensionOf(`a.${'x'.repeat(40)}`)).toBe('');
    expect(extensionOf('a.has space')).toBe('');
  });
});

describe('Content-Disposition', () => {
  it('sends an ASCII fallback and the exact UTF-8 name (RFC 6266)', () => {
    expect(contentDisposition('attachment', 'plain.txt')).toBe(`attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`);
    expect(contentDisposition('inline', 'Füße "quoted" 100%.png'))
      .toBe(`inline; filename="F__e _quoted_ 100_.png"; filename*=UTF-8''F%C3%BC%C3%9Fe%20%22quoted%22%20100%25.png`);
    expect(contentDisposition('attachment', "it's (1)*.txt")).toBe(`attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`);
  });

  it('never lets a name break out of the header', () => {
    const header = contentDisposition('attachment', sanitizeFileName('x.txt\r\nX-Evil: 1\\"; filename="evil.html'));
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.match(/filename="/g)).toHaveLength(1);
    expect(header).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]*$/);
  });
});

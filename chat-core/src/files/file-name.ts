/**
 * File names as a client sent them are display text only: the store key never comes from them.
 * They are still cleaned, because they reach other people's screens, download dialogs and
 * `Content-Disposition` headers.
 */

/** Longest stored name, in UTF-8 bytes (what most file systems accept for one path segment). */
export const MAX_FILE_NAME_BYTES = 255;
/** An extension longer than this is taken as part of the name, not kept through truncation. */
const MAX_EXTENSION_LENGTH = 32;
const FALLBACK_NAME = 'file';

/** C0 controls (NUL included), DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/**
 * Bidirectional marks, embeddings, overrides and isolates, and the BOM: an RLO can make
 * `invoice\u202Efdp.exe` display as `invoiceexe.pdf`.
 */
const BIDI_AND_BOM = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** Half of a surrogate pair on its own (not text; PostgreSQL would receive U+FFFD instead). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LEADING_JUNK = /^[\s.]+/u;
const TRAILING_JUNK = /[\s.]+$/u;

/** The final path segment, whichever separator the client's system uses. */
function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

/** `.ext` when the name has a plausible extension, else ''. */
function extensionPart(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return '';
  const extension = name.slice(dot);
  return extension.length - 1 <= MAX_EXTENSION_LENGTH && !/\s/u.test(extension) ? extension : '';
}

/** The longest prefix of `text` (whole code points) that fits in `maxBytes` of UTF-8. */
function cutToBytes(text: string, maxBytes: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > maxBytes) break;
    used += size;
    out += char;
  }
  return out;
}

function truncate(name: string): string {
  if (Buffer.byteLength(name) <= MAX_FILE_NAME_BYTES) return name;
  const extension = extensionPart(name);
  const stem = name.slice(0, name.length - extension.length);
  return cutToBytes(stem, MAX_FILE_NAME_BYTES - Buffer.byteLength(extension)).replace(TRAILING_JUNK, '') + extension;
}

/**
 * A name safe to store and show: no directory part (`/` or `\`), no control characters, NUL or
 * bidi overrides, no leading dots, trimmed, NFC, at most 255 UTF-8 bytes with the extension kept;
 * `file` when nothing is left.
 */
export function sanitizeFileName(raw: string): string {
  const cleaned = raw.replace(LONE_SURROGATE, '').replace(CONTROL, '').replace(BIDI_AND_BOM, '').normalize('NFC');
  const name = truncate(baseName(cleaned).replace(LEADING_JUNK, '').replace(TRAILING_JUNK, ''));
  return name === '' ? FALLBACK_NAME : name;
}

/** Mattermost's FileInfo.extension: lower case, without the dot; '' when there is none. */
export function extensionOf(name: string): string {
  return extensionPart(name).slice(1).toLowerCase();
}

/** RFC 5987 attr-char: what encodeURIComponent leaves alone, minus ' ( ) *. */
function encodeExtValue(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `Content-Disposition` (RFC 6266 §4.3): an ASCII-only `filename` for old clients and the exact
 * name as UTF-8 in `filename*`.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

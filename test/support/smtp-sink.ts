/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, port 0) that keeps every message it
 * accepts: envelope, raw RFC 5322 text, and the decoded subject, text and HTML parts. With `tls`
 * it offers STARTTLS with a certificate (SAN IP:127.0.0.1, DNS:localhost) from a throwaway CA made
 * with openssl, whose PEM file is `caFile`; without, STARTTLS is disabled. With `auth` it requires
 * AUTH PLAIN/LOGIN with that user and password (over TLS when `tls`, else in clear). Every AUTH
 * attempt is recorded, so a test can show a password was never sent.
 *
 * Messages are parsed by hand (no mailparser): headers unfolded, RFC 2047 encoded words,
 * multipart bodies, quoted-printable and base64 parts — enough for what nodemailer produces.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { testCertificates } from './test-ca.js';

export interface SinkMessage {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  raw: string;
  /** Top-level headers, lower-case names, unfolded and decoded. */
  headers: Map<string, string>;
  subject: string;
  /** The decoded text/plain part ('' when none). */
  text: string;
  /** The decoded text/html part ('' when none). */
  html: string;
  /** Whether the message came over TLS (STARTTLS). */
  secure: boolean;
  /** The authenticated user, if any. */
  user?: string;
}

export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  /** PEM file of the CA that signed the server certificate (with `tls`). */
  caFile?: string;
  messages: SinkMessage[];
  /** Every AUTH attempt: who, whether it succeeded, whether the connection was encrypted. */
  authAttempts: { user: string; ok: boolean; secure: boolean }[];
  /** Resolves with the messages once at least `n` have arrived; rejects after `timeoutMs` (default 5000). */
  waitFor(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;
const liveDirs = new Set<string>();
process.once('exit', () => { for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true }); });

export interface SmtpSinkOptions {
  tls?: boolean;
  /** Require AUTH as this user; `echoOnFailure` puts the rejected password into the 535 reply, as a careless server might. */
  auth?: { user: string; pass: string; echoOnFailure?: boolean };
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const authAttempts: SmtpSink['authAttempts'] = [];
  const waiters = new Set<() => void>();
  const certs = opts.tls ? await makeCertificates() : undefined;
  const { auth } = opts;

  const server = new SMTPServer({
    secure: false,
    name: 'smtp-sink.test',
    logger: false,
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,
    disabledCommands: [...(opts.tls ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
    authOptional: !auth,
    allowInsecureAuth: !opts.tls,
    socketTimeout: 10_000,
    closeTimeout: 1_000,
    ...(certs ? { key: certs.keyPem, cert: certs.certPem } : {}),
    onAuth(attempt, session, callback) {
      const user = attempt.username ?? '';
      const ok = auth !== undefined && user === auth.user && attempt.password === auth.pass;
      authAttempts.push({ user, ok, secure: session.secure });
      if (ok) callback(null, { user });
      else callback(Object.assign(new Error(`Authentication credentials invalid${auth?.echoOnFailure ? ` for ${user}:${attempt.password ?? ''}` : ''}`), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('message too big for the test sink'), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMessage(raw),
          secure: session.secure,
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    ...(certs ? { caFile: certs.caFile } : {}),
    messages,
    authAttempts,
    waitFor(n, timeoutMs = 5000) {
      if (messages.length >= n) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (messages.length < n) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`the SMTP sink received ${messages.length} of ${n} messages within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (certs) { rmSync(certs.dir, { recursive: true, force: true }); liveDirs.delete(certs.dir); }
    },
  };
}

// ---- parsing --------------------------------------------------------------------------------

interface ParsedParts { headers: Map<string, string>; subject: string; text: string; html: string }

/** Parse an RFC 5322 message as nodemailer writes it (also used to read outbox `.eml` files). */
export function parseMessage(raw: string): ParsedParts {
  const entity = parseEntity(raw);
  const parts = flatten(entity);
  const find = (type: string) => parts.find((p) => contentType(p.headers).type === type);
  const text = find('text/plain');
  const html = find('text/html');
  return {
    headers: entity.headers,
    subject: entity.headers.get('subject') ?? '',
    text: text ? decodeBody(text) : '',
    html: html ? decodeBody(html) : '',
  };
}

interface Entity { headers: Map<string, string>; body: string }

function parseEntity(raw: string): Entity {
  const normalised = raw.replace(/\r\n/g, '\n');
  const split = normalised.indexOf('\n\n');
  const head = split === -1 ? normalised : normalised.slice(0, split);
  const body = split === -1 ? '' : normalised.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function flatten(entity: Entity, depth = 0): Entity[] {
  const { type, params } = contentType(entity.headers);
  if (!type.startsWith('multipart/') || !params.boundary || depth > 5) return [entity];
  const delimiter = `--${params.boundary}`;
  const sections = entity.body.split(`\n${delimiter}`);
  // Before the first delimiter is the preamble, after the closing `--` the epilogue.
  const first = entity.body.startsWith(delimiter) ? [entity.body.slice(delimiter.length), ...sections.slice(1)] : sections.slice(1);
  return first
    .filter((s) => !s.startsWith('--'))
    .map((s) => parseEntity(s.replace(/^[ \t]*\n/, '')))
    .flatMap((e) => flatten(e, depth + 1));
}

function contentType(headers: Map<string, string>): { type: string; params: Record<string, string> } {
  const [type = 'text/plain', ...rest] = (headers.get('content-type') ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(entity: Entity): string {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body = entity.body.replace(/\n$/, '');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** RFC 2045 §6.7: `=XX` octets, `=` at a line end is a soft break. */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/[ \t]+$/gm, '').replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 2; }
    else bytes.push(...Buffer.from(joined[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); whitespace between adjacent words is dropped. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')));
}

// ---- certificates ---------------------------------------------------------------------------

/** The shared test CA (test/support/test-ca.ts), with its CA written to a file the mailer's `tls.caFile` can name. */
async function makeCertificates(): Promise<{ dir: string; caFile: string; keyPem: string; certPem: string }> {
  const certs = await testCertificates();
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-smtp-sink-'));
  liveDirs.add(dir);
  await writeFile(join(dir, 'ca.pem'), certs.caPem);
  return { dir, caFile: join(dir, 'ca.pem'), keyPem: certs.serverKeyPem, certPem: certs.serverCertPem };
}

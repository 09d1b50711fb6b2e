/**
 * Sending mail: through the configured SMTP server with nodemailer (one connection per message,
 * STARTTLS required unless configured otherwise, certificates checked), or, without `mail.smtp`,
 * into an outbox folder as one RFC 5322 `.eml` file per message, which the log points to.
 * Messages carry single-use links, which are secrets: bodies are never logged, outbox files are
 * 0600 in a 0700 folder, and delivery errors never carry the SMTP password.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { MailConfig, MailSmtpConfig } from './config-schema.js';

export interface OutgoingMail { to: string; subject: string; text: string; html: string }
export interface SendResult {
  delivered: 'smtp' | 'outbox';
  /** The Message-ID, without angle brackets. */
  id: string;
  /** The `.eml` file, for outbox delivery. */
  path?: string;
}

export interface Mailer {
  send(message: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}

/** A message that could not be handed over; `message` names host:port and the reason, never a password. */
export class MailDeliveryError extends Error {
  constructor(message: string, readonly code: string, readonly responseCode?: number) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

/** Where outbox mail goes: `mail.outboxDir`, else `{dataDir}/outbox`. */
export function outboxDirectory(config: MailConfig, dataDir: string): string {
  return config.outboxDir ?? join(dataDir, 'outbox');
}

export function createMailer(config: MailConfig, deps: { dataDir: string; logger: Logger }): Mailer {
  const logger = deps.logger.child({ component: 'mail' });
  return config.smtp ? createSmtpMailer(config.from, config.smtp, logger) : createOutboxMailer(config.from, outboxDirectory(config, deps.dataDir), logger);
}

// One bare address: nodemailer would read "a@x, b@y" or "Name <a@x>" as it likes.
const SINGLE_ADDRESS = /^[^\s<>,;:"()@]+@[^\s<>,;:"()@]+$/;

function checkRecipient(to: string, where: string): void {
  if (!SINGLE_ADDRESS.test(to)) throw new MailDeliveryError(`could not send mail ${where}: the recipient must be one bare address (name@example.com)`, 'EENVELOPE');
}

function createSmtpMailer(from: string, smtp: MailSmtpConfig, logger: Logger): Mailer {
  const password = smtp.password ?? (smtp.passwordFile ? readConfigFile(smtp.passwordFile, 'mail.smtp.passwordFile') : undefined);
  const ca = smtp.tls.caFile ? readConfigFile(smtp.tls.caFile, 'mail.smtp.tls.caFile') : undefined;
  const timeout = smtp.timeoutSeconds * 1000;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    tls: { rejectUnauthorized: smtp.tls.verify, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    ...(smtp.user ? { auth: { user: smtp.user, pass: password } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    logger: false,
    debug: false,
    // Messages are built from our own strings: never let a field make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  }, { from });
  const where = `${smtp.host}:${smtp.port}`;
  if (!smtp.tls.verify) logger.warn({ smtp: where }, 'mail.smtp.tls.verify is false: the SMTP server\'s certificate is not checked');
  let closed = false;

  return {
    async send(message) {
      if (closed) throw new MailDeliveryError(`could not send mail through SMTP ${where}: the mailer is closed`, 'ECLOSED');
      checkRecipient(message.to, `through SMTP ${where}`);
      try {
        const info = await transport.sendMail({ ...message });
        if (info.rejected.length > 0) throw Object.assign(new Error(`recipient refused: ${info.response}`), { code: 'EENVELOPE' });
        const id = stripBrackets(info.messageId);
        logger.info({ message_id: id, to: message.to, smtp: where }, 'mail sent');
        return { delivered: 'smtp', id };
      } catch (err) {
        const failure = deliveryError(err, where, smtp, password);
        logger.warn({ smtp: where, to: message.to, error_code: failure.code, reason: failure.message }, 'mail not sent');
        throw failure;
      }
    },
    async close() {
      closed = true;
      transport.close();
    },
  };
}

function createOutboxMailer(from: string, dir: string, logger: Logger): Mailer {
  // buffer: the whole RFC 5322 message (headers, MIME parts) as nodemailer would send it, CRLF line ends.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }, { from });
  let checkedDir = false;
  let closed = false;

  return {
    async send(message) {
      if (closed) throw new MailDeliveryError(`could not write mail to the outbox ${dir}: the mailer is closed`, 'ECLOSED');
      checkRecipient(message.to, `to the outbox ${dir}`);
      const info = await composer.sendMail({ ...message, disableFileAccess: true, disableUrlAccess: true });
      const id = stripBrackets(info.messageId);
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
      const path = join(dir, name);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        if (!checkedDir) warnIfShared(dir, logger);
        checkedDir = true;
        // Written aside then renamed, so a reader of the folder never sees half a message.
        const partial = join(dir, `.${name}.partial`);
        await writeFile(partial, info.message as Buffer, { mode: 0o600, flag: 'wx' });
        await rename(partial, path);
      } catch (err) {
        throw new MailDeliveryError(`could not write mail to the outbox ${dir}: ${(err as Error).message}`, (err as NodeJS.ErrnoException).code ?? 'EOUTBOX');
      }
      logger.info({ message_id: id, to: message.to, path }, 'no SMTP server configured (mail.smtp): mail written to the outbox');
      return { delivered: 'outbox', id, path };
    },
    async close() {
      closed = true;
    },
  };
}

function warnIfShared(dir: string, logger: Logger): void {
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) logger.warn({ path: dir, mode: mode.toString(8) }, 'the mail outbox folder is readable by other users; invitation links in it are secrets (chmod 700 it)');
}

function readConfigFile(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`${key}: cannot read ${path}: ${(err as Error).message}`);
  }
}

function stripBrackets(messageId: string): string {
  return messageId.replace(/^<|>$/g, '');
}

interface NodemailerFailure { code?: string; responseCode?: number; response?: string; message?: string }

function deliveryError(err: unknown, where: string, smtp: MailSmtpConfig, password: string | undefined): MailDeliveryError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as NodemailerFailure;
  const code = e.code ?? 'EUNKNOWN';
  const reason = scrub(describe(e, smtp), password);
  return new MailDeliveryError(`could not send mail through SMTP ${where}: ${reason}`, code, e.responseCode);
}

function describe(e: NodemailerFailure, smtp: MailSmtpConfig): string {
  const detail = e.message ?? 'unknown error';
  const reply = e.response ? ` (server said: ${e.response.trim().slice(0, 200)})` : '';
  if (/ECONNREFUSED/.test(detail)) return 'connection refused; is the SMTP server running and listening on that port?';
  if (/ENOTFOUND|EAI_AGAIN/.test(detail) || e.code === 'EDNS') return 'the host name could not be resolved';
  if (e.code === 'ETIMEDOUT' || /ETIMEDOUT|timeout/i.test(detail)) return `no answer within ${smtp.timeoutSeconds} s`;
  switch (e.code) {
    case 'EAUTH':
      return `the server refused the user name or password for ${smtp.user ?? '(no user)'}${reply}`;
    case 'ENOAUTH':
      return 'the server requires authentication; set mail.smtp.user and mail.smtp.passwordFile';
    case 'ETLS':
      if (/STARTTLS/.test(detail) && !/initiating TLS/.test(detail)) {
        return `the server does not offer STARTTLS, which mail.smtp.requireTls demands${reply}`;
      }
      return `TLS failed: ${tlsReason(detail)}`;
    case 'EENVELOPE':
      return `the server refused the message's sender or recipient${reply || `: ${detail}`}`;
    default:
      if (/certificate|self[- ]signed|SSL|TLS/i.test(detail)) return `TLS failed: ${tlsReason(detail)}`;
      return `${detail}${reply}`;
  }
}

function tlsReason(detail: string): string {
  const reason = detail.replace(/^Error initiating TLS - /, '');
  return /certificate|self[- ]signed|issuer/i.test(reason)
    ? `${reason} (give the CA that signs the server's certificate in mail.smtp.tls.caFile)`
    : reason;
}

/** Servers and libraries sometimes echo what they were sent: drop the password and its base64 forms (AUTH PLAIN / LOGIN). */
function scrub(text: string, password: string | undefined): string {
  if (!password) return text;
  const forms = [password, Buffer.from(password).toString('base64')];
  return forms.reduce((out, form) => out.split(form).join('[redacted]'), text);
}

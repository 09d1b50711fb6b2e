/**
 * The mailer against a real SMTP server (smtp-server, test/support/smtp-sink.ts): STARTTLS with a
 * test CA, AUTH, refusals (wrong password, unverifiable certificate, missing STARTTLS, server down,
 * silent server), the outbox mode, the invitation template and the `mail` config section.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailConfigSchema, type MailConfigInput } from '../../../src/mail/config-schema.js';
import { createMailer, MailDeliveryError, type Mailer } from '../../../src/mail/mailer.js';
import { guestInvitationMessage, PERSONAL_MESSAGE_MAX } from '../../../src/mail/templates.js';
import { createLogSink } from '../../support/log-sink.js';
import { parseMessage, startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

const SMTP_USER = 'gatehouse';
const SMTP_PASSWORD = 'smtp-Pa55word-7f3a91';
const TOKEN = 'tok_9Jk2LmQ4xR7sV1wZ5yB8nC3dF6';
const ACCEPT_URL = `http://127.0.0.1:8065/signup/guest?token=${TOKEN}`;
const EXPIRES = new Date('2031-06-02T14:30:00Z');

function invitation(overrides: Partial<Parameters<typeof guestInvitationMessage>[0]> = {}) {
  return guestInvitationMessage({
    siteName: 'Acme Chat', siteUrl: 'http://127.0.0.1:8065', inviterName: 'Alice Ärger', teamName: 'Research',
    channelNames: ['Town Square', 'Project X'], acceptUrl: ACCEPT_URL, expiresAt: EXPIRES, ...overrides,
  });
}

let dir: string;
let passwordFile: string;
let tlsSink: SmtpSink;
const mailers: Mailer[] = [];

function mailer(input: MailConfigInput) {
  const { logger, sink } = createLogSink();
  const m = createMailer(mailConfigSchema.parse(input), { dataDir: join(dir, 'data'), logger });
  mailers.push(m);
  return { mailer: m, logs: sink };
}

function tlsSmtp(extra: Record<string, unknown> = {}): MailConfigInput {
  return {
    from: 'Gatehouse <no-reply@gatehouse.test>',
    smtp: { host: tlsSink.host, port: tlsSink.port, user: SMTP_USER, passwordFile, tls: { caFile: tlsSink.caFile! }, timeoutSeconds: 5, ...extra },
  };
}

async function failure(promise: Promise<unknown>): Promise<MailDeliveryError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MailDeliveryError);
  return err as MailDeliveryError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-mail-'));
  passwordFile = join(dir, 'smtp-password');
  await writeFile(passwordFile, `${SMTP_PASSWORD}\n`, { mode: 0o600 });
  tlsSink = await startSmtpSink({ tls: true, auth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
});

afterAll(async () => {
  await Promise.all(mailers.map((m) => m.close()));
  await tlsSink?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mail over SMTP', () => {
  it('delivers over STARTTLS with authentication: To, From, Subject and both parts arrive, the link in the text part', async () => {
    const { mailer: m, logs } = mailer(tlsSmtp());
    const before = tlsSink.messages.length;
    const result = await m.send({ to: 'bob@allowed.example', ...invitation() });
    const [msg] = (await tlsSink.waitFor(before + 1)).slice(before);

    expect(result.delivered).toBe('smtp');
    expect(result.path).toBeUndefined();
    expect(msg!.headers.get('message-id')).toBe(`<${result.id}>`);
    expect(msg!.from).toBe('no-reply@gatehouse.test');
    expect(msg!.to).toEqual(['bob@allowed.example']);
    expect(msg!.headers.get('from')).toBe('Gatehouse <no-reply@gatehouse.test>');
    expect(msg!.headers.get('to')).toBe('bob@allowed.example');
    expect(msg!.subject).toBe('Alice Ärger invited you to Research on Acme Chat');
    expect(msg!.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(msg!.text).toContain(`To accept, open this link:\n${ACCEPT_URL}\n`);
    expect(msg!.text).toMatch(/works once and expires on Monday, 2 June 2031 at 14:30 UTC/);
    expect(msg!.html).toContain(`href="${ACCEPT_URL}"`);
    expect(msg!.html).toContain('<li>Project X</li>');
    expect(msg!.secure).toBe(true);
    expect(msg!.user).toBe(SMTP_USER);

    expect(logs.lines.some((l) => l.msg === 'mail sent' && l.message_id === result.id)).toBe(true);
    expect(logs.text()).not.toContain(TOKEN);
    expect(logs.text()).not.toContain(SMTP_PASSWORD);
  });

  it('refuses a wrong password with an error naming host:port, without the password', async () => {
    const wrong = 'wrong-Secret-4411zz';
    const { mailer: m, logs } = mailer(tlsSmtp({ passwordFile: undefined, password: wrong }));
    const before = tlsSink.messages.length;
    const err = await failure(m.send({ to: 'bob@allowed.example', ...invitation() }));

    expect(err.code).toBe('EAUTH');
    expect(err.message).toContain(`SMTP 127.0.0.1:${tlsSink.port}`);
    expect(err.message).toMatch(/refused the user name or password for gatehouse/);
    for (const secret of [wrong, Buffer.from(wrong).toString('base64'), SMTP_PASSWORD]) {
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err)).not.toContain(secret);
      expect(logs.text()).not.toContain(secret);
    }
    expect(tlsSink.authAttempts.at(-1)).toEqual({ user: SMTP_USER, ok: false, secure: true });
    expect(tlsSink.messages).toHaveLength(before);
  });

  it('keeps the password out of the error even when the server echoes it back', async () => {
    const echoing = await startSmtpSink({ tls: true, auth: { user: SMTP_USER, pass: SMTP_PASSWORD, echoOnFailure: true } });
    try {
      const wrong = 'echoed-Secret-5522yy';
      const { mailer: m, logs } = mailer({ smtp: { host: echoing.host, port: echoing.port, user: SMTP_USER, password: wrong, tls: { caFile: echoing.caFile! } } });
      const err = await failure(m.send({ to: 'bob@allowed.example', ...invitation() }));
      expect(err.message).toMatch(/refused the user name or password for gatehouse \(server said: 535 .*\[redacted\]/);
      expect(err.message).not.toContain(wrong);
      expect(logs.text()).not.toContain(wrong);
    } finally {
      await echoing.close();
    }
  });

  it('refuses a server certificate it cannot verify, before sending the password', async () => {
    const { mailer: m } = mailer(tlsSmtp({ tls: {} })); // Node's bundled CAs do not know the test CA
    const attempts = tlsSink.authAttempts.length;
    const err = await failure(m.send({ to: 'bob@allowed.example', ...invitation() }));

    expect(err.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${tlsSink.port}: TLS failed: .*certificate.*mail\\.smtp\\.tls\\.caFile`));
    expect(tlsSink.authAttempts).toHaveLength(attempts);
  });

  it('with tls.verify false, accepts that certificate and warns at start', async () => {
    const { mailer: m, logs } = mailer(tlsSmtp({ tls: { verify: false } }));
    expect(logs.warnings().map((l) => l.msg)).toEqual([expect.stringMatching(/tls\.verify is false/)]);
    await expect(m.send({ to: 'bob@allowed.example', ...invitation() })).resolves.toMatchObject({ delivered: 'smtp' });
  });

  it('refuses to send when STARTTLS is required and the server offers none, and never sends the password', async () => {
    const plain = await startSmtpSink({ auth: { user: SMTP_USER, pass: SMTP_PASSWORD } }); // would accept AUTH in clear
    try {
      const { mailer: m } = mailer({ smtp: { host: plain.host, port: plain.port, user: SMTP_USER, passwordFile } });
      const err = await failure(m.send({ to: 'bob@allowed.example', ...invitation() }));
      expect(err.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${plain.port}: the server does not offer STARTTLS, which mail\\.smtp\\.requireTls demands`));
      expect(plain.authAttempts).toEqual([]);
      expect(plain.messages).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('sends without TLS only when requireTls is false (a relay without authentication)', async () => {
    const plain = await startSmtpSink();
    try {
      const { mailer: m } = mailer({ smtp: { host: plain.host, port: plain.port, requireTls: false } });
      await m.send({ to: 'bob@allowed.example', ...invitation() });
      const [msg] = await plain.waitFor(1);
      expect(msg!.secure).toBe(false);
      expect(msg!.text).toContain(ACCEPT_URL);
    } finally {
      await plain.close();
    }
  });

  it('reports a server that is down with host:port and the reason', async () => {
    const gone = await startSmtpSink();
    const port = gone.port;
    await gone.close();
    const { mailer: m } = mailer({ smtp: { host: '127.0.0.1', port, requireTls: false } });
    const err = await failure(m.send({ to: 'bob@allowed.example', ...invitation() }));
    expect(err.message).toBe(`could not send mail through SMTP 127.0.0.1:${port}: connection refused; is the SMTP server running and listening on that port?`);
  });

  it('gives up on a server that never answers after timeoutSeconds', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => void sockets.add(s)); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { mailer: m } = mailer({ smtp: { host: '127.0.0.1', port, requireTls: false, timeoutSeconds: 1 } });
      const started = Date.now();
      const err = await failure(m.send({ to: 'bob@allowed.example', ...invitation() }));
      expect(err.message).toBe(`could not send mail through SMTP 127.0.0.1:${port}: no answer within 1 s`);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('mail to the outbox (no SMTP configured)', () => {
  it('writes a parseable .eml, 0600 in a 0700 folder made on demand, and logs the path but not the link', async () => {
    const { mailer: m, logs } = mailer({});
    const result = await m.send({ to: 'bob@allowed.example', ...invitation() });

    const outbox = join(dir, 'data', 'outbox');
    expect(result).toMatchObject({ delivered: 'outbox', path: expect.stringMatching(new RegExp(`^${outbox}/[^/]+\\.eml$`)) });
    expect(await readdir(outbox)).toEqual([result.path!.slice(outbox.length + 1)]);
    expect((await stat(outbox)).mode & 0o777).toBe(0o700);
    expect((await stat(result.path!)).mode & 0o777).toBe(0o600);

    const raw = await readFile(result.path!, 'utf8');
    expect(raw).toMatch(/\r\n\r\n/); // CRLF line ends, as RFC 5322 §2.1 requires
    const parsed = parseMessage(raw);
    expect(parsed.headers.get('from')).toBe('Gatehouse <no-reply@localhost>');
    expect(parsed.headers.get('to')).toBe('bob@allowed.example');
    expect(parsed.headers.get('message-id')).toBe(`<${result.id}>`);
    expect(parsed.subject).toBe('Alice Ärger invited you to Research on Acme Chat');
    expect(parsed.text).toContain(ACCEPT_URL);
    expect(parsed.html).toContain(`href="${ACCEPT_URL}"`);

    const line = logs.lines.find((l) => l.path === result.path);
    expect(line).toMatchObject({ level: 30, message_id: result.id, to: 'bob@allowed.example' });
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('refuses a recipient that is not one bare address, writing nothing', async () => {
    const outboxDir = join(dir, 'refusals');
    const { mailer: m } = mailer({ outboxDir });
    for (const to of ['bob@allowed.example, eve@evil.example', 'Bob <bob@allowed.example>', 'bob@allowed.example\r\nBcc: eve@evil.example', 'bob']) {
      const err = await failure(m.send({ to, ...invitation() }));
      expect(err.message).toMatch(/the recipient must be one bare address/);
    }
    await expect(readdir(outboxDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('uses outboxDir when set', async () => {
    const outboxDir = join(dir, 'custom', 'mail-out');
    const { mailer: m } = mailer({ outboxDir });
    const result = await m.send({ to: 'bob@allowed.example', ...invitation() });
    expect(result.path!.startsWith(`${outboxDir}/`)).toBe(true);
    expect(parseMessage(await readFile(result.path!, 'utf8')).text).toContain(ACCEPT_URL);
  });
});

describe('guestInvitationMessage', () => {
  it('escapes every interpolated value in the HTML part', () => {
    const { html, subject } = invitation({
      siteName: 'Acme <b>Chat</b>', inviterName: '<img src=x onerror=alert(1)>', teamName: 'R&D "core"',
      channelNames: ['<script>alert(1)</script>'], personalMessage: 'click <a href="https://evil.example">here</a>',
    });
    expect(html).not.toMatch(/<img|<script|<a href="https:\/\/evil|<b>Chat/);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('R&#38;D &#34;core&#34;');
    expect(html).toContain('<li>&#60;script&#62;alert(1)&#60;/script&#62;</li>');
    expect(html).toContain('click &#60;a href=&#34;https://evil.example&#34;&#62;here&#60;/a&#62;');
    expect(subject).toBe('<img src=x onerror=alert(1)> invited you to R&D "core" on Acme <b>Chat</b>');
  });

  it('cuts the personal message to 500 characters and keeps names on one line', () => {
    const { text, html, subject } = invitation({ personalMessage: `${'x'.repeat(600)}TAIL`, inviterName: 'Eve\r\nBcc: victim@example.com' });
    const quoted = text.split('\n').filter((l) => l.startsWith('  > ')).map((l) => l.slice(4)).join('\n');
    expect([...quoted]).toHaveLength(PERSONAL_MESSAGE_MAX);
    expect(quoted.endsWith('…')).toBe(true);
    expect(html).not.toContain('TAIL');
    expect(subject).toBe('Eve Bcc: victim@example.com invited you to Research on Acme Chat');
  });

  it('makes a text part complete on its own: team, channels, link, expiry, single use', () => {
    const { text } = invitation({ personalMessage: 'Welcome aboard!\nSee you in Project X.' });
    expect(text).toContain('Alice Ärger has invited you to join the team "Research" on Acme Chat as a guest, with access to 2 channels:\n  - Town Square\n  - Project X\n');
    expect(text).toContain('Alice Ärger wrote:\n  > Welcome aboard!\n  > See you in Project X.\n');
    expect(text).toContain(`\n${ACCEPT_URL}\n`);
    expect(text).toContain('The link works once and expires on Monday, 2 June 2031 at 14:30 UTC.');
    expect(text).not.toMatch(/<[a-z]/i);
  });

  it('refuses an accept link that is not http(s)', () => {
    expect(() => invitation({ acceptUrl: 'javascript:alert(1)' })).toThrow(/acceptUrl must be an absolute http\(s\) URL/);
    expect(() => invitation({ acceptUrl: '/signup/guest?token=x' })).toThrow(/acceptUrl/);
  });
});

describe('the mail config section', () => {
  it('has defaults: outbox delivery, and for SMTP port 587 with STARTTLS required and certificates checked', () => {
    expect(mailConfigSchema.parse({})).toEqual({ from: 'Gatehouse <no-reply@localhost>' });
    expect(mailConfigSchema.parse({ smtp: { host: 'smtp.example.com' } }).smtp).toEqual({
      host: 'smtp.example.com', port: 587, secure: false, requireTls: true, tls: { verify: true }, timeoutSeconds: 10,
    });
    expect(mailConfigSchema.parse({ smtp: { host: 'smtp.example.com', port: '465', secure: 'true' } }).smtp).toMatchObject({ port: 465, secure: true, requireTls: false });
  });

  it('refuses contradictory or unsafe settings', () => {
    const problems = (input: unknown) => {
      const r = mailConfigSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ smtp: { host: 'smtp.example.com', user: 'u', password: 'p', passwordFile: '/f' } })).toContain('smtp.password: set only one of password and passwordFile');
    expect(problems({ smtp: { host: 'smtp.example.com', user: 'u' } })).toEqual([expect.stringMatching(/^smtp.passwordFile: the SMTP user needs passwordFile/)]);
    expect(problems({ smtp: { host: 'smtp.example.com', password: 'p' } })).toEqual(['smtp.user: a password needs a user to authenticate as']);
    expect(problems({ smtp: { host: 'smtp.example.com', user: 'u', password: 'p', requireTls: false } })).toEqual([expect.stringMatching(/^smtp.requireTls: requireTls: false would send the SMTP password unencrypted/)]);
    expect(problems({ smtp: { host: '127.0.0.1', user: 'u', password: 'p', requireTls: false } })).toEqual([]);
    expect(problems({ smtp: { host: 'smtp.example.com:25' } })).toEqual([expect.stringMatching(/^smtp.host: must be a host name/)]);
    expect(problems({ from: 'Gatehouse <a@b.example>\r\nBcc: x@evil.example' })).toEqual([expect.stringMatching(/^from: must be an address/)]);
    expect(problems({ smtpHost: 'x' })).toEqual([expect.stringMatching(/Unrecognized key/)]);
  });
});

/**
 * chat-core for the files tests: the usual harness (port 0, SQLite or a fresh PostgreSQL, test
 * issuer, injected clock) plus a files directory in a temp dir, a configurable maxFileSize, a
 * second database connection to look at file_infos, and helpers to build multipart bodies by hand
 * (form-data libraries clean file names before sending, which would hide what the server does).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { expect } from 'vitest';
import { startChatCore } from '../../../chat-core/src/main.js';
import { openDatabase, type ChatDatabase } from '../../../chat-core/src/store/database.js';
import type { FileInfoRow } from '../../../chat-core/src/store/schema.js';
import { createTestIssuer, randomUserId } from '../../support/assertions.js';
import { POSTGRES_ADMIN_URL, createTestPostgres, type TestPostgres } from '../../support/databases.js';
import { pngImage as pngImageOf } from '../../support/images.js';
import { bearer, createTestClock, memberOf, type ChatCoreHarness, type Dialect, type TestUser } from './harness.js';

export interface FilesHarness extends ChatCoreHarness {
  filesDirectory: string;
  /** A connection of the test's own to chat-core's database. */
  db: ChatDatabase;
  fileRows(): Promise<FileInfoRow[]>;
  /** Store keys of every content on disk (temporary files included). */
  storedKeys(): Promise<string[]>;
  readStored(key: string): Promise<Buffer>;
}

export interface FilesHarnessOptions {
  maxFileSize?: number;
}

export async function startFilesHarness(dialect: Dialect, options: FilesHarnessOptions = {}): Promise<FilesHarness> {
  const clock = createTestClock();
  const issuer = await createTestIssuer({ algorithm: 'EdDSA', now: clock.now });
  const postgres: TestPostgres | undefined = dialect === 'postgres' ? await createTestPostgres('gh_files') : undefined;
  const workDir = await mkdtemp(join(tmpdir(), 'gh-files-'));
  const filesDirectory = join(workDir, 'files-root');
  const database = postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(workDir, 'chat.sqlite') };
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const running = await startChatCore({
    config: {
      ...database, filesDirectory, ...(options.maxFileSize ? { maxFileSize: options.maxFileSize } : {}),
      issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, algorithm: issuer.algorithm, clockSkewSeconds: 30,
      jwksCooldownMs: 30_000, maxPostLength: 16_383,
    },
    logger, now: clock.now, host: '127.0.0.1', port: 0,
  });
  const { db } = openDatabase(database);
  const url = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  return {
    dialect, running, url, issuer, clock, logs, filesDirectory, db,
    async user(claims = {}) {
      const id = typeof claims.sub === 'string' ? claims.sub : randomUserId();
      const full = { username: `u${id.slice(0, 10)}`, name: `User ${id.slice(0, 4)}`, ...claims, sub: id };
      return { id, token: await issuer.mint(full), claims: full };
    },
    http: () => request(running.server),
    fileRows: () => db.selectFrom('file_infos').selectAll().orderBy('create_at').orderBy('id').execute(),
    async storedKeys() {
      const entries = await readdir(filesDirectory, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries.filter((entry) => entry.isFile()).map((entry) => relative(filesDirectory, join(entry.parentPath, entry.name))).sort();
    },
    readStored: (key) => readFile(join(filesDirectory, key)),
    async close() {
      try {
        await running.close();
        await db.destroy();
        await issuer.close();
        if (postgres) {
          await connectionsGone(postgres.url);
          await postgres.drop();
        }
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
      // Whatever a test sent, chat-core must have answered it without an unhandled error (a 500).
      expect(logs.filter((line) => line.msg === 'unhandled error')).toEqual([]);
    },
  };
}

/**
 * pg's pool resolves end() before its sockets have closed; dropping the database WITH (FORCE)
 * then would kill them mid-close and surface as an uncaught error. Waits (bounded) until the
 * server sees no session on the database.
 */
async function connectionsGone(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const result = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
      if (Number(result.rows[0]?.n) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await admin.end();
  }
}

/** One part of a hand-built multipart body. */
export interface Part {
  name: string;
  /** Present for a file part (sent as-is in the Content-Disposition, quotes escaped). */
  filename?: string;
  contentType?: string;
  data: string | Buffer;
}

export const BOUNDARY = 'gatehouse-test-boundary-7f3a';

export function multipartBody(parts: readonly Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** POST /api/v4/files with a hand-built multipart body. */
export function postMultipart(h: ChatCoreHarness, user: TestUser, body: Buffer, query = '', contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  return h.http().post(`/api/v4/files${query}`).set(...bearer(user)).set('Content-Type', contentType).send(body);
}

/** A real PNG (RGB, all pixels one colour) of the given size. */
/** An RGB PNG of the given size (mid-grey). */
export const pngImage = (width: number, height: number): Buffer => pngImageOf(width, height, { colourType: 2, fill: 0x7f });

/** A team, its owner and a channel the owner created. */
export async function teamChannel(h: ChatCoreHarness, type: 'O' | 'P' = 'P') {
  const team = randomUserId();
  const owner = await h.user({ teams: memberOf(team) });
  const res = await h.http().post('/api/v4/channels').set(...bearer(owner))
    .send({ team_id: team, name: `c${Math.random().toString(36).slice(2, 10)}`, display_name: 'Files', type });
  expect(res.status).toBe(201);
  return { team, owner, channel: res.body as { id: string } };
}

/** A user chat-core has seen (mirrored with their teams), so a channel admin can add them. */
export async function seenUser(h: ChatCoreHarness, team: string, claims: Record<string, unknown> = {}): Promise<TestUser> {
  const user = await h.user({ teams: memberOf(team), ...claims });
  expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
  return user;
}

/** A seen user the owner has added to the channel. */
export async function addedMember(h: ChatCoreHarness, owner: TestUser, team: string, channelId: string, claims: Record<string, unknown> = {}): Promise<TestUser> {
  const user = await seenUser(h, team, claims);
  const res = await h.http().post(`/api/v4/channels/${channelId}/members`).set(...bearer(owner)).send({ user_id: user.id });
  expect(res.status).toBe(201);
  return user;
}

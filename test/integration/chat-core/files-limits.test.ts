/**
 * Refused uploads keep nothing: past maxFileSize (413), malformed multipart, too many files,
 * nothing to upload (400) — no file_infos row and no content left in the files directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, type TestUser } from './harness.js';
import { BOUNDARY, multipartBody, postMultipart, startFilesHarness, teamChannel, type FilesHarness, type Part } from './files-harness.js';

const MAX = 1024;

describe.each(DIALECTS)('chat-core upload limits on %s', (dialect) => {
  let h: FilesHarness;
  let owner: TestUser;
  let channelId: string;
  beforeAll(async () => {
    h = await startFilesHarness(dialect, { maxFileSize: MAX });
    const setup = await teamChannel(h, 'O');
    owner = setup.owner;
    channelId = setup.channel.id;
  });
  afterAll(async () => { await h.close(); });

  /** Runs a refused request and checks that nothing at all was kept. */
  const refused = async (send: () => Promise<{ status: number; body: { id?: string; message?: string } }>, status: number, id: string) => {
    const [rows, keys] = [(await h.fileRows()).length, await h.storedKeys()];
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.id).toBe(id);
    expect((await h.fileRows()).length).toBe(rows);
    expect(await h.storedKeys()).toEqual(keys);
    return res;
  };
  const file = (size: number, filename = 'big.bin'): Part => ({ name: 'files', filename, data: Buffer.alloc(size, 0x61) });
  const channel = (): Part => ({ name: 'channel_id', data: channelId });
  const TOO_LARGE = 'api.file.upload_file.too_large_detailed.app_error';
  const UNREADABLE = 'api.file.upload_file.read_request.app_error';

  it('refuses a file one byte over maxFileSize with 413 and a message naming the limit, and takes one exactly at it', async () => {
    const res = await refused(() => postMultipart(h, owner, multipartBody([channel(), file(MAX + 1)])), 413, TOO_LARGE);
    expect(res.body.message).toContain('1 KiB');
    expect(res.body.message).toContain('big.bin');
    const ok = await postMultipart(h, owner, multipartBody([channel(), file(MAX, 'exact.bin')]));
    expect(ok.status).toBe(201);
    expect(ok.body.file_infos[0].size).toBe(MAX);
  });

  it('removes the files already stored when a later file of the same request is too large', async () => {
    await refused(() => postMultipart(h, owner, multipartBody([channel(), file(10, 'small.txt'), file(5 * MAX)])), 413, TOO_LARGE);
    await refused(() => postMultipart(h, owner, multipartBody([file(10, 'first.txt'), file(3 * MAX), channel()])), 413, TOO_LARGE);
  });

  it('refuses an oversized raw body by its Content-Length and, without one, while streaming it', async () => {
    await refused(() => h.http().post(`/api/v4/files?channel_id=${channelId}&filename=raw.bin`).set(...bearer(owner))
      .set('Content-Type', 'application/octet-stream').send(Buffer.alloc(2 * MAX)), 413, TOO_LARGE);
    await refused(async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i += 1) controller.enqueue(new Uint8Array(MAX));
          controller.close();
        },
      });
      const res = await fetch(`${h.url}/api/v4/files?channel_id=${channelId}&filename=stream.bin`, {
        method: 'POST', body, duplex: 'half', headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/octet-stream' },
      } as RequestInit);
      return { status: res.status, body: await res.json() as { id?: string } };
    }, 413, TOO_LARGE);
  });

  it('answers a huge upload with 413 too, without reading all of it', async () => {
    const huge = Buffer.alloc(12 * 1024 * 1024, 0x62);
    await refused(async () => {
      const form = new FormData();
      form.append('channel_id', channelId);
      form.append('files', new Blob([new Uint8Array(huge)]), 'huge.bin');
      const res = await fetch(`${h.url}/api/v4/files`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${owner.token}` } });
      // Past the few MiB read after a refusal, the server stops reading and closes the connection.
      expect(res.headers.get('connection')).toBe('close');
      return { status: res.status, body: await res.json() as { id?: string } };
    }, 413, TOO_LARGE);
  });

  it('refuses malformed multipart with 400, never a 500, and keeps nothing of what it read', async () => {
    const complete = multipartBody([channel(), file(10, 'a.txt')]);
    const truncated = Buffer.concat([multipartBody([channel(), file(10, 'kept?.txt')]).subarray(0, -(BOUNDARY.length + 6)),
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="cut.txt"\r\n\r\npartial`)]);
    const cases: [string, Buffer, string][] = [
      ['no boundary', complete, 'multipart/form-data'],
      ['multipart/mixed', complete, `multipart/mixed; boundary=${BOUNDARY}`],
      ['a body that never closes', truncated, `multipart/form-data; boundary=${BOUNDARY}`],
      ['garbage', Buffer.from('this is not multipart at all'), `multipart/form-data; boundary=${BOUNDARY}`],
      ['a broken part header', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"\u0000\r\n\r\nx\r\n--${BOUNDARY}--\r\n`), `multipart/form-data; boundary=${BOUNDARY}`],
      ['an empty body', Buffer.alloc(0), `multipart/form-data; boundary=${BOUNDARY}`],
    ];
    for (const [label, body, type] of cases) {
      const res = await refused(() => postMultipart(h, owner, body, '', type), 400, UNREADABLE);
      expect(res.body.message, label).toMatch(/multipart\/form-data/);
    }
  });

  it('refuses more than 10 files, no file at all, and client_ids that do not pair with the files', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => file(5, `f${i}.txt`));
    await refused(() => postMultipart(h, owner, multipartBody([channel(), ...eleven])), 400, 'api.file.upload_file.too_many_files.app_error');
    await refused(() => postMultipart(h, owner, multipartBody([channel()])), 400, 'api.file.upload_file.no_file.app_error');
    await refused(() => h.http().post(`/api/v4/files?channel_id=${channelId}&filename=empty.txt`).set(...bearer(owner))
      .set('Content-Type', 'application/octet-stream').send(Buffer.alloc(0)), 400, 'api.file.upload_file.no_file.app_error');
    const pairs = multipartBody([channel(), { name: 'client_ids', data: 'a' }, { name: 'client_ids', data: 'b' }, file(5)]);
    await refused(() => postMultipart(h, owner, pairs), 400, 'api.file.upload_file.incorrect_number_of_client_ids.app_error');
  });

  it('refuses two different channel ids, a bad or missing one, and unknown fields', async () => {
    const MULTIPLE = 'api.file.upload_file.multiple_channel_ids.app_error';
    await refused(() => postMultipart(h, owner, multipartBody([channel(), { name: 'channel_id', data: 'bbbbbbbbbbbbbbbbbbbbbbbbbb' }, file(5)])), 400, MULTIPLE);
    await refused(() => postMultipart(h, owner, multipartBody([channel(), file(5)]), '?channel_id=bbbbbbbbbbbbbbbbbbbbbbbbbb'), 400, MULTIPLE);
    const BODY = 'api.context.invalid_body_param.app_error';
    await refused(() => postMultipart(h, owner, multipartBody([file(5)])), 400, BODY);
    await refused(() => postMultipart(h, owner, multipartBody([{ name: 'channel_id', data: '../x' }, file(5)])), 400, BODY);
    await refused(() => postMultipart(h, owner, multipartBody([channel(), { name: 'post_id', data: 'x' }, file(5)])), 400, BODY);
    const URL_PARAM = 'api.context.invalid_url_param.app_error';
    await refused(() => h.http().post(`/api/v4/files?channel_id=${channelId}`).set(...bearer(owner))
      .set('Content-Type', 'application/octet-stream').send(Buffer.from('x')), 400, URL_PARAM);
    await refused(() => h.http().post('/api/v4/files?filename=x.txt').set(...bearer(owner))
      .set('Content-Type', 'application/octet-stream').send(Buffer.from('x')), 400, URL_PARAM);
  });

  it('takes a raw upload whatever Content-Type it claims, as Mattermost does, and sniffs it', async () => {
    const res = await h.http().post(`/api/v4/files?channel_id=${channelId}&filename=x.json`).set(...bearer(owner))
      .set('Content-Type', 'application/json').send('{"a":1}');
    expect(res.status).toBe(201);
    expect(res.body.file_infos[0]).toMatchObject({ name: 'x.json', size: 7, mime_type: expect.stringMatching(/^text\/plain/) });
  });
});

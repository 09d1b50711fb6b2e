/**
 * Uploads, attachment to posts and downloads: the bytes come back exactly, the type is the sniffed
 * one (never the client's claim), and the headers keep a browser from running what it downloads.
 */
import mm from '@mattermost/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer } from './harness.js';
import { addedMember, multipartBody, pngImage, postMultipart, startFilesHarness, teamChannel, type FilesHarness } from './files-harness.js';

const { Client4 } = mm;

describe.each(DIALECTS)('chat-core files on %s', (dialect) => {
  let h: FilesHarness;
  beforeAll(async () => { h = await startFilesHarness(dialect); });
  afterAll(async () => { await h.close(); });

  /** Every response body as a Buffer, whatever its type (superagent would parse text and JSON). */
  const binary = (res: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void): void => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  };
  const download = (user: { token: string }, path: string) => h.http().get(path).set(...bearer(user.token)).buffer(true).parse(binary as never);

  it('uploads a png with channel_id first, attaches it to a post, and another member downloads the exact bytes', async () => {
    const { team, owner, channel } = await teamChannel(h, 'P');
    const bob = await addedMember(h, owner, team, channel.id);
    const image = pngImage(3, 2);
    const body = multipartBody([
      { name: 'channel_id', data: channel.id },
      { name: 'client_ids', data: 'client-1' },
      { name: 'files', filename: 'holiday photo.PNG', contentType: 'application/x-evil', data: image },
    ]);
    const upload = await postMultipart(h, owner, body);
    expect(upload.status).toBe(201);
    expect(upload.headers['content-type']).toBe('application/json');
    expect(upload.body.client_ids).toEqual(['client-1']);
    const [info] = upload.body.file_infos;
    expect(info).toEqual({
      id: expect.stringMatching(/^[a-z0-9]{26}$/), user_id: owner.id, post_id: '', channel_id: channel.id,
      create_at: h.clock.now(), update_at: h.clock.now(), delete_at: 0, name: 'holiday photo.PNG', extension: 'png',
      size: image.length, mime_type: 'image/png', width: 3, height: 2, has_preview_image: true, mini_preview: null, archived: false,
    });
    expect(await h.storedKeys()).toContain(`files/20250115/${info.id}`);
    expect(await h.readStored(`files/20250115/${info.id}`)).toEqual(image);

    const post = await h.http().post('/api/v4/posts').set(...bearer(owner)).send({ channel_id: channel.id, message: 'look', file_ids: [info.id] });
    expect(post.status).toBe(201);
    expect(post.body.file_ids).toEqual([info.id]);
    expect(post.body.metadata.files).toEqual([{ ...info, post_id: post.body.id }]);

    const file = await download(bob, `/api/v4/files/${info.id}`);
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body as Buffer, image)).toBe(0);
    expect(file.headers).toMatchObject({
      'content-type': 'image/png', 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox',
      'content-disposition': `inline; filename="holiday photo.PNG"; filename*=UTF-8''holiday%20photo.PNG`,
      'content-length': String(image.length),
    });
    const forced = await download(bob, `/api/v4/files/${info.id}?download=1`);
    expect(forced.headers['content-disposition']).toMatch(/^attachment; /);
    for (const view of ['preview', 'thumbnail']) {
      const res = await download(bob, `/api/v4/files/${info.id}/${view}`);
      expect(res.status).toBe(200);
      expect(Buffer.compare(res.body as Buffer, image)).toBe(0);
    }
    const infoRes = await h.http().get(`/api/v4/files/${info.id}/info`).set(...bearer(bob));
    expect(infoRes.body).toMatchObject({ id: info.id, post_id: post.body.id });
    const listed = await h.http().get(`/api/v4/posts/${post.body.id}/files/info`).set(...bearer(bob));
    expect(listed.body.map((f: { id: string }) => f.id)).toEqual([info.id]);
    expect((await h.http().get(`/api/v4/posts/${post.body.id}`).set(...bearer(bob))).body.metadata.files[0].id).toBe(info.id);
  });

  it('serves an HTML page uploaded as image/png as a plain-text attachment with nosniff, and gives it no preview', async () => {
    const { owner, channel } = await teamChannel(h, 'O');
    const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
    const upload = await postMultipart(h, owner, multipartBody([
      { name: 'channel_id', data: channel.id },
      { name: 'files', filename: 'cat.png', contentType: 'image/png', data: html },
      { name: 'files', filename: 'blob.png', contentType: 'image/png', data: Buffer.from([0, 1, 2, 3, 0xff, 0xfe]) },
    ]));
    expect(upload.status).toBe(201);
    const [page, blob] = upload.body.file_infos;
    expect(page).toMatchObject({ mime_type: 'text/plain', has_preview_image: false, width: 0, height: 0, extension: 'png' });
    expect(blob).toMatchObject({ mime_type: 'application/octet-stream', has_preview_image: false });
    const res = await download(owner, `/api/v4/files/${page.id}`);
    expect(res.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox',
    });
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="cat.png"/);
    expect((res.body as Buffer).toString()).toBe(html);
    expect((await download(owner, `/api/v4/files/${blob.id}`)).headers['content-type']).toBe('application/octet-stream');
    const preview = await h.http().get(`/api/v4/files/${page.id}/preview`).set(...bearer(owner));
    expect(preview.status).toBe(400);
    expect(preview.body.id).toBe('api.file.get_file_preview.no_preview.app_error');
    const thumb = await h.http().get(`/api/v4/files/${page.id}/thumbnail`).set(...bearer(owner));
    expect(thumb.body.id).toBe('api.file.get_file_thumbnail.no_thumbnail.app_error');
  });

  it('cleans file names and never derives the store key from them', async () => {
    const { owner, channel } = await teamChannel(h, 'O');
    const names = ['../../etc/passwd', '..\\..\\windows\\x.exe', 'invoice\u202Efdp.exe', '.bashrc', 'отчёт 2025.txt'];
    const upload = await postMultipart(h, owner, multipartBody([
      { name: 'channel_id', data: channel.id },
      ...names.map((filename) => ({ name: 'files', filename, data: 'x' })),
    ]));
    expect(upload.status).toBe(201);
    const infos = upload.body.file_infos as { id: string; name: string; extension: string }[];
    expect(infos.map((info) => info.name)).toEqual(['passwd', 'x.exe', 'invoicefdp.exe', 'bashrc', 'отчёт 2025.txt']);
    // Control characters cannot travel in a multipart header; the raw form's query can carry them.
    const raw = await h.http().post(`/api/v4/files?channel_id=${channel.id}&filename=%00%07%2F..%2F%1B`)
      .set(...bearer(owner)).set('Content-Type', 'application/octet-stream').send(Buffer.from('x'));
    expect(raw.body.file_infos[0].name).toBe('file');
    const rows = await h.fileRows();
    for (const info of [...infos, raw.body.file_infos[0]]) expect(rows.find((row) => row.id === info.id)?.path).toBe(`files/20250115/${info.id}`);
    const res = await download(owner, `/api/v4/files/${infos[4]!.id}`);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="_____ 2025.txt"; filename*=UTF-8''${encodeURIComponent('отчёт 2025.txt')}`);
  });

  it('takes channel_id after the files or in the query, pairs client_ids in order, and accepts the raw-body form', async () => {
    const { owner, channel } = await teamChannel(h, 'O');
    const late = await postMultipart(h, owner, multipartBody([
      { name: 'client_ids', data: 'a' }, { name: 'client_ids', data: 'b' },
      { name: 'files', filename: 'one.txt', data: 'one' }, { name: 'files', filename: 'two.txt', data: 'two' },
      { name: 'channel_id', data: channel.id },
    ]));
    expect(late.status).toBe(201);
    expect(late.body.client_ids).toEqual(['a', 'b']);
    expect(late.body.file_infos.map((f: { name: string; size: number }) => [f.name, f.size])).toEqual([['one.txt', 3], ['two.txt', 3]]);
    const query = await postMultipart(h, owner, multipartBody([{ name: 'files', filename: 'q.txt', data: 'q' }]), `?channel_id=${channel.id}`);
    expect(query.status).toBe(201);
    expect(query.body.client_ids).toEqual([]);
    const raw = await h.http().post(`/api/v4/files?channel_id=${channel.id}&filename=${encodeURIComponent('raw image.png')}&client_id=r1`)
      .set(...bearer(owner)).set('Content-Type', 'application/octet-stream').send(pngImage(5, 4));
    expect(raw.status).toBe(201);
    expect(raw.body.client_ids).toEqual(['r1']);
    expect(raw.body.file_infos[0]).toMatchObject({ name: 'raw image.png', mime_type: 'image/png', width: 5, height: 4, channel_id: channel.id });
    const post = await h.http().post('/api/v4/posts').set(...bearer(owner))
      .send({ channel_id: channel.id, message: 'three', file_ids: [late.body.file_infos[1].id, raw.body.file_infos[0].id, late.body.file_infos[0].id] });
    expect(post.body.metadata.files.map((f: { name: string }) => f.name)).toEqual(['two.txt', 'raw image.png', 'one.txt']);
  });

  it('takes an upload from a real FormData over fetch, and through @mattermost/client', async () => {
    const { owner, channel } = await teamChannel(h, 'O');
    const form = new FormData();
    form.append('channel_id', channel.id);
    form.append('client_ids', 'fetch-1');
    form.append('files', new Blob([new Uint8Array(pngImage(7, 9))], { type: 'image/png' }), 'från fetch.png');
    const res = await fetch(`${h.url}/api/v4/files`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${owner.token}` } });
    expect(res.status).toBe(201);
    const uploaded = await res.json() as { file_infos: { id: string; name: string; width: number }[]; client_ids: string[] };
    expect(uploaded.client_ids).toEqual(['fetch-1']);
    expect(uploaded.file_infos[0]).toMatchObject({ name: 'från fetch.png', width: 7 });

    const client = new Client4();
    client.setUrl(h.url);
    client.setToken(owner.token);
    const viaClient = new FormData();
    viaClient.append('channel_id', channel.id);
    viaClient.append('client_ids', 'mm-1');
    viaClient.append('files', new Blob(['hello from Client4\n']), 'hello.txt');
    const response = await client.uploadFile(viaClient);
    expect(response.client_ids).toEqual(['mm-1']);
    expect(response.file_infos[0]).toMatchObject({ name: 'hello.txt', mime_type: 'text/plain', size: 19 });
    const post = await client.createPost({ channel_id: channel.id, message: 'both', file_ids: [uploaded.file_infos[0]!.id, response.file_infos[0]!.id] } as never);
    expect((await client.getFileInfosForPost(post.id)).map((f) => f.name)).toEqual(['från fetch.png', 'hello.txt']);
    const content = await fetch(client.getFileUrl(response.file_infos[0]!.id, 0), { headers: { Authorization: `Bearer ${owner.token}` } });
    expect(await content.text()).toBe('hello from Client4\n');
  });
});

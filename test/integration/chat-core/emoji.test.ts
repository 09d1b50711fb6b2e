/**
 * Custom emoji over HTTP on both dialects, with images in a real files directory: chat-core runs on
 * a store the test can also open, so every refusal is checked to have left no row and no image.
 */
import http from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIF_1X1, pngImage } from '../../support/images.js';
import { DIALECTS, bearer, memberOf, newTeamId, startStoredHarness, type StoredHarness, type TestUser } from './harness.js';

/** A real RGBA PNG of size × size; `seed` varies the pixels so two images differ. */
const png = (size: number, seed = 0): Buffer => pngImage(size, size, { fill: seed });


describe.each(DIALECTS)('chat-core custom emoji on %s', (dialect) => {
  let h: StoredHarness;
  beforeAll(async () => { h = await startStoredHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const upload = (user: TestUser, emoji: unknown, image: Buffer | undefined, filename = 'emoji.png', contentType = 'image/png') => {
    h.clock.advance(1);
    const req = h.http().post('/api/v4/emoji').set(...bearer(user))
      .field('emoji', typeof emoji === 'string' ? emoji : JSON.stringify(emoji));
    return image ? req.attach('image', image, { filename, contentType }) : req;
  };
  const storedImages = (): string[] => {
    const dir = join(h.filesDir, 'emoji');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const rowsNamed = (name: string) => h.db.selectFrom('emoji').selectAll().where('name', '=', name).execute();
  const member = () => h.user({ teams: memberOf(newTeamId()) });

  it('creates an emoji and serves it by id, by name, in lists, searches and as its image', async () => {
    const alice = await member();
    const image = png(16, 1);
    const created = await upload(alice, { creator_id: alice.id, name: 'ship_it' }, image);
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[a-z0-9]{26}$/), create_at: h.clock.now(), update_at: h.clock.now(), delete_at: 0, creator_id: alice.id, name: 'ship_it',
    });
    const id = created.body.id as string;
    expect(await rowsNamed('ship_it')).toMatchObject([{ id, path: `emoji/${id}`, mime_type: 'image/png' }]);
    expect(storedImages()).toContain(id);
    await upload(alice, { creator_id: alice.id, name: 'ship_fast' }, GIF_1X1, 'a.gif', 'image/gif');

    const reader = await member();
    expect((await h.http().get(`/api/v4/emoji/${id}`).set(...bearer(reader))).body).toEqual(created.body);
    expect((await h.http().get('/api/v4/emoji/name/ship_it').set(...bearer(reader))).body).toEqual(created.body);
    const names = await h.http().post('/api/v4/emoji/names').set(...bearer(reader)).send(['ship_it', '+1', 'no_such_emoji']);
    expect(names.body).toEqual([created.body]);
    const listed = await h.http().get('/api/v4/emoji?sort=name&per_page=200').set(...bearer(reader));
    expect(listed.body.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['ship_fast', 'ship_it']));
    const sorted = listed.body.map((e: { name: string }) => e.name);
    expect(sorted).toEqual([...sorted].sort());
    const search = await h.http().post('/api/v4/emoji/search').set(...bearer(reader)).send({ term: 'SHIP_', prefix_only: true });
    expect(search.body.map((e: { name: string }) => e.name)).toEqual(['ship_fast', 'ship_it']);
    const inside = await h.http().post('/api/v4/emoji/search').set(...bearer(reader)).send({ term: 'p_i' });
    expect(inside.body.map((e: { name: string }) => e.name)).toEqual(['ship_it']);
    const auto = await h.http().get('/api/v4/emoji/autocomplete?name=ship_f').set(...bearer(reader));
    expect(auto.body.map((e: { name: string }) => e.name)).toEqual(['ship_fast']);
    // An underscore in a term is a character, not a LIKE wildcard.
    expect((await h.http().post('/api/v4/emoji/search').set(...bearer(reader)).send({ term: 'ship__t' })).body).toEqual([]);

    const served = await h.http().get(`/api/v4/emoji/${id}/image`).set(...bearer(reader)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(served.status).toBe(200);
    expect(served.headers).toMatchObject({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff' });
    expect(served.headers['content-security-policy']).toContain('sandbox');
    expect(Buffer.compare(served.body as Buffer, image)).toBe(0);
  });

  it('refuses SVG and HTML sent as a PNG, and writes nothing', async () => {
    const alice = await member();
    const before = storedImages();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
    const html = Buffer.from('<html><body><script>alert(1)</script></body></html>');
    for (const [name, body] of [['sneaky_svg', svg], ['sneaky_html', html]] as const) {
      const res = await upload(alice, { creator_id: alice.id, name }, body, 'innocent.png', 'image/png');
      expect(res.status).toBe(400);
      expect(res.body.id).toBe('api.emoji.upload.image.app_error');
      expect(await rowsNamed(name)).toEqual([]);
    }
    expect(storedImages()).toEqual(before);
  });

  it('refuses an image over 512 KiB, and writes nothing', async () => {
    const alice = await member();
    const before = storedImages();
    const big = Buffer.concat([png(8), Buffer.alloc(512 * 1024)]);
    const res = await upload(alice, { creator_id: alice.id, name: 'too_big' }, big);
    expect(res.status).toBe(413);
    expect(res.body.id).toBe('api.emoji.create.too_large.app_error');
    expect(await rowsNamed('too_big')).toEqual([]);
    expect(storedImages()).toEqual(before);
  });

  it('refuses an oversize image while it is still streaming in', async () => {
    const alice = await member();
    const before = storedImages();
    const boundary = 'gatehouse-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="emoji"\r\n\r\n${JSON.stringify({ creator_id: alice.id, name: 'streamed' })}\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="s.png"\r\nContent-Type: image/png\r\n\r\n`;
    const port = (h.running.server.address() as { port: number }).port;
    const answer = await new Promise<{ status: number; body: { id?: string } }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v4/emoji', headers: {
        Authorization: `Bearer ${alice.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding': 'chunked',
      } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as { id?: string } });
        });
      });
      req.on('error', reject);
      req.write(head);
      req.write(png(8));
      // 600 KiB of image and the request left open: the answer can only come from the streaming limit.
      for (let i = 0; i < 10; i += 1) req.write(Buffer.alloc(60 * 1024));
    });
    expect(answer.status).toBe(413);
    expect(answer.body.id).toBe('api.emoji.create.too_large.app_error');
    expect(await rowsNamed('streamed')).toEqual([]);
    expect(storedImages()).toEqual(before);
  });

  it('refuses a duplicate name, a system emoji\'s name and a bad name', async () => {
    const alice = await member();
    const bob = await member();
    expect((await upload(alice, { creator_id: alice.id, name: 'taken' }, png(8))).status).toBe(200);
    const before = storedImages();
    const duplicate = await upload(bob, { creator_id: bob.id, name: 'taken' }, png(8, 2));
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.id).toBe('api.emoji.create.duplicate.app_error');
    expect(await rowsNamed('taken')).toHaveLength(1);
    for (const [name, id] of [['+1', 'model.emoji.system_emoji_name.app_error'], ['smile', 'model.emoji.system_emoji_name.app_error'], ['has space', 'model.emoji.name.app_error'], ['x'.repeat(65), 'model.emoji.name.app_error']]) {
      const res = await upload(bob, { creator_id: bob.id, name }, png(8));
      expect(res.status).toBe(400);
      expect(res.body.id).toBe(id);
    }
    expect(storedImages()).toEqual(before);
  });

  it('refuses a guest, and an emoji made out in someone else\'s name', async () => {
    const team = newTeamId();
    const guest = await h.user({ guest: true, roles: ['system_guest'], teams: { [team]: ['team_guest'] } });
    const alice = await h.user({ teams: memberOf(team) });
    const before = storedImages();
    const byGuest = await upload(guest, { creator_id: guest.id, name: 'guest_made' }, png(8));
    expect(byGuest.status).toBe(403);
    expect(byGuest.body.id).toBe('api.context.permissions.app_error');
    const forged = await upload(alice, { creator_id: guest.id, name: 'forged' }, png(8));
    expect(forged.status).toBe(403);
    expect(forged.body.id).toBe('api.emoji.create.other_user.app_error');
    expect(await rowsNamed('guest_made')).toEqual([]);
    expect(await rowsNamed('forged')).toEqual([]);
    expect(storedImages()).toEqual(before);
  });

  it('refuses malformed uploads with 400 and a stable id', async () => {
    const alice = await member();
    const noImage = await upload(alice, { creator_id: alice.id, name: 'no_image' }, undefined);
    expect(noImage.status).toBe(400);
    expect(noImage.body.id).toBe('api.context.invalid_body_param.app_error');
    const notJson = await upload(alice, '{"name":', png(8));
    expect(notJson.body.id).toBe('api.context.invalid_body_param.app_error');
    const notMultipart = await h.http().post('/api/v4/emoji').set(...bearer(alice)).send({ creator_id: alice.id, name: 'json_body' });
    expect(notMultipart.status).toBe(400);
    expect(notMultipart.body.id).toBe('api.emoji.create.parse.app_error');
    const twoImages = h.http().post('/api/v4/emoji').set(...bearer(alice)).field('emoji', JSON.stringify({ creator_id: alice.id, name: 'two' }))
      .attach('image', png(8), 'a.png').attach('image', png(8), 'b.png');
    const two = await twoImages;
    expect(two.status).toBe(400);
    expect(two.body.id).toBe('api.emoji.create.parse.app_error');
    for (const name of ['no_image', 'json_body', 'two']) expect(await rowsNamed(name)).toEqual([]);
  });

  it('lets the creator and an admin delete an emoji, but not another user', async () => {
    const alice = await member();
    const bob = await member();
    const admin = await h.user({ roles: ['system_user', 'system_admin'], teams: memberOf(newTeamId()) });
    const created = (await upload(alice, { creator_id: alice.id, name: 'contested' }, png(8))).body;
    const refused = await h.http().delete(`/api/v4/emoji/${created.id}`).set(...bearer(bob));
    expect(refused.status).toBe(403);
    expect(await rowsNamed('contested')).toMatchObject([{ delete_at: 0 }]);
    expect(storedImages()).toContain(created.id);

    h.clock.advance(1);
    expect((await h.http().delete(`/api/v4/emoji/${created.id}`).set(...bearer(admin))).body).toEqual({ status: 'OK' });
    expect(await rowsNamed('contested')).toMatchObject([{ delete_at: h.clock.now() }]);
    expect(storedImages()).not.toContain(created.id);
    const gone = await h.http().get(`/api/v4/emoji/${created.id}`).set(...bearer(alice));
    expect(gone.status).toBe(404);
    expect(gone.body.id).toBe('app.emoji.get.no_result');
    expect((await h.http().get(`/api/v4/emoji/${created.id}/image`).set(...bearer(alice))).status).toBe(404);
    expect((await h.http().delete(`/api/v4/emoji/${created.id}`).set(...bearer(admin))).status).toBe(404);

    // The name is free again, and a creator may delete their own.
    const again = (await upload(alice, { creator_id: alice.id, name: 'contested' }, png(8))).body;
    expect((await h.http().delete(`/api/v4/emoji/${again.id}`).set(...bearer(alice))).status).toBe(200);
    expect(await rowsNamed('contested')).toHaveLength(2);
  });

  it('takes the reactions of a deleted emoji off their posts', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const channel = (await h.http().post('/api/v4/channels').set(...bearer(alice)).send({ team_id: team, name: 'r', display_name: 'R', type: 'O' })).body;
    const post = (await h.http().post('/api/v4/posts').set(...bearer(alice)).send({ channel_id: channel.id, message: 'x' })).body;
    const emoji = (await upload(alice, { creator_id: alice.id, name: 'short_lived' }, png(8))).body;
    expect((await h.http().post('/api/v4/reactions').set(...bearer(alice)).send({ user_id: alice.id, post_id: post.id, emoji_name: 'short_lived' })).status).toBe(200);
    h.clock.advance(1);
    expect((await h.http().delete(`/api/v4/emoji/${emoji.id}`).set(...bearer(alice))).status).toBe(200);
    const after = (await h.http().get(`/api/v4/posts/${post.id}`).set(...bearer(alice))).body;
    expect(after).toMatchObject({ has_reactions: false, update_at: h.clock.now() });
    expect(await h.db.selectFrom('reactions').selectAll().where('post_id', '=', post.id).execute()).toEqual([]);
  });

  it('refuses bad look-ups with 400 and stable ids', async () => {
    const alice = await member();
    const cases: Array<[() => request.Test, number, string]> = [
      [() => h.http().get('/api/v4/emoji/not-an-id').set(...bearer(alice)), 400, 'api.context.invalid_url_param.app_error'],
      [() => h.http().get('/api/v4/emoji/name/bad%20name').set(...bearer(alice)), 400, 'api.context.invalid_url_param.app_error'],
      [() => h.http().get('/api/v4/emoji/name/nobody_made_this').set(...bearer(alice)), 404, 'app.emoji.get_by_name.no_result'],
      [() => h.http().get('/api/v4/emoji?sort=creator').set(...bearer(alice)), 400, 'api.context.invalid_url_param.app_error'],
      [() => h.http().get('/api/v4/emoji/autocomplete').set(...bearer(alice)), 400, 'api.context.invalid_url_param.app_error'],
      [() => h.http().post('/api/v4/emoji/search').set(...bearer(alice)).send({ term: '' }), 400, 'api.context.invalid_body_param.app_error'],
      [() => h.http().post('/api/v4/emoji/names').set(...bearer(alice)).send([]), 400, 'api.context.invalid_body_param.app_error'],
      [() => h.http().post('/api/v4/emoji/names').set(...bearer(alice)).send([1, 2]), 400, 'api.payload.parse.error'],
      [() => h.http().post('/api/v4/emoji/names').set(...bearer(alice)).send(Array.from({ length: 201 }, (_, i) => `n${i}`)), 400, 'api.emoji.get_multiple_by_name_too_many.request_error'],
    ];
    for (const [send, status, id] of cases) {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body.id).toBe(id);
    }
    // A term no emoji name could contain matches nothing (and never reaches SQL).
    expect((await h.http().post('/api/v4/emoji/search').set(...bearer(alice)).send({ term: "%' or 1=1 --\u0000" })).body).toEqual([]);
  });
});

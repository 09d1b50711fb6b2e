/**
 * Outgoing webhooks, on both dialects: the management API, and deliveries to a real HTTP server on
 * 127.0.0.1 (allowed through webhookAllowedHosts) that checks the signature and answers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISION_PATH } from '../../../chat-core/contract.js';
import { DIALECTS, type TestUser } from './harness.js';
import { TEST_SECRET_KEY, bearer, memberOf, startWebhookHarness, type WebhookHarness } from './webhooks-harness.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A callback endpoint: records every request and answers by path. */
async function startCallbackServer() {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const wake of waiters.splice(0)) wake();
      if (req.url === '/reply') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: 'deploy started', response_type: 'comment', username: 'deployer', props: { run: 7 } }));
      } else if (req.url === '/post') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ text: 'a new post' }));
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('thanks');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port, received,
    /** Resolves once `count` requests have arrived (bounded). */
    async waitFor(count: number, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} callback requests, got ${received.length}`);
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50); });
      }
    },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

function verifySignature(header: string | undefined, token: string, body: string): number {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) throw new Error(`malformed signature header: ${header}`);
  const expected = createHmac('sha256', token).update(`${match[1]}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) throw new Error('signature does not verify');
  return Number(match[1]);
}

describe.each(DIALECTS)('outgoing webhooks on %s', (dialect) => {
  let h: WebhookHarness;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  const tokens: string[] = [];
  beforeAll(async () => {
    callback = await startCallbackServer();
    h = await startWebhookHarness(dialect, { secretKey: TEST_SECRET_KEY, webhookAllowedHosts: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await h.close();
    await callback.close();
  });

  const createHook = async (admin: TestUser, body: Record<string, unknown>) => {
    const res = await h.http().post('/api/v4/hooks/outgoing').set(...bearer(admin)).send(body);
    expect(res.status, res.text).toBe(201);
    tokens.push(res.body.token as string);
    return res.body as { id: string; token: string };
  };
  const post = (user: TestUser, channelId: string, message: string) => {
    h.clock.advance(1000);
    return h.http().post('/api/v4/posts').set(...bearer(user)).send({ channel_id: channelId, message });
  };
  const waitForPosts = async (channelId: string, count: number) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const rows = await h.posts(channelId);
      if (rows.length >= count) return rows;
      if (Date.now() > deadline) throw new Error(`expected ${count} posts, got ${rows.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const url = (path: string) => `http://127.0.0.1:${callback.port}${path}`;

  it('manages a hook: create with a 26-character token, read, list, update, regenerate, delete', async () => {
    const { team, admin, channel } = await h.team();
    const hook = await createHook(admin, {
      team_id: team, channel_id: channel.id, trigger_words: ['build'], trigger_when: 0, callback_urls: [url('/quiet')],
      display_name: 'Builder', content_type: 'application/json', username: 'builder', icon_url: 'https://ci.example/b.png',
    });
    expect(hook).toMatchObject({
      team_id: team, channel_id: channel.id, creator_id: admin.id, trigger_words: ['build'], trigger_when: 0,
      callback_urls: [url('/quiet')], display_name: 'Builder', content_type: 'application/json', username: 'builder', delete_at: 0,
    });
    expect(hook.token).toMatch(/^[a-z0-9]{26}$/);
    expect((await h.http().get(`/api/v4/hooks/outgoing/${hook.id}`).set(...bearer(admin))).body).toEqual(hook);
    const byChannel = await h.http().get(`/api/v4/hooks/outgoing?channel_id=${channel.id}`).set(...bearer(admin));
    expect(byChannel.body.map((row: { id: string }) => row.id)).toEqual([hook.id]);
    const byTeam = await h.http().get(`/api/v4/hooks/outgoing?team_id=${team}`).set(...bearer(admin));
    expect(byTeam.body.map((row: { id: string }) => row.id)).toEqual([hook.id]);

    const updated = await h.http().put(`/api/v4/hooks/outgoing/${hook.id}`).set(...bearer(admin)).send({ ...hook, trigger_words: ['ship', 'build'], trigger_when: 1 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ trigger_words: ['ship', 'build'], trigger_when: 1, token: hook.token });
    const regen = await h.http().post(`/api/v4/hooks/outgoing/${hook.id}/regen_token`).set(...bearer(admin));
    expect(regen.status).toBe(200);
    expect(regen.body.token).toMatch(/^[a-z0-9]{26}$/);
    expect(regen.body.token).not.toBe(hook.token);
    tokens.push(regen.body.token as string);
    expect((await h.http().delete(`/api/v4/hooks/outgoing/${hook.id}`).set(...bearer(admin))).body).toEqual({ status: 'OK' });
    expect((await h.http().get(`/api/v4/hooks/outgoing/${hook.id}`).set(...bearer(admin))).status).toBe(404);
  });

  it('stores the token sealed, never in clear', async () => {
    const { team, admin, channel } = await h.team();
    const hook = await createHook(admin, { team_id: team, channel_id: channel.id, callback_urls: [url('/quiet')] });
    const row = await h.db.selectFrom('outgoing_webhooks').selectAll().where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(hook.token);
    expect(row.token_sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    // A sealed token copied onto another hook does not open there (the hook id is authenticated data).
    const other = await createHook(admin, { team_id: team, channel_id: channel.id, callback_urls: [url('/other')] });
    await h.db.updateTable('outgoing_webhooks').set({ token_sealed: row.token_sealed }).where('id', '=', other.id).execute();
    expect((await h.http().get(`/api/v4/hooks/outgoing/${other.id}`).set(...bearer(admin))).body.token).toBe('');
  });

  it('refuses plain members, other teams, private channels and bad bodies, writing nothing', async () => {
    const { team, admin, channel } = await h.team();
    const member = await h.user({ teams: memberOf(team) });
    const elsewhere = await h.team();
    const privateRoom = await h.http().post('/api/v4/channels').set(...bearer(admin)).send({ team_id: team, name: 'secret', display_name: 'S', type: 'P' });
    const count = async () => (await h.db.selectFrom('outgoing_webhooks').select('id').execute()).length;
    const before = await count();
    const valid = { team_id: team, channel_id: channel.id, trigger_words: ['go'], callback_urls: [url('/quiet')] };
    const send = (user: TestUser, body: unknown) => h.http().post('/api/v4/hooks/outgoing').set(...bearer(user)).send(body as object);
    expect((await send(member, valid)).status).toBe(403);
    expect((await send(elsewhere.admin, valid)).status).toBe(403);
    expect((await send(elsewhere.admin, { ...valid, team_id: elsewhere.team })).body.id).toBe('api.webhook.create_outgoing.permissions.app_error');
    const notOpen = await send(admin, { ...valid, channel_id: privateRoom.body.id });
    expect(notOpen.status).toBe(403);
    expect(notOpen.body.id).toBe('api.webhook.create_outgoing.not_open.app_error');
    const noTrigger = await send(admin, { ...valid, channel_id: '', trigger_words: [] });
    expect(noTrigger.body.id).toBe('api.webhook.create_outgoing.triggers.app_error');
    for (const body of [
      { ...valid, callback_urls: [] }, { ...valid, callback_urls: ['ftp://example.com/'] }, { ...valid, callback_urls: ['http://user:pw@example.com/'] },
      { ...valid, trigger_words: ['two words'] }, { ...valid, trigger_when: 2 }, { ...valid, content_type: 'text/xml' }, { ...valid, team_id: undefined }, [],
    ]) {
      const res = await send(admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof res.body.id).toBe('string');
    }
    expect(await count()).toBe(before);
    await createHook(admin, valid);
    const overlap = await send(admin, valid);
    expect(overlap.status).toBe(400);
    expect(overlap.body.id).toBe('api.webhook.create_outgoing.intersect.app_error');
  });

  it('delivers a signed JSON payload and posts the JSON answer back in the thread, as the hook creator', async () => {
    const { team, admin, channel } = await h.team();
    const hook = await createHook(admin, {
      team_id: team, channel_id: channel.id, trigger_words: ['deploy'], callback_urls: [url('/reply')], content_type: 'application/json', display_name: 'Deployer',
    });
    const author = await h.user({ teams: memberOf(team) });
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(author)).send({ user_id: author.id })).status).toBe(201);
    const start = callback.received.length;
    const created = await post(author, channel.id, 'deploy production now');
    expect(created.status).toBe(201);
    await callback.waitFor(start + 1);
    const request = callback.received[start]!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBeUndefined();
    const t = verifySignature(request.headers['x-gatehouse-signature'] as string, hook.token, request.body);
    expect(t).toBe(Math.floor(h.clock.now() / 1000));
    expect(JSON.parse(request.body)).toEqual({
      token: hook.token, team_id: team, team_domain: '', channel_id: channel.id, channel_name: channel.name, timestamp: created.body.create_at,
      user_id: author.id, user_name: author.claims.username, post_id: created.body.id, text: 'deploy production now', trigger_word: 'deploy', file_ids: '',
    });
    const rows = await waitForPosts(channel.id, 2);
    // The clock is frozen: both posts carry the same create_at, so find the answer by its thread.
    expect(rows.find((row) => row.id !== created.body.id)).toMatchObject({
      user_id: admin.id, root_id: created.body.id, message: 'deploy started',
      props: { from_webhook: 'true', override_username: 'deployer', webhook_display_name: 'Deployer', run: 7 },
    });
    // The answer itself starts with the trigger word but, coming from a webhook, fires nothing:
    // the next delivery is the next user post's.
    await post(author, channel.id, 'deploy staging');
    await callback.waitFor(start + 2);
    expect(callback.received.slice(start).map((r) => (JSON.parse(r.body) as { text: string }).text)).toEqual(['deploy production now', 'deploy staging']);
  });

  it('form-encodes the payload for a form hook, with seconds in timestamp, and fires team-wide on a prefix', async () => {
    const { team, admin } = await h.team();
    const hook = await createHook(admin, { team_id: team, trigger_words: ['!bu'], trigger_when: 1, callback_urls: [url('/form')] });
    const other = (await h.http().post('/api/v4/channels').set(...bearer(admin)).send({ team_id: team, name: 'builds', display_name: 'B', type: 'O' })).body;
    const start = callback.received.length;
    const created = await post(admin, other.id, '!build web');
    await callback.waitFor(start + 1);
    const request = callback.received[start]!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    verifySignature(request.headers['x-gatehouse-signature'] as string, hook.token, request.body);
    const form = Object.fromEntries(new URLSearchParams(request.body));
    expect(form).toMatchObject({ token: hook.token, channel_name: 'builds', trigger_word: '!bu', text: '!build web', timestamp: String(Math.floor(created.body.create_at / 1000)) });
    // Text answers are not posted.
    expect((await h.posts(other.id)).length).toBe(1);
  });

  it('does not fire for a post made through an incoming webhook', async () => {
    const { team, admin, channel } = await h.team();
    await createHook(admin, { team_id: team, channel_id: channel.id, trigger_words: ['alert'], callback_urls: [url('/quiet')] });
    const incoming = (await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id })).body;
    const start = callback.received.length;
    expect((await h.http().post(`/hooks/${incoming.id}`).send({ text: 'alert from a webhook' })).status).toBe(200);
    await post(admin, channel.id, 'alert from a person');
    await callback.waitFor(start + 1);
    expect(callback.received.slice(start).map((r) => Object.fromEntries(new URLSearchParams(r.body)).text)).toEqual(['alert from a person']);
  });

  it('refuses callbacks to loopback addresses not in webhookAllowedHosts: nothing reaches the server', async () => {
    const { team, admin, channel } = await h.team();
    const hook = await createHook(admin, {
      team_id: team, channel_id: channel.id, trigger_words: ['ping'],
      callback_urls: [`http://localhost:${callback.port}/x`, `http://127.0.0.2:${callback.port}/x`, `http://[::ffff:127.0.0.1]:${callback.port}/x`],
    });
    const start = callback.received.length;
    const logStart = h.logs.length;
    await post(admin, channel.id, 'ping');
    const refused = (line: Record<string, unknown>) => h.logs.indexOf(line) >= logStart && line.msg === 'outgoing webhook callback refused';
    await h.waitForLog((line) => refused(line) && line.callback_host === `localhost:${callback.port}`);
    await h.waitForLog((line) => refused(line) && line.callback_host === `127.0.0.2:${callback.port}`);
    await h.waitForLog((line) => refused(line) && line.callback_host === `[::ffff:7f00:1]:${callback.port}`);
    expect(callback.received.length).toBe(start);
    expect(h.logs.filter(refused).every((line) => line.outgoing_webhook_id === hook.id)).toBe(true);
  });

  it('follows no redirect and posts nothing for a non-2xx answer', async () => {
    const { team, admin, channel } = await h.team();
    await createHook(admin, { team_id: team, channel_id: channel.id, trigger_words: ['hop'], callback_urls: [url('/redirect')] });
    const logStart = h.logs.length;
    await post(admin, channel.id, 'hop');
    await h.waitForLog((line) => h.logs.indexOf(line) >= logStart && line.status === 302);
    expect((await h.posts(channel.id)).length).toBe(1);
  });

  it('signs with the regenerated token at once, and stops firing once its creator is deactivated', async () => {
    const { team, admin, channel } = await h.team();
    const hook = await createHook(admin, { team_id: team, channel_id: channel.id, trigger_words: ['sign'], callback_urls: [url('/quiet')] });
    const fresh = (await h.http().post(`/api/v4/hooks/outgoing/${hook.id}/regen_token`).set(...bearer(admin))).body.token as string;
    tokens.push(fresh);
    const member = await h.user({ teams: memberOf(team) });
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(member)).send({ user_id: member.id })).status).toBe(201);
    const start = callback.received.length;
    await post(member, channel.id, 'sign this');
    await callback.waitFor(start + 1);
    const request = callback.received[start]!;
    expect(() => verifySignature(request.headers['x-gatehouse-signature'] as string, hook.token, request.body)).toThrow();
    verifySignature(request.headers['x-gatehouse-signature'] as string, fresh, request.body);
    expect(Object.fromEntries(new URLSearchParams(request.body)).token).toBe(fresh);

    const provision = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision()))
      .send({ events: [{ type: 'user.deactivated', user_id: admin.id }] });
    expect(provision.status).toBe(200);
    const logStart = h.logs.length;
    await post(member, channel.id, 'sign again');
    await h.waitForLog((line) => h.logs.indexOf(line) >= logStart && line.outgoing_webhook_id === hook.id && String(line.msg).includes('not fired'));
    expect(callback.received.length).toBe(start + 1);
  });

  it('never writes a token to the logs', async () => {
    expect(tokens.length).toBeGreaterThan(3);
    const text = JSON.stringify(h.logs);
    for (const token of tokens) expect(text).not.toContain(token);
  });
});

describe('outgoing webhooks without a secretKey', () => {
  let h: WebhookHarness;
  beforeAll(async () => { h = await startWebhookHarness('sqlite'); });
  afterAll(async () => { await h.close(); });

  it('refuses to create a hook, saying what to configure, and writes nothing', async () => {
    const { team, admin, channel } = await h.team();
    const res = await h.http().post('/api/v4/hooks/outgoing').set(...bearer(admin))
      .send({ team_id: team, channel_id: channel.id, callback_urls: ['https://example.com/hook'] });
    expect(res.status).toBe(501);
    expect(res.body.id).toBe('api.outgoing_webhook.secret_key_missing.app_error');
    expect(res.body.message).toContain('secretKey');
    expect(await h.db.selectFrom('outgoing_webhooks').selectAll().execute()).toEqual([]);
  });
});

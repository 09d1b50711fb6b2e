/**
 * What bots must never allow: people without the bot permissions making, seeing or driving bots
 * (or their tokens), a bot signing in or telling itself apart from a wrong password at sign-in,
 * a second account with a taken username, a bot making bots or owning bots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

type Client = ReturnType<typeof apiClient>;
const PASSWORD = 'a long enough passphrase';

describe.each(BACKENDS)('bot accounts refuse (%s)', (backend) => {
  let h: Harness;
  let admin: Client;
  let plain: Client;
  let plainId: string;
  let bot: { user_id: string; username: string };
  beforeAll(async () => {
    h = await startHarness(backend);
    admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    plainId = (await admin.request('POST', '/api/v4/users', { body: { email: 'pat@example.com', username: 'pat', password: PASSWORD } })).json.id;
    plain = apiClient(h.url);
    expect((await plain.login('pat', PASSWORD)).status).toBe(200);
    bot = (await admin.request('POST', '/api/v4/bots', { body: { username: 'secret-bot', display_name: 'Secret' } })).json;
  });
  afterAll(async () => { await h?.close(); });

  const db = () => h.gw.gateway.ctx.db;
  const botCount = async () => Number((await db().selectFrom('bots').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const userCount = async () => Number((await db().selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const tokenCount = async (userId: string) => (await db().selectFrom('access_tokens').select('id').where('user_id', '=', userId).execute()).length;

  it('refuses a plain user creating a bot with Mattermost\'s permission error, writing nothing', async () => {
    const [bots, users] = [await botCount(), await userCount()];
    const r = await plain.request('POST', '/api/v4/bots', { body: { username: 'my-own-bot' } });
    expect(r.status).toBe(403);
    expect(r.json.id).toBe('api.context.permissions.app_error');
    expect([await botCount(), await userCount()]).toEqual([bots, users]);
    expect((await admin.request('POST', '/api/v4/users/usernames', { body: ['my-own-bot'] })).json).toEqual([]);
  });

  it('hides other people\'s bots from a plain user, answering as if they did not exist', async () => {
    const list = await plain.request('GET', '/api/v4/bots');
    expect(list.status).toBe(403);
    expect(list.json.id).toBe('api.context.permissions.app_error');
    const unknown = await plain.request('GET', '/api/v4/bots/nosuchbot00000000000000000');
    for (const r of [await plain.request('GET', `/api/v4/bots/${bot.user_id}`), await plain.request('GET', `/api/v4/bots/${bot.user_id}?include_deleted=true`), unknown]) {
      expect(r.status).toBe(404);
      expect(r.json.id).toBe('store.sql_bot.get.missing.app_error');
    }
  });

  it('refuses a plain user patching, disabling, handing over or minting tokens for someone else\'s bot', async () => {
    const before = (await admin.request('GET', `/api/v4/bots/${bot.user_id}`)).json;
    for (const [method, path, body] of [
      ['PUT', `/api/v4/bots/${bot.user_id}`, { display_name: 'Owned' }],
      ['POST', `/api/v4/bots/${bot.user_id}/disable`, undefined],
      ['POST', `/api/v4/bots/${bot.user_id}/assign/${plainId}`, undefined],
    ] as const) {
      const r = await plain.request(method, path, body ? { body } : {});
      expect(r.status, path).toBe(404);
      expect(r.json.id).toBe('store.sql_bot.get.missing.app_error');
    }
    expect((await admin.request('GET', `/api/v4/bots/${bot.user_id}`)).json).toEqual(before);
    const mint = await plain.request('POST', `/api/v4/users/${bot.user_id}/tokens`, { body: { description: 'mine now' } });
    expect(mint.status).toBe(403);
    expect(mint.json.id).toBe('api.context.permissions.app_error');
    expect((await plain.request('GET', `/api/v4/users/${bot.user_id}/tokens`)).status).toBe(403);
    expect(await tokenCount(bot.user_id)).toBe(0);
  });

  it('still refuses the owner of a bot who holds no bot permission (plain users hold none by default)', async () => {
    const owned = (await admin.request('POST', '/api/v4/bots', { body: { username: 'given-bot' } })).json;
    expect((await admin.request('POST', `/api/v4/bots/${owned.user_id}/assign/${plainId}`)).json.owner_id).toBe(plainId);
    expect((await plain.request('GET', `/api/v4/bots/${owned.user_id}`)).status).toBe(404);
    expect((await plain.request('POST', `/api/v4/bots/${owned.user_id}/disable`)).status).toBe(404);
    expect((await plain.request('POST', `/api/v4/users/${owned.user_id}/tokens`, { body: { description: 'x' } })).status).toBe(403);
    expect((await admin.request('GET', `/api/v4/bots/${owned.user_id}`)).json.delete_at).toBe(0);
  });

  it('answers a bot\'s username at sign-in exactly like a wrong password, by username or e-mail', async () => {
    const strip = (j: Record<string, unknown>) => ({ ...j, request_id: undefined });
    const wrong = await apiClient(h.url).login('pat', 'not the password at all');
    const unknown = await apiClient(h.url).login('nobody-here', 'not the password at all');
    expect(wrong.status).toBe(401);
    for (const loginId of ['secret-bot', 'secret-bot@localhost', 'SECRET-BOT']) {
      for (const password of ['', 'x', PASSWORD]) {
        const r = await apiClient(h.url).login(loginId, password);
        if (password === '') { expect(r.status).toBe(400); continue; }
        expect(r.status, `${loginId}/${password}`).toBe(401);
        expect(strip(r.json)).toEqual(strip(wrong.json));
        expect(strip(r.json)).toEqual(strip(unknown.json));
        expect(r.headers.get('token')).toBeNull();
        expect(r.headers.getSetCookie()).toEqual([]);
      }
    }
    expect(await h.gw.gateway.ctx.sessions.listForUser(bot.user_id)).toEqual([]);
    // The failure is logged like an unknown account: nothing in the audit log names the bot.
    const failed = (await h.gw.gateway.ctx.audit.recent(200)).filter((e) => e.event === 'login.failed');
    expect(failed.map((e) => e.subject_id)).not.toContain(bot.user_id);
  });

  it('spends the same password verification on a bot as on an unknown account (no timing tell)', async () => {
    const time = async (loginId: string) => {
      const t = performance.now();
      await apiClient(h.url).login(loginId, 'some guess at a password');
      return performance.now() - t;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const botTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      unknownTimes.push(await time(`ghost-${i}`));
      botTimes.push(await time('secret-bot'));
    }
    // A short cut before the (argon2id) verification would make a bot's refusal several times faster.
    expect(median(botTimes)).toBeGreaterThan(median(unknownTimes) * 0.5);
  });

  it('refuses a taken username with Mattermost\'s id, against people and bots alike, writing nothing', async () => {
    const [bots, users] = [await botCount(), await userCount()];
    for (const username of ['pat', 'secret-bot', 'Secret-Bot', ADMIN.username]) {
      const r = await admin.request('POST', '/api/v4/bots', { body: { username } });
      expect(r.status, username).toBe(400);
      expect(r.json.id).toBe('app.user.save.username_exists.app_error');
    }
    const other = (await admin.request('POST', '/api/v4/bots', { body: { username: 'other-bot' } })).json;
    const rename = await admin.request('PUT', `/api/v4/bots/${other.user_id}`, { body: { username: 'pat' } });
    expect(rename.status).toBe(400);
    expect(rename.json.id).toBe('app.user.save.username_exists.app_error');
    expect((await admin.request('GET', `/api/v4/bots/${other.user_id}`)).json.username).toBe('other-bot');
    expect([await botCount(), await userCount()]).toEqual([bots + 1, users + 1]);
  });

  it('refuses invalid bot fields with Mattermost\'s ids', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'model.bot.is_valid.username.app_error'],
      [{ username: 'no spaces allowed' }, 'model.bot.is_valid.username.app_error'],
      [{ username: 'all' }, 'model.bot.is_valid.username.app_error'],
      [{ username: 'long-name-bot', display_name: 'x'.repeat(65) }, 'model.bot.is_valid.user_id.app_error'],
      [{ username: 'long-desc-bot', description: 'x'.repeat(1025) }, 'model.bot.is_valid.description.app_error'],
      [{ username: 42 }, 'api.context.invalid_param.app_error'],
    ];
    const users = await userCount();
    for (const [body, id] of cases) {
      const r = await admin.request('POST', '/api/v4/bots', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.id).toBe(id);
    }
    expect(await userCount()).toBe(users);
    const ok = await admin.request('POST', '/api/v4/bots', { body: { username: 'emoji-bot', display_name: '🤖'.repeat(64), description: 'é'.repeat(1024) } });
    expect(ok.status).toBe(201);
  });

  it('never lets a bot make bots or own one, even with system roles', async () => {
    const strong = (await admin.request('POST', '/api/v4/bots', { body: { username: 'strong-bot' } })).json;
    expect((await admin.request('PUT', `/api/v4/users/${strong.user_id}/roles`, { body: { roles: 'system_admin system_user' } })).status).toBe(200);
    const asBot = apiClient(h.url);
    asBot.token = (await admin.request('POST', `/api/v4/users/${strong.user_id}/tokens`, { body: { description: 'x' } })).json.token;
    const bots = await botCount();
    const made = await asBot.request('POST', '/api/v4/bots', { body: { username: 'bot-of-bot' } });
    expect(made.status).toBe(403);
    expect(made.json.id).toBe('api.context.permissions.app_error');
    expect(await botCount()).toBe(bots);
    const assign = await admin.request('POST', `/api/v4/bots/${bot.user_id}/assign/${strong.user_id}`);
    expect(assign.status).toBe(403);
    expect((await admin.request('GET', `/api/v4/bots/${bot.user_id}`)).json.owner_id).not.toBe(strong.user_id);
    expect((await admin.request('POST', `/api/v4/bots/${bot.user_id}/assign/nosuchuser0000000000000000`)).status).toBe(404);
  });

  it('keeps the token rules for people unchanged', async () => {
    const own = await plain.request('POST', `/api/v4/users/${plainId}/tokens`, { body: { description: 'mine' } });
    expect(own.status).toBe(403);
    const adminId = (await admin.request('GET', '/api/v4/users/me')).json.id;
    const forOther = await admin.request('POST', `/api/v4/users/${plainId}/tokens`, { body: { description: 'admin made' } });
    expect(forOther.status).toBe(200);
    expect((await admin.request('GET', `/api/v4/users/${plainId}/tokens`)).json).toHaveLength(1);
    expect((await admin.request('GET', `/api/v4/users/me/tokens`)).status).toBe(200);
    expect((await plain.request('GET', `/api/v4/users/${adminId}/tokens`)).status).toBe(403);
  });
});

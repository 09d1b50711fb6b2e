/**
 * Bot accounts through the whole gateway + chat-core: an admin makes a bot, manages it, gives it an
 * access token, and the bot posts through the gateway; disabling it stops it at once, at the
 * gateway and in chat-core.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

type Client = ReturnType<typeof apiClient>;
const PASSWORD = 'a long enough passphrase';

describe.each(BACKENDS)('bot accounts (%s)', (backend) => {
  let h: Harness;
  let admin: Client;
  let adminId: string;
  beforeAll(async () => {
    h = await startHarness(backend);
    admin = apiClient(h.url);
    await admin.login(ADMIN.username, ADMIN.password);
    adminId = (await admin.request('GET', '/api/v4/users/me')).json.id;
  });
  afterAll(async () => { await h?.close(); });

  const auditEvents = async (subjectId: string) =>
    (await h.gw.gateway.ctx.audit.recent(500)).filter((e) => e.subject_id === subjectId).map((e) => e.event);

  async function makeBot(username: string, extra: Record<string, string> = {}) {
    const r = await admin.request('POST', '/api/v4/bots', { body: { username, ...extra } });
    expect(r.status).toBe(201);
    return r.json as { user_id: string; username: string };
  }

  async function tokenFor(userId: string): Promise<Client> {
    const r = await admin.request('POST', `/api/v4/users/${userId}/tokens`, { body: { description: 'ci' } });
    expect(r.status).toBe(200);
    const c = apiClient(h.url);
    c.token = r.json.token;
    return c;
  }

  /** A team with the bot in it and a public channel the bot joined itself. */
  async function botInChannel(botId: string, bot: Client, name: string) {
    const team = (await admin.request('POST', '/api/v4/teams', { body: { name, display_name: name, type: 'O' } })).json;
    expect((await admin.request('POST', `/api/v4/teams/${team.id}/members`, { body: { team_id: team.id, user_id: botId } })).status).toBe(201);
    const channel = (await admin.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: 'builds', display_name: 'Builds', type: 'O' } })).json;
    expect((await bot.request('POST', `/api/v4/channels/${channel.id}/members`, { body: { user_id: botId } })).status).toBe(201);
    return { teamId: team.id as string, channelId: channel.id as string };
  }

  /** Ask chat-core directly, with a freshly minted assertion for the user, whether it still serves them. */
  async function chatCoreStatus(userId: string, username: string, teamId: string, channelId: string): Promise<number> {
    const assertion = await h.gw.gateway.ctx.minter.assertionFor({
      userId, sessionId: `probe-${Math.random()}`, kind: 'access_token', viaCookie: false, csrfToken: '', amr: ['pat'], authTime: 0,
      access: { username, name: username, roles: ['system_user'], teams: { [teamId]: ['team_user'] }, guest: false, deactivated: false, version: 'probe' },
    });
    return (await fetch(`${h.chatUrl}/api/v4/channels/${channelId}/posts`, { headers: { authorization: `Bearer ${assertion}` } })).status;
  }

  it('creates a bot owned by the caller, in Mattermost\'s Bot shape', async () => {
    const r = await admin.request('POST', '/api/v4/bots', { body: { username: 'Deploy-Bot', display_name: 'Deploy', description: 'Ships builds' } });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({
      user_id: expect.any(String), username: 'deploy-bot', display_name: 'Deploy', description: 'Ships builds',
      owner_id: adminId, create_at: expect.any(Number), update_at: expect.any(Number), delete_at: 0,
    });
    expect((await admin.request('GET', `/api/v4/bots/${r.json.user_id}`)).json).toEqual(r.json);
    expect((await admin.request('GET', '/api/v4/bots')).json).toContainEqual(r.json);
    expect(await auditEvents(r.json.user_id)).toContain('bot.created');
  });

  it('shows the bot as a user with is_bot, a placeholder e-mail and no credentials', async () => {
    const bot = await makeBot('shown-bot', { display_name: 'Shown', description: 'Says hi' });
    const user = (await admin.request('GET', `/api/v4/users/${bot.user_id}`)).json;
    expect(user).toMatchObject({ id: bot.user_id, username: 'shown-bot', email: 'shown-bot@localhost', first_name: 'Shown', roles: 'system_user', auth_service: '', is_bot: true, bot_description: 'Says hi', last_password_update: 0 });
    const row = await h.gw.gateway.ctx.db.selectFrom('users').select(['password_hash']).where('id', '=', bot.user_id).executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();
    expect(await h.gw.gateway.ctx.db.selectFrom('identities').select('subject').where('user_id', '=', bot.user_id).execute()).toEqual([]);
    const listed = (await admin.request('POST', '/api/v4/users/usernames', { body: ['shown-bot', ADMIN.username] })).json as { username: string; is_bot: boolean }[];
    expect(Object.fromEntries(listed.map((u) => [u.username, u.is_bot]))).toEqual({ 'shown-bot': true, [ADMIN.username]: false });
    const found = (await admin.request('GET', '/api/v4/users/autocomplete?name=shown')).json.users;
    expect(found).toEqual([expect.objectContaining({ id: bot.user_id, is_bot: true })]);
  });

  it('patches display name, description and username, keeping the e-mail in step', async () => {
    const bot = await makeBot('patch-me', { display_name: 'Before' });
    const r = await admin.request('PUT', `/api/v4/bots/${bot.user_id}`, { body: { display_name: 'After', description: 'Now described' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ user_id: bot.user_id, username: 'patch-me', display_name: 'After', description: 'Now described' });
    const renamed = await admin.request('PUT', `/api/v4/bots/${bot.user_id}`, { body: { username: 'patched' } });
    expect(renamed.json).toMatchObject({ username: 'patched', display_name: 'After', description: 'Now described' });
    expect((await admin.request('GET', `/api/v4/users/${bot.user_id}`)).json).toMatchObject({ username: 'patched', email: 'patched@localhost', first_name: 'After' });
    expect(await auditEvents(bot.user_id)).toContain('bot.patched');
  });

  it('authenticates the bot with an access token and lets it post in a channel of its team', async () => {
    const bot = await makeBot('poster-bot', { display_name: 'Poster' });
    const asBot = await tokenFor(bot.user_id);
    expect((await asBot.request('GET', '/api/v4/users/me')).json).toMatchObject({ id: bot.user_id, is_bot: true });
    const { channelId } = await botInChannel(bot.user_id, asBot, `bots-post-${backend}`);
    const posted = await asBot.request('POST', '/api/v4/posts', { body: { channel_id: channelId, message: 'build 42 is green' } });
    expect(posted.status).toBe(201);
    expect(posted.json).toMatchObject({ user_id: bot.user_id, channel_id: channelId, message: 'build 42 is green' });
    const list = (await admin.request('GET', `/api/v4/channels/${channelId}/posts`)).json as { posts: Record<string, { user_id: string; message: string }> };
    expect(Object.values(list.posts)).toContainEqual(expect.objectContaining({ user_id: bot.user_id, message: 'build 42 is green' }));
  });

  it('stops the bot at once when disabled — its token, its websocket and chat-core — and restores it when enabled', async () => {
    const bot = await makeBot('toggle-bot');
    const asBot = await tokenFor(bot.user_id);
    const { teamId, channelId } = await botInChannel(bot.user_id, asBot, `bots-toggle-${backend}`);
    expect(await chatCoreStatus(bot.user_id, 'toggle-bot', teamId, channelId)).toBe(200);
    const ws = new WebSocket(`${h.url.replace('http', 'ws')}/api/v4/websocket`, { headers: { authorization: `Bearer ${asBot.token}` } });
    await once(ws, 'message');
    const closed = once(ws, 'close');

    const disabled = await admin.request('POST', `/api/v4/bots/${bot.user_id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.json.delete_at).toBeGreaterThan(0);
    const me = await asBot.request('GET', '/api/v4/users/me');
    expect(me.status).toBe(401);
    expect(me.json.id).toBe('api.context.session_expired.app_error');
    expect((await asBot.request('POST', '/api/v4/posts', { body: { channel_id: channelId, message: 'still here?' } })).status).toBe(401);
    expect(await chatCoreStatus(bot.user_id, 'toggle-bot', teamId, channelId)).toBe(401);
    await closed;
    expect((await admin.request('GET', '/api/v4/bots')).json.map((b: { user_id: string }) => b.user_id)).not.toContain(bot.user_id);
    expect((await admin.request('GET', '/api/v4/bots?include_deleted=true')).json.map((b: { user_id: string }) => b.user_id)).toContain(bot.user_id);
    expect((await admin.request('GET', `/api/v4/bots/${bot.user_id}`)).status).toBe(404);
    expect((await admin.request('GET', `/api/v4/bots/${bot.user_id}?include_deleted=true`)).json.delete_at).toBeGreaterThan(0);
    // A profile change while disabled keeps it disabled, at the gateway and in chat-core.
    expect((await admin.request('PUT', `/api/v4/bots/${bot.user_id}`, { body: { display_name: 'Toggled' } })).json).toMatchObject({ display_name: 'Toggled', delete_at: disabled.json.delete_at });
    expect(await chatCoreStatus(bot.user_id, 'toggle-bot', teamId, channelId)).toBe(401);
    expect((await asBot.request('GET', '/api/v4/users/me')).status).toBe(401);

    const enabled = await admin.request('POST', `/api/v4/bots/${bot.user_id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.json.delete_at).toBe(0);
    expect((await asBot.request('GET', '/api/v4/users/me')).status).toBe(200);
    expect(await chatCoreStatus(bot.user_id, 'toggle-bot', teamId, channelId)).toBe(200);
    expect((await asBot.request('POST', '/api/v4/posts', { body: { channel_id: channelId, message: 'back again' } })).status).toBe(201);
    expect(await auditEvents(bot.user_id)).toEqual(expect.arrayContaining(['bot.disabled', 'bot.enabled']));
  });

  it('hands a bot to another owner, and lists bots whose owner is gone as orphaned', async () => {
    const bot = await makeBot('handover-bot');
    const olive = (await admin.request('POST', '/api/v4/users', { body: { email: 'olive@example.com', username: 'olive', password: PASSWORD } })).json;
    const r = await admin.request('POST', `/api/v4/bots/${bot.user_id}/assign/${olive.id}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ user_id: bot.user_id, owner_id: olive.id });
    expect(await auditEvents(bot.user_id)).toContain('bot.assigned');
    const orphans = async () => (await admin.request('GET', '/api/v4/bots?only_orphaned=true&include_deleted=true')).json.map((b: { user_id: string }) => b.user_id);
    expect(await orphans()).not.toContain(bot.user_id);
    expect((await admin.request('DELETE', `/api/v4/users/${olive.id}`)).status).toBe(200);
    expect(await orphans()).toContain(bot.user_id);
    // Mattermost's DisableBotsWhenOwnerIsDeactivated: the departed owner's bot is disabled with them.
    expect((await admin.request('GET', `/api/v4/bots/${bot.user_id}?include_deleted=true`)).json.delete_at).toBeGreaterThan(0);
    expect(await auditEvents(bot.user_id)).toContain('bot.disabled');
  });

  it('pages the bot list in creation order', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await makeBot(n);
    const all = (await admin.request('GET', '/api/v4/bots?per_page=200')).json.map((b: { username: string }) => b.username) as string[];
    const mine = all.filter((n) => n.startsWith('page-'));
    expect(mine).toEqual(['page-a', 'page-b', 'page-c']);
    const at = all.indexOf('page-b');
    expect((await admin.request('GET', `/api/v4/bots?per_page=1&page=${at}`)).json.map((b: { username: string }) => b.username)).toEqual(['page-b']);
  });
});

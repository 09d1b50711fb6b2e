/** POST /hooks/{hook_id}: the public incoming-webhook endpoint, on both dialects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISION_PATH } from '../../../chat-core/contract.js';
import { DIALECTS, type TestUser } from './harness.js';
import { bearer, startWebhookHarness, type WebhookHarness } from './webhooks-harness.js';

describe.each(DIALECTS)('incoming webhook calls on %s', (dialect) => {
  let h: WebhookHarness;
  beforeAll(async () => { h = await startWebhookHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const hookFor = async (admin: TestUser, channelId: string, extra: Record<string, unknown> = {}) => {
    const res = await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channelId, display_name: 'Alerts', ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const call = (hookId: string) => {
    h.clock.advance(1);
    return h.http().post(`/hooks/${hookId}`);
  };

  it('posts a JSON payload as the hook owner, marked from_webhook with the override username', async () => {
    const { admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id, { username: 'alerts-bot' });
    const res = await call(hook.id).send({ text: 'Build <https://ci.example/1|#1> passed', username: 'ci', icon_url: 'https://ci.example/i.png', props: { build: 1, from_webhook: 'forged' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('ok');
    const [post] = await h.posts(channel.id);
    expect(post).toMatchObject({
      user_id: admin.id, message: 'Build [#1](https://ci.example/1) passed',
      props: { from_webhook: 'true', override_username: 'ci', override_icon_url: 'https://ci.example/i.png', webhook_display_name: 'Alerts', build: 1 },
    });
    const channelJson = await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(admin));
    expect(channelJson.body.total_msg_count).toBe(1);
  });

  it('reads a Slack-style form with payload=<json>, and plain form fields, urlencoded or multipart', async () => {
    const { admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id, { username: 'hook-default' });
    const slack = await call(hook.id).type('form').send({ payload: JSON.stringify({ text: 'from slack', username: 'slacky' }) });
    expect(slack.status).toBe(200);
    const fields = await call(hook.id).type('form').send({ text: 'from fields' });
    expect(fields.status).toBe(200);
    const multipart = await call(hook.id).field('text', 'from multipart').field('username', 'multi');
    expect(multipart.status).toBe(200);
    const posts = await h.posts(channel.id);
    expect(posts.map((p) => [p.message, p.props.override_username, p.props.from_webhook])).toEqual([
      ['from slack', 'slacky', 'true'], ['from fields', 'hook-default', 'true'], ['from multipart', 'multi', 'true'],
    ]);
  });

  it('posts attachments without text as a slack_attachment post, and answers a reply in its thread', async () => {
    const { admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id);
    expect((await call(hook.id).send({ attachments: [{ text: 'disk full', color: '#ff0000' }] })).status).toBe(200);
    const [root] = await h.posts(channel.id);
    expect(root).toMatchObject({ type: 'slack_attachment', props: { attachments: [{ text: 'disk full', color: '#ff0000' }], override_username: 'webhook' } });
    expect((await call(hook.id).send({ text: 'resolved', root_id: root!.id })).status).toBe(200);
    expect((await h.posts(channel.id))[1]).toMatchObject({ root_id: root!.id, message: 'resolved' });
  });

  it('sends to another channel of the team by name unless the hook is locked', async () => {
    const { team, admin, channel } = await h.team();
    const other = (await h.http().post('/api/v4/channels').set(...bearer(admin)).send({ team_id: team, name: 'other-room', display_name: 'Other', type: 'O' })).body;
    const open = await hookFor(admin, channel.id);
    expect((await call(open.id).send({ text: 'moved', channel: 'other-room' })).status).toBe(200);
    expect((await h.posts(other.id)).map((p) => p.message)).toEqual(['moved']);

    const locked = await hookFor(admin, channel.id, { channel_locked: true });
    const refused = await call(locked.id).send({ text: 'escape', channel: '#other-room' });
    expect(refused.status).toBe(403);
    expect(refused.body.id).toBe('web.incoming_webhook.channel_locked.app_error');
    expect((await call(locked.id).send({ text: 'home', channel: channel.name })).status).toBe(200);
    expect((await h.posts(other.id)).map((p) => p.message)).toEqual(['moved']);

    const missing = await call(open.id).send({ text: 'lost', channel: 'no-such-room' });
    expect(missing.status).toBe(404);
    expect(missing.body.id).toBe('web.incoming_webhook.channel.app_error');
    const direct = await call(open.id).send({ text: 'dm', channel: '@someone' });
    expect(direct.status).toBe(400);
  });

  it('refuses an archived channel with 400 and writes no post', async () => {
    const { admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id);
    await h.archive(channel.id);
    const res = await call(hook.id).send({ text: 'into the void' });
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('api.post.create_post.can_not_post_to_deleted.error');
    expect(await h.posts(channel.id)).toEqual([]);
  });

  it('refuses once the owner is deactivated, and writes nothing', async () => {
    const { admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id);
    const provision = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision()))
      .send({ events: [{ type: 'user.deactivated', user_id: admin.id }] });
    expect(provision.status).toBe(200);
    const res = await call(hook.id).send({ text: 'still here?' });
    expect(res.status).toBe(403);
    expect(res.body.id).toBe('web.incoming_webhook.user.app_error');
    expect(await h.posts(channel.id)).toEqual([]);
  });

  it('refuses once the owner left the private channel', async () => {
    const { team, admin, channel } = await h.team('P');
    const member = await h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
    await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(member));
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(admin)).send({ user_id: member.id })).status).toBe(201);
    const hook = await hookFor(member, channel.id);
    expect((await call(hook.id).send({ text: 'member' })).status).toBe(200);
    const provision = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision()))
      .send({ events: [{ type: 'channel.member_removed', channel_id: channel.id, user_id: member.id }] });
    expect(provision.status).toBe(200);
    const res = await call(hook.id).send({ text: 'gone' });
    expect(res.status).toBe(403);
    expect(res.body.id).toBe('web.incoming_webhook.permissions.app_error');
    expect((await h.posts(channel.id)).map((p) => p.message)).toEqual(['member']);
  });

  it('refuses once the owner left the team, even for a public channel', async () => {
    const { team, admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id);
    const provision = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision()))
      .send({ events: [{ type: 'team.member_removed', team_id: team, user_id: admin.id }] });
    expect(provision.status).toBe(200);
    const res = await call(hook.id).send({ text: 'left' });
    expect(res.status).toBe(403);
    expect(res.body.id).toBe('web.incoming_webhook.permissions.app_error');
    expect(await h.posts(channel.id)).toEqual([]);
  });

  it('refuses a read-only channel (create_post moderated off for members)', async () => {
    const { team, admin, channel } = await h.team();
    const member = await h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(member)).send({ user_id: member.id })).status).toBe(201);
    const hook = await hookFor(member, channel.id);
    await h.db.updateTable('channels').set({ moderations: JSON.stringify({ create_post: { members: false } }) }).where('id', '=', channel.id).execute();
    const res = await call(hook.id).send({ text: 'shh' });
    expect(res.status).toBe(403);
    expect(res.body.id).toBe('web.incoming_webhook.permissions.app_error');
    // The channel's admin (its creator) is not moderated.
    const adminHook = await hookFor(admin, channel.id);
    expect((await call(adminHook.id).send({ text: 'announcement' })).status).toBe(200);
    expect((await h.posts(channel.id)).map((p) => p.message)).toEqual(['announcement']);
  });

  it('answers 404 for an unknown or deleted hook, and 400 for malformed payloads, writing nothing', async () => {
    const { admin, channel } = await h.team();
    const unknown = await call('a'.repeat(26)).send({ text: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.id).toBe('web.incoming_webhook.invalid.app_error');
    expect((await call('not-an-id').send({ text: 'x' })).status).toBe(404);
    const hook = await hookFor(admin, channel.id);
    const bad: [string, string | object][] = [
      ['application/json', '{"text": '], ['application/json', '[1,2]'], ['application/json', { text: '' }], ['application/json', { text: 5 }],
      ['application/json', { text: 'x', props: [] }], ['application/json', { text: 'x', type: 'system_join_channel' }],
      ['application/json', { text: 'x', icon_url: 'javascript:alert(1)' }], ['application/json', { text: 'nul\u0000' }],
      ['application/x-www-form-urlencoded', 'payload=%7Bbroken'], ['application/json', { text: 'x'.repeat(1001) }],
    ];
    for (const [type, body] of bad) {
      const res = await call(hook.id).set('Content-Type', type).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof res.body.id).toBe('string');
    }
    const big = await call(hook.id).set('Content-Type', 'application/json').send(JSON.stringify({ text: 'x'.repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    await h.http().delete(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(admin));
    expect((await call(hook.id).send({ text: 'after delete' })).status).toBe(404);
    expect(await h.posts(channel.id)).toEqual([]);
  });

  it('keeps the hook id, its credential, out of the logs', async () => {
    const { admin, channel } = await h.team();
    const hook = await hookFor(admin, channel.id);
    expect((await call(hook.id).send({ text: 'quiet' })).status).toBe(200);
    await call(hook.id).set('Content-Type', 'application/json').send(JSON.stringify({ text: 'x'.repeat(1024 * 1024) }));
    const requestLines = h.logs.filter((line) => typeof line.path === 'string' && String(line.path).startsWith('/hooks/'));
    expect(requestLines.length).toBeGreaterThan(0);
    expect(JSON.stringify(h.logs)).not.toContain(hook.id.slice(0, 26));
  });

  it('refuses a guest owner on a public channel the guest is not a member of', async () => {
    const { team, admin, channel } = await h.team();
    const guest = await h.user({ teams: { [team]: ['team_guest'] }, guest: true, roles: ['system_guest'] });
    await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(guest));
    const hook = await hookFor(admin, channel.id, { user_id: guest.id });
    const res = await call(hook.id).send({ text: 'guest' });
    expect(res.status).toBe(403);
    expect(res.body.id).toBe('web.incoming_webhook.permissions.app_error');
    expect(await h.posts(channel.id)).toEqual([]);
  });

  it('lets a team member who is not in a public channel post there through their hook, as Mattermost does', async () => {
    const { team, admin, channel } = await h.team();
    const member = await h.user({ teams: { [team]: ['team_user'] } });
    await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(member));
    const hook = await hookFor(admin, channel.id, { user_id: member.id });
    expect((await call(hook.id).send({ text: 'from outside' })).status).toBe(200);
    expect((await h.posts(channel.id))[0]).toMatchObject({ user_id: member.id, message: 'from outside' });
  });
});

/** The incoming-webhook management API (/api/v4/hooks/incoming), on both dialects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './harness.js';
import { bearer, memberOf, startWebhookHarness, type WebhookHarness } from './webhooks-harness.js';

describe.each(DIALECTS)('incoming webhook API on %s', (dialect) => {
  let h: WebhookHarness;
  beforeAll(async () => { h = await startWebhookHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const hookRows = async () => h.db.selectFrom('incoming_webhooks').selectAll().execute();

  it('lets a team admin create, read, list, update and delete a hook, in the Mattermost shape', async () => {
    const { team, admin, channel } = await h.team();
    const created = await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin))
      .send({ channel_id: channel.id, display_name: 'CI', description: 'builds', username: 'ci-bot', icon_url: 'https://ci.example/icon.png', channel_locked: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      channel_id: channel.id, team_id: team, user_id: admin.id, display_name: 'CI', description: 'builds',
      username: 'ci-bot', icon_url: 'https://ci.example/icon.png', channel_locked: true, delete_at: 0, create_at: h.clock.now(),
    });
    expect(created.body.id).toMatch(/^[a-z0-9]{26}$/);
    const id = created.body.id as string;

    expect((await h.http().get(`/api/v4/hooks/incoming/${id}`).set(...bearer(admin))).body).toEqual(created.body);
    const list = await h.http().get(`/api/v4/hooks/incoming?team_id=${team}&page=0&per_page=10`).set(...bearer(admin));
    expect(list.status).toBe(200);
    expect(list.body.map((hook: { id: string }) => hook.id)).toEqual([id]);
    const counted = await h.http().get(`/api/v4/hooks/incoming?team_id=${team}&include_total_count=true`).set(...bearer(admin));
    expect(counted.body).toMatchObject({ total_count: 1, incoming_webhooks: [{ id }] });

    h.clock.advance(5);
    const updated = await h.http().put(`/api/v4/hooks/incoming/${id}`).set(...bearer(admin))
      .send({ ...created.body, display_name: 'CI 2', channel_locked: false });
    expect(updated.status).toBe(201);
    expect(updated.body).toMatchObject({ id, display_name: 'CI 2', channel_locked: false, update_at: h.clock.now(), create_at: created.body.create_at });

    const removed = await h.http().delete(`/api/v4/hooks/incoming/${id}`).set(...bearer(admin));
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ status: 'OK' });
    const gone = await h.http().get(`/api/v4/hooks/incoming/${id}`).set(...bearer(admin));
    expect(gone.status).toBe(404);
    expect(gone.body.id).toBe('app.webhooks.get_incoming.app_error');
  });

  it('refuses a plain team member (no manage_incoming_webhooks) and writes nothing', async () => {
    const { team, channel } = await h.team();
    const member = await h.user({ teams: memberOf(team) });
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(member)).send({ user_id: member.id })).status).toBe(201);
    const before = (await hookRows()).length;
    const res = await h.http().post('/api/v4/hooks/incoming').set(...bearer(member)).send({ channel_id: channel.id });
    expect(res.status).toBe(403);
    expect(res.body.id).toBe('api.context.permissions.app_error');
    expect((await h.http().get(`/api/v4/hooks/incoming?team_id=${team}`).set(...bearer(member))).status).toBe(403);
    expect((await hookRows()).length).toBe(before);
  });

  it('refuses an admin of another team, for creating and for managing an existing hook', async () => {
    const { admin, channel } = await h.team();
    const hook = (await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id })).body as { id: string };
    const elsewhere = await h.team();
    const before = (await hookRows()).length;
    expect((await h.http().post('/api/v4/hooks/incoming').set(...bearer(elsewhere.admin)).send({ channel_id: channel.id })).status).toBe(403);
    expect((await h.http().get(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(elsewhere.admin))).status).toBe(403);
    expect((await h.http().delete(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(elsewhere.admin))).status).toBe(403);
    expect((await hookRows()).length).toBe(before);
    expect((await h.http().get(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(admin))).status).toBe(200);
  });

  it('keeps a private channel\'s hooks from a team admin who cannot read the channel', async () => {
    const { team, admin, channel } = await h.team('P');
    const hook = (await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id })).body as { id: string };
    const otherAdmin = await h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
    const before = (await hookRows()).length;
    const res = await h.http().post('/api/v4/hooks/incoming').set(...bearer(otherAdmin)).send({ channel_id: channel.id });
    expect(res.status).toBe(403);
    expect((await hookRows()).length).toBe(before);
    // Its id is a credential: not listed, not shown, not deletable.
    const list = await h.http().get(`/api/v4/hooks/incoming?team_id=${team}&include_total_count=true`).set(...bearer(otherAdmin));
    expect(list.body).toEqual({ incoming_webhooks: [], total_count: 0 });
    expect((await h.http().get(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(otherAdmin))).status).toBe(403);
    expect((await h.http().delete(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(otherAdmin))).status).toBe(403);
    const own = await h.http().get(`/api/v4/hooks/incoming?team_id=${team}`).set(...bearer(admin));
    expect(own.body.map((row: { id: string }) => row.id)).toEqual([hook.id]);
  });

  it('keeps others\' hooks to those holding manage_others_incoming_webhooks', async () => {
    const { team, admin, channel } = await h.team();
    const hook = (await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id })).body as { id: string };
    const secondAdmin = await h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
    // Team admins hold manage_others: they see and manage every hook of the team.
    const list = await h.http().get(`/api/v4/hooks/incoming?team_id=${team}`).set(...bearer(secondAdmin));
    expect(list.body.map((row: { id: string }) => row.id)).toContain(hook.id);
    expect((await h.http().get(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(secondAdmin))).status).toBe(200);
    // Listing across teams counts system roles only.
    expect((await h.http().get('/api/v4/hooks/incoming').set(...bearer(admin))).status).toBe(403);
    const sysadmin = await h.user({ roles: ['system_user', 'system_admin'] });
    const all = await h.http().get('/api/v4/hooks/incoming?per_page=200').set(...bearer(sysadmin));
    expect(all.status).toBe(200);
    expect(all.body.map((row: { id: string }) => row.id)).toContain(hook.id);
  });

  it('creates a hook for another user only when that user is an active member of the team', async () => {
    const { team, admin, channel } = await h.team();
    const member = await h.user({ teams: memberOf(team) });
    await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(member));
    const forMember = await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id, user_id: member.id });
    expect(forMember.status).toBe(201);
    expect(forMember.body.user_id).toBe(member.id);
    const stranger = await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id, user_id: 'nobody-known-here' });
    expect(stranger.status).toBe(404);
    expect(stranger.body.id).toBe('app.user.missing_account.const');
  });

  it('refuses bad bodies with 400 and a stable id, and archived or unknown channels', async () => {
    const { admin, channel } = await h.team();
    const before = (await hookRows()).length;
    for (const body of [
      [], { channel_id: 'nope' }, { channel_id: channel.id, display_name: 'x'.repeat(65) }, { channel_id: channel.id, username: 'Bad Name' },
      { channel_id: channel.id, icon_url: 'javascript:alert(1)' }, { channel_id: channel.id, channel_locked: 'yes' },
    ]) {
      const res = await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send(body as object);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof res.body.id).toBe('string');
    }
    expect((await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: 'a'.repeat(26) })).status).toBe(404);
    const archived = await h.team();
    await h.archive(archived.channel.id);
    const res = await h.http().post('/api/v4/hooks/incoming').set(...bearer(archived.admin)).send({ channel_id: archived.channel.id });
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('api.webhook.channel_archived.app_error');
    expect((await hookRows()).length).toBe(before);
  });

  it('refuses an update whose body names another hook or another team', async () => {
    const { admin, channel } = await h.team();
    const hook = (await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id, display_name: 'keep' })).body;
    const wrongId = await h.http().put(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(admin)).send({ ...hook, id: 'b'.repeat(26) });
    expect(wrongId.status).toBe(400);
    const wrongTeam = await h.http().put(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(admin)).send({ ...hook, team_id: 'other-team' });
    expect(wrongTeam.status).toBe(400);
    expect(wrongTeam.body.id).toBe('api.webhook.team_mismatch.app_error');
    const elsewhere = await h.team();
    const foreignChannel = await h.http().put(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(admin)).send({ ...hook, channel_id: elsewhere.channel.id });
    expect(foreignChannel.status).toBe(403);
    expect((await h.http().get(`/api/v4/hooks/incoming/${hook.id}`).set(...bearer(admin))).body.display_name).toBe('keep');
  });
});

describe('incoming webhooks turned off', () => {
  let h: WebhookHarness;
  beforeAll(async () => { h = await startWebhookHarness('sqlite', { incomingWebhooks: false }); });
  afterAll(async () => { await h.close(); });

  it('answers 501 with Mattermost\'s ids on the API and on the hook endpoint', async () => {
    const { admin, channel } = await h.team();
    const res = await h.http().post('/api/v4/hooks/incoming').set(...bearer(admin)).send({ channel_id: channel.id });
    expect(res.status).toBe(501);
    expect(res.body.id).toBe('api.incoming_webhook.disabled.app_error');
    const call = await h.http().post(`/hooks/${'a'.repeat(26)}`).send({ text: 'hi' });
    expect(call.status).toBe(501);
    expect(call.body.id).toBe('web.incoming_webhook.disabled.app_error');
  });
});

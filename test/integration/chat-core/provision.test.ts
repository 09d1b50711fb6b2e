import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROVISION_EVENTS, PROVISION_PATH, type ProvisionEvent } from '../../../chat-core/contract.js';
import { randomUserId } from '../../support/assertions.js';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

describe.each(DIALECTS)('chat-core provisioning on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const provision = async (events: unknown) =>
    h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision())).send({ events });
  const mirrored = (id: string, extra: Partial<{ guest: boolean; deactivated: boolean }> = {}): ProvisionEvent =>
    ({ type: 'user.upserted', user: { id, username: `u${id.slice(0, 8)}`, display_name: 'U', guest: false, deactivated: false, ...extra } });
  const setup = async () => {
    const team = newTeamId();
    const owner = await h.user({ teams: memberOf(team) });
    const channel = (await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'prov', display_name: 'Prov', type: 'P' })).body as { id: string };
    return { team, owner, channel };
  };
  const memberIds = async (owner: TestUser, channelId: string) =>
    (await h.http().get(`/api/v4/channels/${channelId}/members`).set(...bearer(owner))).body.map((m: { user_id: string }) => m.user_id).sort();

  it('mirrors a user and adds them to a channel, as admin when asked', async () => {
    const { owner, channel } = await setup();
    const id = randomUserId();
    const res = await provision([mirrored(id), { type: 'channel.member_added', channel_id: channel.id, user_id: id, scheme_admin: true }]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({ applied: 2 });
    const member = await h.http().get(`/api/v4/channels/${channel.id}/members/${id}`).set(...bearer(owner));
    expect(member.body).toMatchObject({ roles: 'channel_user channel_admin', scheme_admin: true });
  });

  it('applies nothing when one event of the batch cannot apply', async () => {
    const { owner, channel } = await setup();
    const id = randomUserId();
    const res = await provision([
      mirrored(id),
      { type: 'channel.member_added', channel_id: channel.id, user_id: id },
      { type: 'channel.member_added', channel_id: 'aaaaaaaaaaaaaaaaaaaaaaaaaa', user_id: id },
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ id: 'provision.channel_not_found', detailed_error: expect.stringContaining('events[2]') });
    expect(await memberIds(owner, channel.id)).toEqual([owner.id]);
    const add = await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(owner)).send({ user_id: id });
    expect(add.body.id).toBe('app.user.missing_account.const');
  });

  it('refuses a batch with a malformed event before applying any of it', async () => {
    const { owner, channel } = await setup();
    const id = randomUserId();
    for (const bad of [{ type: 'user.promoted', user_id: id }, { type: 'channel.member_added', channel_id: channel.id }, { type: 'user.upserted', user: { id } }]) {
      const res = await provision([mirrored(id), { type: 'channel.member_added', channel_id: channel.id, user_id: id }, bad]);
      expect(res.status).toBe(400);
      expect(res.body.id).toBe('provision.invalid_request');
    }
    expect(await memberIds(owner, channel.id)).toEqual([owner.id]);
    const broken = await h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision())).set('Content-Type', 'application/json').send('{"events": [');
    expect(broken.status).toBe(400);
  });

  it('refuses more than MAX_PROVISION_EVENTS events in one request', async () => {
    const events = Array.from({ length: MAX_PROVISION_EVENTS + 1 }, () => ({ type: 'user.deactivated', user_id: randomUserId() }));
    const res = await provision(events);
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('provision.invalid_request');
    expect((await provision(events.slice(1))).body).toEqual({ applied: MAX_PROVISION_EVENTS });
  });

  it('records a team membership so channel members can add the person before they ever chat; a no-op for a user never mirrored', async () => {
    const { team, owner, channel } = await setup();
    const id = randomUserId();
    expect((await provision([mirrored(id)])).status).toBe(200);
    const before = await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(owner)).send({ user_id: id });
    expect(before.body.id).toBe('api.channel.add_user.to.channel.failed.not_team_member.app_error');
    expect((await provision([{ type: 'team.member_added', team_id: team, user_id: id }])).body).toEqual({ applied: 1 });
    expect((await h.http().post(`/api/v4/channels/${channel.id}/members`).set(...bearer(owner)).send({ user_id: id })).status).toBe(201);
    expect((await provision([{ type: 'team.member_added', team_id: team, user_id: randomUserId() }])).body).toEqual({ applied: 1 });
  });

  it('refuses to add a user the mirror has never heard of', async () => {
    const { channel } = await setup();
    const res = await provision([{ type: 'channel.member_added', channel_id: channel.id, user_id: randomUserId() }]);
    expect(res.status).toBe(400);
    expect(res.body.id).toBe('provision.user_not_found');
  });

  it('removes a member from one channel, or from every channel of a team', async () => {
    const { team, owner, channel } = await setup();
    const second = (await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'prov2', display_name: 'Prov 2', type: 'O' })).body;
    const id = randomUserId();
    await provision([mirrored(id), ...[channel.id, second.id].map((c) => ({ type: 'channel.member_added', channel_id: c, user_id: id }))]);
    expect(await memberIds(owner, second.id)).toContain(id);
    await provision([{ type: 'channel.member_removed', channel_id: channel.id, user_id: id }]);
    expect(await memberIds(owner, channel.id)).not.toContain(id);
    expect(await memberIds(owner, second.id)).toContain(id);
    await provision([{ type: 'team.member_removed', team_id: team, user_id: id }]);
    expect(await memberIds(owner, second.id)).toEqual([owner.id]);
  });

  it('refuses every request of a deactivated user until they are upserted active again', async () => {
    const team = newTeamId();
    const alice = await h.user({ teams: memberOf(team) });
    const path = `/api/v4/users/me/teams/${team}/channels`;
    expect((await h.http().get(path).set(...bearer(alice))).status).toBe(200);
    expect((await provision([{ type: 'user.deactivated', user_id: alice.id }])).status).toBe(200);
    const refused = await h.http().get(path).set(...bearer(alice));
    expect(refused.status).toBe(401);
    expect(h.logs.find((l) => l.request_id === refused.body.request_id && l.level === 40)).toMatchObject({ reason: 'ASSERTION_USER_DEACTIVATED' });
    await provision([mirrored(alice.id)]);
    expect((await h.http().get(path).set(...bearer(alice))).status).toBe(200);
  });
});

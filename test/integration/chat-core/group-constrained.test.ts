import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVISION_CHANNEL_PATH, PROVISION_PATH, type ProvisionEvent } from '../../../chat-core/contract.js';
import { randomUserId } from '../../support/assertions.js';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';
import { connect, type TestSocket } from './ws-client.js';

describe.each(DIALECTS)('chat-core group-constrained channels on %s', (dialect) => {
  let h: ChatCoreHarness;
  const sockets: TestSocket[] = [];
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await h.close();
  });

  const provision = async (events: unknown) =>
    h.http().post(PROVISION_PATH).set(...bearer(await h.issuer.mintProvision())).send({ events });
  const constrain = (channelId: string, groupConstrained: boolean) =>
    provision([{ type: 'channel.constrained', channel_id: channelId, group_constrained: groupConstrained }]);
  const readForSync = async (channelId: string, token?: string) =>
    h.http().get(`${PROVISION_CHANNEL_PATH}/${channelId}`).set(...bearer(token ?? await h.issuer.mintProvision()));
  const mirrored = (id: string, guest = false): ProvisionEvent =>
    ({ type: 'user.upserted', user: { id, username: `u${id.slice(0, 8)}`, display_name: 'U', guest, deactivated: false } });
  const channelOf = async (owner: TestUser, team: string, type: 'O' | 'P') => {
    const res = await h.http().post('/api/v4/channels').set(...bearer(owner))
      .send({ team_id: team, name: `c${Math.random().toString(36).slice(2, 10)}`, display_name: 'Original', type, purpose: 'old purpose', header: 'old header' });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; create_at: number; update_at: number; group_constrained: boolean };
  };
  /** A user chat-core has seen (any authenticated request puts them in the mirror). */
  const seenUser = async (team: string, claims: Record<string, unknown> = {}) => {
    const user = await h.user({ teams: memberOf(team), ...claims });
    expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
    return user;
  };
  const systemAdmin = (team: string) => h.user({ roles: ['system_admin', 'system_user'], teams: memberOf(team) });
  const teamAdmin = (team: string) => h.user({ teams: { [team]: ['team_user', 'team_admin'] } });
  const guestOf = (team: string) => seenUser(team, { teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
  const add = (actor: TestUser, channelId: string, userId: string) =>
    h.http().post(`/api/v4/channels/${channelId}/members`).set(...bearer(actor)).send({ user_id: userId });
  const patch = (actor: TestUser, channelId: string, body: unknown) =>
    h.http().put(`/api/v4/channels/${channelId}/patch`).set(...bearer(actor)).send(body as object);
  const getChannel = async (actor: TestUser, channelId: string) =>
    (await h.http().get(`/api/v4/channels/${channelId}`).set(...bearer(actor))).body as Record<string, unknown>;
  const memberIds = async (actor: TestUser, channelId: string) =>
    (await h.http().get(`/api/v4/channels/${channelId}/members`).set(...bearer(actor))).body.map((m: { user_id: string }) => m.user_id).sort();

  describe('through provisioning', () => {
    it('shows false on a new channel and follows the channel.constrained event both ways', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      expect(channel.group_constrained).toBe(false);
      expect(await constrain(channel.id, true)).toMatchObject({ status: 200, body: { applied: 1 } });
      expect(await getChannel(owner, channel.id)).toMatchObject({ id: channel.id, group_constrained: true });
      expect((await readForSync(channel.id)).body.group_constrained).toBe(true);
      expect((await constrain(channel.id, false)).status).toBe(200);
      expect((await getChannel(owner, channel.id)).group_constrained).toBe(false);
    });

    it('refuses to constrain a public channel and applies nothing of the batch', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const [priv, pub] = [await channelOf(owner, team, 'P'), await channelOf(owner, team, 'O')];
      const id = randomUserId();
      const res = await provision([
        mirrored(id),
        { type: 'channel.member_added', channel_id: priv.id, user_id: id },
        { type: 'channel.constrained', channel_id: priv.id, group_constrained: true },
        { type: 'channel.constrained', channel_id: pub.id, group_constrained: true },
      ]);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ id: 'provision.invalid_request', detailed_error: expect.stringMatching(/^events\[3\]: .*public/) });
      expect((await getChannel(owner, priv.id)).group_constrained).toBe(false);
      expect((await getChannel(owner, pub.id)).group_constrained).toBe(false);
      expect(await memberIds(owner, priv.id)).toEqual([owner.id]);
    });

    it('treats unconstraining a public channel as a no-op', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const pub = await channelOf(owner, team, 'O');
      h.clock.advance(1_000);
      expect(await constrain(pub.id, false)).toMatchObject({ status: 200, body: { applied: 1 } });
      expect(await getChannel(owner, pub.id)).toMatchObject({ group_constrained: false, update_at: pub.update_at });
    });

    it('refuses to constrain an unknown channel, a malformed id or a flag that is not a boolean', async () => {
      const unknown = await constrain('aaaaaaaaaaaaaaaaaaaaaaaaaa', true);
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ id: 'provision.channel_not_found', detailed_error: expect.stringContaining('events[0]') });
      const team = newTeamId();
      const channel = await channelOf(await h.user({ teams: memberOf(team) }), team, 'P');
      for (const bad of [
        { type: 'channel.constrained', channel_id: '../x', group_constrained: true },
        { type: 'channel.constrained', channel_id: channel.id },
        { type: 'channel.constrained', channel_id: channel.id, group_constrained: 'true' },
      ]) {
        const res = await provision([bad]);
        expect(res.status).toBe(400);
        expect(res.body.id).toBe('provision.invalid_request');
      }
      expect((await readForSync(channel.id)).body.group_constrained).toBe(false);
    });
  });

  describe('member adds', () => {
    it('refuses API adds while constrained, even from a system admin, and allows them once unconstrained', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      const carol = await seenUser(team);
      await constrain(channel.id, true);
      for (const actor of [owner, await systemAdmin(team)]) {
        const refused = await add(actor, channel.id, carol.id);
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ id: 'api.channel.add_members.user_denied', status_code: 400 });
        expect(refused.body.message).toMatch(/group sync.*linked group/);
      }
      expect(await memberIds(owner, channel.id)).toEqual([owner.id]);
      await constrain(channel.id, false);
      expect((await add(owner, channel.id, carol.id)).status).toBe(201);
      expect(await memberIds(owner, channel.id)).toEqual([owner.id, carol.id].sort());
    });

    it('still answers a caller without the members permission with 403, not the group-sync hint', async () => {
      const team = newTeamId();
      const channel = await channelOf(await h.user({ teams: memberOf(team) }), team, 'P');
      await constrain(channel.id, true);
      const outsider = await seenUser(team);
      expect((await add(outsider, channel.id, outsider.id)).status).toBe(403);
    });

    it('lets group sync add members to a constrained channel, and a channel admin remove them', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      await constrain(channel.id, true);
      const [dave, erin] = [randomUserId(), randomUserId()];
      const res = await provision([
        mirrored(dave), mirrored(erin),
        { type: 'channel.member_added', channel_id: channel.id, user_id: dave, scheme_admin: true },
        { type: 'channel.member_added', channel_id: channel.id, user_id: erin },
      ]);
      expect(res.body).toEqual({ applied: 4 });
      const member = await h.http().get(`/api/v4/channels/${channel.id}/members/${dave}`).set(...bearer(owner));
      expect(member.body).toMatchObject({ roles: 'channel_user channel_admin', scheme_admin: true });
      expect((await h.http().delete(`/api/v4/channels/${channel.id}/members/${erin}`).set(...bearer(owner))).status).toBe(200);
      expect(await memberIds(owner, channel.id)).toEqual([owner.id, dave].sort());
    });
  });

  describe('the provisioning channel read', () => {
    it('returns the channel with every member and their scheme_admin', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      const [admin, plain, guest] = [randomUserId(), randomUserId(), randomUserId()];
      await provision([
        mirrored(admin), mirrored(plain), mirrored(guest, true),
        { type: 'channel.member_added', channel_id: channel.id, user_id: admin, scheme_admin: true },
        { type: 'channel.member_added', channel_id: channel.id, user_id: plain },
        { type: 'channel.member_added', channel_id: channel.id, user_id: guest, scheme_admin: true },
        { type: 'channel.constrained', channel_id: channel.id, group_constrained: true },
      ]);
      const res = await readForSync(channel.id);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      const byUser = (a: { user_id: string }, b: { user_id: string }) => (a.user_id < b.user_id ? -1 : 1);
      expect({ ...res.body, members: [...res.body.members].sort(byUser) }).toEqual({
        id: channel.id, team_id: team, type: 'P', name: channel.name, display_name: 'Original', group_constrained: true,
        members: [
          { user_id: owner.id, scheme_admin: true },
          { user_id: admin, scheme_admin: true },
          { user_id: plain, scheme_admin: false },
          // A guest is never a channel admin, whatever the event asked.
          { user_id: guest, scheme_admin: false },
        ].sort(byUser),
      });
    });

    it('answers 404 for an unknown channel and 400 for a malformed id', async () => {
      const unknown = await readForSync('aaaaaaaaaaaaaaaaaaaaaaaaaa');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ id: 'provision.channel_not_found', status_code: 404 });
      for (const bad of ['not-an-id', 'AAAAAAAAAAAAAAAAAAAAAAAAAA', 'a'.repeat(27)]) {
        const res = await readForSync(bad);
        expect(res.status).toBe(400);
        expect(res.body.id).toBe('provision.invalid_request');
      }
    });

    it('refuses a user assertion, even a system admin\'s, and a request without one', async () => {
      const team = newTeamId();
      const admin = await systemAdmin(team);
      const channel = await channelOf(admin, team, 'P');
      const asUser = await readForSync(channel.id, admin.token);
      expect(asUser.status).toBe(401);
      expect(asUser.body.id).toBe('invalid_token');
      expect(asUser.body).not.toHaveProperty('members');
      const anonymous = await h.http().get(`${PROVISION_CHANNEL_PATH}/${channel.id}`);
      expect(anonymous.status).toBe(401);
      expect(h.logs.some((l) => l.request_id === asUser.body.request_id && l.msg === 'provisioning assertion refused')).toBe(true);
    });
  });

  describe('the channel patch', () => {
    it('lets a channel admin change display name, purpose and header, ignoring fields it cannot change', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      h.clock.advance(1_000);
      const res = await patch(owner, channel.id, { display_name: 'Renamed', purpose: 'new purpose', header: 'new header', name: 'other-name', type: 'O', team_id: newTeamId(), unknown_field: 1 });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.body).toMatchObject({ id: channel.id, team_id: team, name: channel.name, type: 'P', display_name: 'Renamed', purpose: 'new purpose', header: 'new header', group_constrained: false });
      expect(res.body.update_at).toBeGreaterThan(channel.update_at);
      expect(await getChannel(owner, channel.id)).toEqual(res.body);
      const nulls = await patch(owner, channel.id, { display_name: null, header: '' });
      expect(nulls.body).toMatchObject({ display_name: 'Renamed', purpose: 'new purpose', header: '' });
    });

    it('refuses a malformed patch with a stable id and changes nothing', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      const cases: Array<[unknown, string]> = [
        [{ display_name: 5 }, 'model.channel.is_valid.display_name.app_error'],
        [{ display_name: '   ' }, 'model.channel.is_valid.display_name.app_error'],
        [{ display_name: 'x'.repeat(65) }, 'model.channel.is_valid.display_name.app_error'],
        [{ purpose: 'x'.repeat(251) }, 'model.channel.is_valid.purpose.app_error'],
        [{ purpose: ['a'] }, 'model.channel.is_valid.purpose.app_error'],
        [{ header: 'a\u0000b' }, 'model.channel.is_valid.header.app_error'],
        [{ display_name: 'Fine', group_constrained: 'true' }, 'api.context.invalid_body_param.app_error'],
        [[{ display_name: 'Fine' }], 'api.context.invalid_body_param.app_error'],
      ];
      for (const [body, id] of cases) {
        const res = await patch(owner, channel.id, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.id, JSON.stringify(body)).toBe(id);
      }
      const broken = await h.http().put(`/api/v4/channels/${channel.id}/patch`).set(...bearer(owner)).set('Content-Type', 'application/json').send('{"display_name":');
      expect(broken.status).toBe(400);
      expect(await getChannel(owner, channel.id)).toMatchObject({ display_name: 'Original', purpose: 'old purpose', header: 'old header', update_at: channel.update_at });
      expect((await patch(owner, 'not-a-channel-id', { display_name: 'X' })).body.id).toBe('api.context.invalid_url_param.app_error');
      const missing = await patch(owner, 'aaaaaaaaaaaaaaaaaaaaaaaaaa', { display_name: 'X' });
      expect(missing.status).toBe(404);
      expect(missing.body.id).toBe('app.channel.get.existing.app_error');
    });

    it('keeps patching to channel, team and system admins', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const priv = await channelOf(owner, team, 'P');
      const pub = await channelOf(owner, team, 'O');
      const member = await seenUser(team);
      const guest = await guestOf(team);
      for (const channel of [priv, pub]) {
        expect((await add(owner, channel.id, member.id)).status).toBe(201);
      }
      expect((await add(owner, priv.id, guest.id)).status).toBe(201);
      const outsider = await seenUser(team);
      const otherTeam = await h.user({ teams: memberOf(newTeamId()) });
      const refusals: Array<[string, TestUser, string]> = [
        ['a channel user', member, priv.id], ['a channel user of a public channel', member, pub.id],
        ['a guest member', guest, priv.id], ['a team member outside the channel', outsider, pub.id],
        ['a user of another team', otherTeam, priv.id],
      ];
      for (const [who, actor, channelId] of refusals) {
        const res = await patch(actor, channelId, { display_name: 'Hijacked' });
        expect(res.status, who).toBe(403);
        expect(res.body.id, who).toBe('api.context.permissions.app_error');
      }
      expect((await getChannel(owner, priv.id)).display_name).toBe('Original');
      expect((await getChannel(owner, pub.id)).display_name).toBe('Original');
      expect((await patch(await teamAdmin(team), priv.id, { display_name: 'By team admin' })).body.display_name).toBe('By team admin');
      expect((await patch(await systemAdmin(team), priv.id, { purpose: 'By system admin' })).body).toMatchObject({ display_name: 'By team admin', purpose: 'By system admin' });
    });

    it('lets only a system admin change group_constrained, and only on a private channel', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const priv = await channelOf(owner, team, 'P');
      const pub = await channelOf(owner, team, 'O');
      for (const actor of [owner, await teamAdmin(team)]) {
        const res = await patch(actor, priv.id, { display_name: 'Sneaky', group_constrained: true });
        expect(res.status).toBe(403);
      }
      expect(await getChannel(owner, priv.id)).toMatchObject({ display_name: 'Original', group_constrained: false });
      // Resending the current value is not a change, so a channel admin's whole-channel patch still works.
      expect((await patch(owner, priv.id, { display_name: 'Kept', group_constrained: false })).body).toMatchObject({ display_name: 'Kept', group_constrained: false });

      const admin = await systemAdmin(team);
      const constrained = await patch(admin, priv.id, { group_constrained: true });
      expect(constrained.status).toBe(200);
      expect(constrained.body.group_constrained).toBe(true);
      expect((await readForSync(priv.id)).body.group_constrained).toBe(true);
      const carol = await seenUser(team);
      expect((await add(owner, priv.id, carol.id)).body.id).toBe('api.channel.add_members.user_denied');
      expect((await patch(owner, priv.id, { group_constrained: false })).status).toBe(403);
      expect((await patch(admin, priv.id, { group_constrained: false })).body.group_constrained).toBe(false);
      expect((await add(owner, priv.id, carol.id)).status).toBe(201);

      const onPublic = await patch(admin, pub.id, { display_name: 'Half written?', group_constrained: true });
      expect(onPublic.status).toBe(400);
      expect(onPublic.body.id).toBe('api.channel.patch.group_constrained.public_channel.app_error');
      expect(onPublic.body.message).toMatch(/private channel/);
      expect(await getChannel(owner, pub.id)).toMatchObject({ display_name: 'Original', group_constrained: false });
      expect((await patch(owner, pub.id, { group_constrained: true })).status).toBe(403);
    });

    it('tells connected members with channel_updated after a patch and after group sync constrains', async () => {
      const team = newTeamId();
      const owner = await h.user({ teams: memberOf(team) });
      const channel = await channelOf(owner, team, 'P');
      const bob = await seenUser(team);
      await add(owner, channel.id, bob.id);
      const outsider = await h.user({ teams: memberOf(team) });
      const [bobWs, outsiderWs] = [await connect(h.url, bob.token), await connect(h.url, outsider.token)];
      sockets.push(bobWs, outsiderWs);
      const updated = (check: (c: Record<string, unknown>) => boolean) => (m: { event?: string; data?: Record<string, unknown> }) =>
        m.event === 'channel_updated' && check(JSON.parse(String(m.data?.channel)) as Record<string, unknown>);

      expect((await patch(owner, channel.id, { header: 'live header' })).status).toBe(200);
      const afterPatch = await bobWs.next(updated((c) => c.header === 'live header'));
      expect(afterPatch.broadcast).toMatchObject({ channel_id: channel.id });
      expect(JSON.parse(String(afterPatch.data?.channel))).toMatchObject({ id: channel.id, group_constrained: false });

      await constrain(channel.id, true);
      await bobWs.next(updated((c) => c.group_constrained === true));
      // Everything the outsider could have been sent has arrived once a round trip completes.
      await outsiderWs.pingRoundTrip(1);
      expect(outsiderWs.received.some((m) => m.event === 'channel_updated')).toBe(false);
    });
  });
});

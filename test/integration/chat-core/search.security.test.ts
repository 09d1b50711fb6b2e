/**
 * Search must never show a post from a channel the caller cannot read: a private channel's post
 * stays invisible to a non-member, a guest, a system admin who has not joined, a removed member,
 * a member whose assertion no longer names the team and a member of another team — whatever the
 * terms (in: naming the channel included) and on both routes. Hostile terms get ordinary results
 * or a clean 400, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness, type TestUser } from './harness.js';

const SECRET = 'zebra launch codes';

describe.each(DIALECTS)('post search security on %s', (dialect) => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness(dialect); });
  afterAll(async () => { await h.close(); });

  /** A user chat-core has seen (a first request puts them in the mirror, with their teams). */
  const seen = async (claims: { teams: Record<string, string[]> } & Record<string, unknown>) => {
    const user = await h.user(claims);
    const team = Object.keys(claims.teams)[0]!;
    expect((await h.http().get(`/api/v4/users/me/teams/${team}/channels`).set(...bearer(user))).status).toBe(200);
    return user;
  };
  const created = async (owner: TestUser, team: string, name: string, type: 'O' | 'P') => {
    const res = await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name, display_name: name, type });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const add = async (actor: TestUser, channelId: string, userId: string) =>
    expect((await h.http().post(`/api/v4/channels/${channelId}/members`).set(...bearer(actor)).send({ user_id: userId })).status).toBe(201);
  const say = async (user: TestUser, channelId: string, message: string) => {
    h.clock.advance(1);
    const res = await h.http().post('/api/v4/posts').set(...bearer(user)).send({ channel_id: channelId, message });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  /** A team with a private channel holding the secret and a public lobby, and everyone around them. */
  const world = async () => {
    const team = newTeamId();
    const elsewhere = newTeamId();
    const tag = Math.random().toString(36).slice(2, 8);
    const alice = await seen({ teams: memberOf(team), username: `alice${tag}` });
    const secretRoom = await created(alice, team, `secret-plans-${tag}`, 'P');
    const lobby = await created(alice, team, `lobby-${tag}`, 'O');
    const bob = await seen({ teams: memberOf(team) });
    const carol = await seen({ teams: memberOf(team) });
    const guest = await seen({ teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
    const admin = await seen({ teams: { [team]: ['team_user', 'team_admin'] }, roles: ['system_user', 'system_admin'] });
    const leaver = await seen({ teams: memberOf(team) });
    const moved = await seen({ teams: memberOf(team) });
    for (const member of [bob, leaver, moved]) await add(alice, secretRoom.id, member.id);
    for (const member of [carol, guest, admin]) await add(alice, lobby.id, member.id);
    const secret = await say(alice, secretRoom.id, SECRET);
    const notice = await say(alice, lobby.id, 'zebra lobby notice');
    expect((await h.http().delete(`/api/v4/channels/${secretRoom.id}/members/${leaver.id}`).set(...bearer(alice))).status).toBe(200);
    // Still a member row, but the gateway now asserts another team only (provisioning has not caught up).
    const movedAway = { ...moved, ...(await h.user({ ...moved.claims, teams: memberOf(elsewhere) })) };
    const stranger = await seen({ teams: memberOf(elsewhere) });
    return { team, elsewhere, tag, alice, bob, carol, guest, admin, leaver, movedAway, stranger, secret, notice };
  };

  const queries = (tag: string, owner: string) => [
    'zebra', 'launch codes', '"launch codes"', 'launch*', 'zeb*', 'codes', `in:secret-plans-${tag}`, `in:secret-plans-${tag} zebra`,
    `in:~secret-plans-${tag}`, `channel:secret-plans-${tag}`, `from:${owner}`, `from:${owner} zebra`, 'zebra -lobby', 'after:2000-01-01',
    `-from:nobody`, `-in:lobby-${tag}`, 'on:2025-01-15', `in:@${owner}`, 'NEAR(zebra launch)', 'codes OR zebra', '"zebra launch codes"',
  ];

  it('shows the secret to a member, so the refusals below are not vacuous', async () => {
    const w = await world();
    const res = await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.bob)).send({ terms: `in:secret-plans-${w.tag} zebra` });
    expect(res.body.order).toEqual([w.secret.id]);
    expect((await h.http().post('/api/v4/posts/search').set(...bearer(w.bob)).send({ terms: 'launch' })).body.order).toEqual([w.secret.id]);
  });

  it('never shows a private channel\'s post to a non-member, a guest, an admin who has not joined, a removed member, or another team', async () => {
    const w = await world();
    // [who, user, the team their assertion names]
    const outsiders: [string, TestUser, string][] = [
      ['team member', w.carol, w.team], ['guest', w.guest, w.team], ['system admin', w.admin, w.team], ['removed member', w.leaver, w.team],
      ['member moved to another team', w.movedAway, w.elsewhere], ['other team', w.stranger, w.elsewhere],
    ];
    for (const [who, user, ownTeam] of outsiders) {
      for (const terms of queries(w.tag, w.alice.claims.username as string)) {
        for (const body of [{ terms }, { terms, is_or_search: true, include_deleted_channels: true }]) {
          for (const team of [w.team, undefined, w.elsewhere]) {
            const path = team ? `/api/v4/teams/${team}/posts/search` : '/api/v4/posts/search';
            const res = await h.http().post(path).set(...bearer(user)).send(body);
            const label = `${who} ${path} ${JSON.stringify(body)}`;
            expect(res.status, label).toBe(team === undefined || team === ownTeam ? 200 : 403);
            expect(res.text, label).not.toContain('launch codes');
            expect(res.text, label).not.toContain(w.secret.id);
          }
        }
      }
    }
  });

  it('answers 403 on the team route when the assertion does not name the team, and searches only joined channels', async () => {
    const w = await world();
    const refused = await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.stranger)).send({ terms: 'zebra' });
    expect(refused.status).toBe(403);
    expect(refused.body.id).toBe('api.context.permissions.app_error');
    expect((await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.movedAway)).send({ terms: 'zebra' })).status).toBe(403);
    // Mattermost searches the channels a user is in: the lobby for those who joined it, nothing for a stranger.
    for (const user of [w.carol, w.guest, w.admin]) {
      expect((await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(user)).send({ terms: 'zebra' })).body.order).toEqual([w.notice.id]);
    }
    expect((await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.leaver)).send({ terms: 'zebra' })).body.order).toEqual([]);
    expect((await h.http().post('/api/v4/posts/search').set(...bearer(w.stranger)).send({ terms: 'zebra' })).body.order).toEqual([]);
  });

  it('gives hostile terms ordinary results or a clean 400, never a 500', async () => {
    const w = await world();
    const hostile = ['NEAR(a b)', 'NEAR(zebra launch, 0)', 'message:foo', 'message:zebra', '"unbalanced', 'a OR', 'OR', '*', '^foo', '^zebra',
      'zebra AND NOT lobby', '{message}:zebra', 'zebra*launch', '"', '""', '-', '- -"', "'", "zebra'); DROP TABLE posts; --", '\\', '()',
      'zebra:*', '!!zebra', 'zebra & !lobby', 'zebra | codes', 'zebra <-> lobby', 'in:', 'from:', 'on:', 'before:', 'after:9999-99-99',
      'on:0000-00-00', 'in:@', 'in:@,', 'from:@', '%', '_%', '\u202e', '💥'.repeat(300), 'a'.repeat(1000), 'in:secret-plans-* zebra'];
    for (const terms of hostile) {
      for (const is_or_search of [false, true]) {
        const res = await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.carol)).send({ terms, is_or_search });
        expect([200, 400], terms).toContain(res.status);
        if (res.status === 400) expect(typeof res.body.id, terms).toBe('string');
        expect(res.text, terms).not.toContain('launch codes');
      }
    }
    expect((await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.carol)).send({ terms: '^zebra' })).body.order).toEqual([w.notice.id]);
    expect((await h.http().post(`/api/v4/teams/${w.team}/posts/search`).set(...bearer(w.carol)).send({ terms: 'message:zebra' })).body.order).toEqual([]);
    expect(h.logs.filter((line) => line.msg === 'unhandled error')).toEqual([]);
  });
});

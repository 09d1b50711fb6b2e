/**
 * Directory groups linked to teams and channels (Mattermost's group sync) through a running gateway
 * and chat-core, on both backends: auto_add, scheme_admin, group-constrained teams and private
 * channels, nested groups, same-name groups kept apart, dry runs, and membership applied at login.
 */
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, bulkUser, seedStandardDirectory } from '../../support/ldap-fixture.js';
import { startTestSlapd, type TestSlapd } from '../../support/ldap-server.js';
import { ADMIN, BACKENDS, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { ldapConfig } from './harness.js';

async function removeMember(slapd: TestSlapd, groupDn: string, memberDn: string): Promise<void> {
  const c = await slapd.adminClient();
  try {
    await c.modify(groupDn, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [memberDn] }) }));
  } finally {
    await c.unbind();
  }
}

describe.each(BACKENDS)('group links (%s)', (backend) => {
  let slapd: TestSlapd;
  let h: Harness;
  let admin: ReturnType<typeof apiClient>;
  const ctx = () => h.gw.gateway.ctx;
  const sync = async (body: Record<string, unknown> = {}) => {
    const res = await admin.request('POST', '/api/v4/ldap/sync?wait=true', { body });
    expect(res.status).toBe(200);
    return res.json.runs[0];
  };
  const userId = async (username: string) => (await ctx().db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
  const teamMembers = async (teamId: string) => {
    const rows = await ctx().db.selectFrom('team_members').innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['users.username', 'team_members.roles']).where('team_id', '=', teamId).where('team_members.delete_at', '=', 0).execute();
    return new Map(rows.map((r) => [r.username, r.roles]));
  };
  const groupId = async (dn: string) => {
    const res = await admin.request('GET', `/api/v4/ldap/groups?q=${encodeURIComponent(dn.split(',')[0]!.slice(3))}&per_page=200`);
    const g = res.json.groups.find((x: { dn: string }) => x.dn.toLowerCase() === dn.toLowerCase());
    expect(g, dn).toBeDefined();
    return g as { primary_key: string; mattermost_group_id: string; name: string };
  };
  const newTeam = async (name: string) => {
    const res = await admin.request('POST', '/api/v4/teams', { body: { name, display_name: name, type: 'I' } });
    expect(res.status).toBe(201);
    return res.json.id as string;
  };
  const link = (group: string, teamId: string, body: Record<string, unknown>) => admin.request('POST', `/api/v4/groups/${group}/teams/${teamId}/link`, { body });

  beforeAll(async () => {
    slapd = await startTestSlapd();
    await seedStandardDirectory(slapd);
    h = await startHarness(backend, { config: { connectors: [ldapConfig(slapd, { sync: { enabled: false, createUsers: true } })] } });
    admin = apiClient(h.url);
    expect((await admin.login(ADMIN.email, ADMIN.password)).status).toBe(200);
    expect((await sync()).status).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.close();
    await slapd?.stop();
  });

  it('lists directory groups by stable id and DN; two "admins" groups stay apart', async () => {
    const res = await admin.request('GET', '/api/v4/ldap/groups?q=admins');
    expect(res.status).toBe(200);
    expect(res.json.count).toBe(2);
    const dns = res.json.groups.map((g: { dn: string }) => g.dn.toLowerCase()).sort();
    expect(dns).toEqual([FIXTURE.groups.admins.dn, FIXTURE.groups.legacyAdmins.dn].map((d) => d.toLowerCase()).sort());
    expect(new Set(res.json.groups.map((g: { primary_key: string }) => g.primary_key)).size).toBe(2);
    const g = res.json.groups[0];
    const linked = await admin.request('POST', `/api/v4/ldap/groups/${g.primary_key}/link`);
    expect(linked.status).toBe(201);
    expect(linked.json).toMatchObject({ id: g.mattermost_group_id, source: 'ldap', remote_id: g.primary_key, member_count: 1 });
    const missing = await admin.request('POST', '/api/v4/ldap/groups/00000000-0000-0000-0000-000000000000/link');
    expect(missing.status).toBe(404);
    expect(missing.json.id).toBe('ent.ldap.group.not_found.app_error');
    // Only system admins manage groups.
    const alice = apiClient(h.url);
    await alice.login('alice', FIXTURE.users.alice.password);
    expect((await alice.request('GET', '/api/v4/ldap/groups')).status).toBe(403);
    expect((await alice.request('POST', `/api/v4/groups/${g.mattermost_group_id}/teams/x/link`, { body: {} })).status).toBe(403);
  });

  it('auto_add puts a group into a team; scheme_admin makes team admins; a constrained team holds exactly its groups', async () => {
    const eng = await newTeam('eng');
    const engineers = await groupId(FIXTURE.groups.engineers.dn);
    const admins = await groupId(FIXTURE.groups.admins.dn);
    expect((await link(engineers.mattermost_group_id, eng, { auto_add: true })).status).toBe(201);
    let members = await teamMembers(eng);
    expect(members.size).toBe(1 + 101);
    expect(members.get('user0042')).toBe('team_user');
    expect(members.get('alice')).toBe('team_user');
    expect((await link(admins.mattermost_group_id, eng, { auto_add: true, scheme_admin: true })).status).toBe(201);
    expect((await teamMembers(eng)).get('alice')).toBe('team_user team_admin');
    expect((await link(admins.mattermost_group_id, eng, { auto_add: 'yes' })).status).toBe(400);

    // Constraining the team removes whoever is not in a linked group (its creator included).
    const patched = await admin.request('PUT', `/api/v4/teams/${eng}/patch`, { body: { group_constrained: true } });
    expect(patched.status).toBe(200);
    expect(patched.json.group_constrained).toBe(true);
    members = await teamMembers(eng);
    expect(members.has(ADMIN.username)).toBe(false);
    expect(members.size).toBe(101);
    const refused = await admin.request('POST', `/api/v4/teams/${eng}/members`, { body: { team_id: eng, user_id: await userId('bob') } });
    expect(refused.status).toBe(400);
    expect(refused.json.id).toBe('api.team.add_members.user_denied');

    // Removed from the group in the directory: removed from the team at the next sync, access gone at once.
    await removeMember(slapd, FIXTURE.groups.engineers.dn, bulkUser(1).dn);
    const u1 = apiClient(h.url);
    expect((await u1.login(bulkUser(1).uid, bulkUser(1).password)).status).toBe(200);
    const run = await sync();
    expect(run.status).toBe('succeeded');
    expect((await teamMembers(eng)).has('user0001')).toBe(false);
    expect((await u1.request('GET', `/api/v4/teams/${eng}`)).status).toBe(403);

    // Unlinking the admin group takes back only the admin role it gave.
    expect((await admin.request('DELETE', `/api/v4/groups/${admins.mattermost_group_id}/teams/${eng}/link`)).status).toBe(200);
    expect((await teamMembers(eng)).get('alice')).toBe('team_user');
  });

  it('a dry run reports the team changes a sync would make, and makes none', async () => {
    const eng = (await ctx().teams.getByName('eng'))!.id;
    await removeMember(slapd, FIXTURE.groups.engineers.dn, bulkUser(2).dn);
    const dry = await admin.request('POST', '/api/v4/ldap/sync', { body: { dry_run: true } });
    const u2 = await userId('user0002');
    expect(dry.json.runs[0].would.memberships).toContainEqual({ kind: 'team.remove', target: eng, user_id: u2 });
    expect((await teamMembers(eng)).has('user0002')).toBe(true);
    await sync();
    expect((await teamMembers(eng)).has('user0002')).toBe(false);
  });

  it('nested groups count: a team linked to all-staff gets platform and engineers members, and nobody else', async () => {
    const all = await newTeam('everyone');
    const allStaff = await groupId(FIXTURE.groups.allStaff.dn);
    await link(allStaff.mattermost_group_id, all, { auto_add: true });
    const members = await teamMembers(all);
    expect(members.has('bob')).toBe(true); // platform
    expect(members.has('alice')).toBe(true); // engineers ⊂ platform
    expect(members.has('user0050')).toBe(true);
    expect(members.has('erin')).toBe(false);
    expect(members.has('user0500')).toBe(false);
  });

  it('links a group to a private channel (team membership added too); a constrained channel drops outsiders', async () => {
    const design = await newTeam('design');
    const channel = await admin.request('POST', '/api/v4/channels', { body: { team_id: design, name: 'studio', display_name: 'Studio', type: 'P' } });
    expect(channel.status).toBe(201);
    const designers = await groupId(FIXTURE.groups.designers.dn);
    const linked = await admin.request('POST', `/api/v4/groups/${designers.mattermost_group_id}/channels/${channel.json.id}/link`, { body: { auto_add: true, scheme_admin: true } });
    expect(linked.status).toBe(201);
    expect(linked.json).toMatchObject({ channel_id: channel.json.id, team_id: design, type: 'Channel', scheme_admin: true });
    const erin = await userId('erin');
    expect((await teamMembers(design)).get('erin')).toBe('team_user');
    let state = (await ctx().chat.getChannel(channel.json.id))!;
    expect(state.members).toContainEqual({ user_id: erin, scheme_admin: true });

    const constrain = await admin.request('PUT', `/api/v4/channels/${channel.json.id}/patch`, { body: { group_constrained: true } });
    expect(constrain.status).toBe(200);
    await sync();
    state = (await ctx().chat.getChannel(channel.json.id))!;
    expect(state.group_constrained).toBe(true);
    expect(state.members.map((m) => m.user_id)).toEqual([erin]);
    expect((await admin.request('POST', `/api/v4/groups/${designers.mattermost_group_id}/channels/nosuchchannelid00000000000/link`, { body: {} })).status).toBe(404);
  });

  it('applies links at sign-in: a user who left a group leaves its constrained team when they next sign in', async () => {
    const ops = await newTeam('ops-room');
    const cycle = await groupId(FIXTURE.groups.cycleA.dn);
    await link(cycle.mattermost_group_id, ops, { auto_add: true });
    await admin.request('PUT', `/api/v4/teams/${ops}/patch`, { body: { group_constrained: true } });
    expect([...(await teamMembers(ops)).keys()]).toEqual(['erin']); // cycle-a ∋ cycle-b ∋ erin
    await removeMember(slapd, FIXTURE.groups.cycleB.dn, FIXTURE.users.erin.dn);
    expect((await apiClient(h.url).login('erin', FIXTURE.users.erin.password)).status).toBe(200);
    expect((await teamMembers(ops)).size).toBe(0);
  });
});

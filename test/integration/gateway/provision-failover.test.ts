/**
 * The gateway's provisioning client with several chat-core nodes: a node that cannot be reached is
 * passed over, so provisioning keeps working while one node is down.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatProvisioner } from '../../../src/directory/chat-provisioner.js';
import { randomUserId } from '../../support/assertions.js';
import { bearer, memberOf, newTeamId, startHarness, type ChatCoreHarness } from '../chat-core/harness.js';

describe('provisioning with a chat-core node down', () => {
  let h: ChatCoreHarness;
  beforeAll(async () => { h = await startHarness('sqlite'); });
  afterAll(async () => { await h.close(); });

  it('pushes, reads a channel and asks who shares one through the node that answers', async () => {
    // Port 1 on loopback refuses at once: a node that is down.
    const provisioner = createChatProvisioner({ chatUrls: ['http://127.0.0.1:1', h.url], assertion: () => h.issuer.mintProvision(), logger: pino({ level: 'silent' }) });
    const team = newTeamId();
    const owner = await h.user({ teams: memberOf(team) });
    const channel = (await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'failover', display_name: 'F', type: 'P' })).body as { id: string };
    const id = randomUserId();
    const pushed = await provisioner.push([
      { type: 'user.upserted', user: { id, username: `u${id.slice(0, 8)}`, display_name: 'U', guest: false, deactivated: false } },
      { type: 'channel.member_added', channel_id: channel.id, user_id: id },
    ]);
    expect(pushed).toBe(true);
    expect((await provisioner.getChannel(channel.id))?.members.map((m) => m.user_id).sort()).toEqual([owner.id, id].sort());
    expect([...(await provisioner.sharedWith(id, [owner.id]))]).toEqual([owner.id]);
  });
});

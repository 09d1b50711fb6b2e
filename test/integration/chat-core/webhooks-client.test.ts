/** @mattermost/client's webhook calls, unmodified, against chat-core. */
import mm from '@mattermost/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './harness.js';
import { TEST_SECRET_KEY, startWebhookHarness, type WebhookHarness } from './webhooks-harness.js';

const { Client4 } = mm;

describe.each(DIALECTS)('@mattermost/client webhooks against chat-core on %s', (dialect) => {
  let h: WebhookHarness;
  beforeAll(async () => { h = await startWebhookHarness(dialect, { secretKey: TEST_SECRET_KEY }); });
  afterAll(async () => { await h.close(); });

  it('manages incoming and outgoing hooks with Client4', async () => {
    const { team, admin, channel } = await h.team();
    const client = new Client4();
    client.setUrl(h.url);
    client.setToken(admin.token);

    const incoming = await client.createIncomingWebhook({ channel_id: channel.id, display_name: 'From Client4' });
    expect(incoming).toMatchObject({ channel_id: channel.id, team_id: team, display_name: 'From Client4' });
    expect(await client.getIncomingWebhooks(team, 0, 10)).toEqual([incoming]);
    expect(await client.getIncomingWebhooks(team, 0, 10, true)).toEqual({ incoming_webhooks: [incoming], total_count: 1 });
    const renamed = await client.updateIncomingWebhook({ ...incoming, display_name: 'Renamed' });
    expect(renamed.display_name).toBe('Renamed');
    expect(await client.getIncomingWebhook(incoming.id)).toEqual(renamed);

    const outgoing = await client.createOutgoingWebhook({
      team_id: team, channel_id: channel.id, trigger_words: ['ask'], trigger_when: 0, callback_urls: ['https://bots.example/ask'],
      display_name: 'Asker', description: '', content_type: 'application/json',
    } as never);
    expect(outgoing.token).toMatch(/^[a-z0-9]{26}$/);
    expect((await client.getOutgoingWebhooks('', team, 0, 10)).map((hook) => hook.id)).toEqual([outgoing.id]);
    expect((await client.getOutgoingWebhooks(channel.id)).map((hook) => hook.id)).toEqual([outgoing.id]);
    const regenerated = await client.regenOutgoingHookToken(outgoing.id);
    expect(regenerated.token).not.toBe(outgoing.token);
    expect((await client.updateOutgoingWebhook({ ...regenerated, trigger_words: ['ask', 'query'] })).trigger_words).toEqual(['ask', 'query']);

    await client.removeOutgoingWebhook(outgoing.id);
    await client.removeIncomingWebhook(incoming.id);
    await expect(client.getIncomingWebhook(incoming.id)).rejects.toMatchObject({ status_code: 404, server_error_id: 'app.webhooks.get_incoming.app_error' });
  });
});

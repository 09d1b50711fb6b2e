/**
 * Mattermost's `channel_updated` websocket event: the channel's JSON, as a string in
 * `data.channel`, to its connected members. The row is read when the event goes out, after the
 * write has committed, so members always see the latest state.
 */
import type { ChatServices } from '../services.js';
import { findChannel } from '../store/channels.js';
import { listMemberUserIds } from '../store/members.js';
import { broadcastFor } from '../websocket/events.js';
import { channelJson } from './channel-json.js';

/** Fire-and-forget, in the channel's event order; a failure is logged by the hub, never surfaced. */
export function broadcastChannelUpdated(services: ChatServices, channelId: string): void {
  const { hub } = services;
  if (!hub.active) return;
  hub.inOrder(channelId, async () => {
    const row = await findChannel(services.db, channelId);
    if (!row) return;
    const members = await listMemberUserIds(services.db, channelId);
    const data = { channel: JSON.stringify(channelJson(row)) };
    hub.sendToUsers(members, { event: 'channel_updated', data, broadcast: broadcastFor({ channel_id: channelId }) });
  });
}

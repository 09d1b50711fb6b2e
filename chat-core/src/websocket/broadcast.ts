/** Fan-out of chat events to the websocket connections of a channel's members. */
import type { ChatServices } from '../services.js';
import { listMemberUserIds } from '../store/members.js';
import { broadcastFor, type Broadcast } from './events.js';

/**
 * Sends `event` to every connected member of the channel. Fire-and-forget after the write has
 * committed: a failure is logged and never undoes or fails the request.
 */
export function broadcastToChannel(
  services: ChatServices, channelId: string, event: string, data: Record<string, unknown>, omitConnectionId?: string,
): void {
  const { hub } = services;
  if (!hub.active) return;
  hub.inOrder(channelId, async () => {
    const members = await listMemberUserIds(services.db, channelId);
    hub.sendToUsers(members, { event, data, broadcast: broadcastFor({ channel_id: channelId }) }, omitConnectionId);
  });
}

export function sendToUser(
  services: ChatServices, userId: string, event: string, data: Record<string, unknown>, scope: Partial<Broadcast> = {},
): void {
  if (!services.hub.active) return;
  services.hub.sendToUsers([userId], { event, data, broadcast: broadcastFor({ user_id: userId, ...scope }) });
}

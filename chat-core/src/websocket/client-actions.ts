/**
 * Messages a client sends over the websocket: `{action, seq, data}`. chat-core answers `ping`,
 * acknowledges `authentication_challenge` (the gateway already authenticated the upgrade) and
 * relays `user_typing` to the channel's other members.
 */
import type { RawData } from 'ws';
import type { ChatServices } from '../services.js';
import { isId } from '../store/ids.js';
import { findMember } from '../store/members.js';
import { SERVER_VERSION } from '../version.js';
import { broadcastToChannel } from './broadcast.js';
import { actionFailure, actionReply } from './events.js';
import type { HubConnection } from './hub.js';

interface ClientAction {
  action?: unknown;
  seq?: unknown;
  data?: unknown;
}

function parse(raw: RawData): ClientAction | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString());
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ClientAction) : undefined;
  } catch {
    return undefined;
  }
}

export function handleClientMessage(services: ChatServices, connection: HubConnection, raw: RawData): void {
  const message = parse(raw);
  if (!message) return;
  const seq = typeof message.seq === 'number' ? message.seq : 0;
  switch (message.action) {
    case 'ping':
      return connection.sendRaw(actionReply(seq, { text: 'pong', version: SERVER_VERSION, server_time: services.now(), node_id: '' }));
    case 'authentication_challenge':
      return connection.sendRaw(actionReply(seq));
    case 'user_typing':
      connection.sendRaw(actionReply(seq));
      return void relayTyping(services, connection, message.data).catch((error: unknown) =>
        services.logger.debug({ err: error }, 'typing relay failed'));
    default:
      return connection.sendRaw(actionFailure(seq, 'api.web_socket_router.bad_action.app_error', 'Invalid websocket action.'));
  }
}

async function relayTyping(services: ChatServices, connection: HubConnection, data: unknown): Promise<void> {
  const { channel_id: channelId, parent_id: parentId } = (data ?? {}) as Record<string, unknown>;
  if (!isId(channelId)) return;
  if (!(await findMember(services.db, channelId, connection.userId))) return;
  const parent = isId(parentId) ? parentId : '';
  broadcastToChannel(services, channelId, 'typing', { parent_id: parent, user_id: connection.userId }, connection.id);
}

/** Mattermost websocket envelopes: events carry `event`, `data`, `broadcast` and a per-connection `seq`. */

export interface Broadcast {
  omit_users: Record<string, boolean> | null;
  user_id: string;
  channel_id: string;
  team_id: string;
  connection_id: string;
  omit_connection_id: string;
}

export interface ChatEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: Broadcast;
}

export function broadcastFor(scope: Partial<Broadcast>): Broadcast {
  return { omit_users: null, user_id: '', channel_id: '', team_id: '', connection_id: '', omit_connection_id: '', ...scope };
}

export function helloEvent(connectionId: string, userId: string, serverVersion: string): ChatEvent {
  return { event: 'hello', data: { connection_id: connectionId, server_version: serverVersion }, broadcast: broadcastFor({ user_id: userId }) };
}

/** A reply to a client action (`{action, seq, data}` → `{status, seq_reply, …}`). */
export function actionReply(seq: unknown, data?: Record<string, unknown>): Record<string, unknown> {
  return { status: 'OK', seq_reply: seq, ...(data ? { data } : {}) };
}

export function actionFailure(seq: unknown, id: string, message: string): Record<string, unknown> {
  return { status: 'FAIL', seq_reply: seq, error: { id, message } };
}

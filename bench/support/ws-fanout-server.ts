/**
 * The server side of bench/ws-fanout, in a process of its own so its memory is measured alone:
 * gateway + chat-core in one process on the embedded stores (`npm start`'s layout). Over IPC it
 * seeds N users in channels of `channelSize` members (straight through the repositories and the
 * provisioning API: hashing 5,000 passwords would measure argon2, not websockets), hands out
 * session tokens and fresh assertions, and reports its RSS after a garbage collection.
 */
import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { userUpserted } from '../../src/directory/chat-provisioner.js';
import type { ProvisionEvent } from '../../chat-core/contract.js';
import { ADMIN, apiClient, startHarness, type Harness } from '../../test/support/gateway-harness.js';

export type ServerRequest =
  | { cmd: 'start'; users: number; channelSize: number; transport: 'in-process' | 'tcp' }
  | { cmd: 'assertions' }
  | { cmd: 'rss' }
  | { cmd: 'loop-delay'; reset: boolean }
  | { cmd: 'close' };

export interface Seeded {
  gatewayUrl: string;
  chatUrl: string;
  /** Per user: session token; per channel: member indexes. */
  sessionTokens: string[];
  channels: { id: string; members: number[] }[];
}

const BATCH = 500;
let h: Harness | undefined;
let tokens: string[] = [];

async function start(users: number, channelSize: number, transport: 'in-process' | 'tcp'): Promise<Seeded> {
  h = await startHarness('embedded', { localChat: transport === 'in-process' });
  const ctx = h.gw.gateway.ctx;
  const admin = apiClient(h.url);
  await admin.login(ADMIN.username, ADMIN.password);
  const team = (await admin.request('POST', '/api/v4/teams', { body: { name: 'fanout', display_name: 'Fanout', type: 'O' } })).json as { id: string };
  const ids: string[] = [];
  for (let start = 0; start < users; start += BATCH) {
    const events: ProvisionEvent[] = [];
    for (let i = start; i < Math.min(users, start + BATCH); i += 1) {
      const user = await ctx.users.create({ username: `fan${i}`, email: `fan${i}@example.com`, emailVerified: true });
      await ctx.teams.addMember(team.id, user.id);
      events.push(userUpserted(user), { type: 'team.member_added', team_id: team.id, user_id: user.id });
      ids.push(user.id);
      tokens.push((await ctx.sessions.create({ userId: user.id, amr: ['pwd'] })).token);
    }
    if (!(await ctx.chat.push(events))) throw new Error('chat-core refused the seed users');
  }
  const channels: Seeded['channels'] = [];
  for (let first = 0; first < users; first += channelSize) {
    const members = Array.from({ length: Math.min(channelSize, users - first) }, (_, k) => first + k);
    const creator = apiClient(h.url);
    creator.token = tokens[first];
    const res = await creator.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: `room-${first}`, display_name: `Room ${first}`, type: 'O' } });
    if (res.status !== 201) throw new Error(`creating a channel answered ${res.status} ${res.text.slice(0, 200)}`);
    const channelId = (res.json as { id: string }).id;
    const adds: ProvisionEvent[] = members.slice(1).map((m) => ({ type: 'channel.member_added', channel_id: channelId, user_id: ids[m]! }));
    if (!(await ctx.chat.push(adds))) throw new Error('chat-core refused the channel members');
    channels.push({ id: channelId, members });
  }
  return { gatewayUrl: h.url, chatUrl: h.chatUrl, sessionTokens: tokens, channels };
}

/** The gateway's own path for each session: authenticate the token, then mint (or reuse) its assertion. */
async function assertions(): Promise<string[]> {
  const ctx = h!.gw.gateway.ctx;
  const out: string[] = [];
  for (const token of tokens) {
    const principal = await ctx.authenticator.authenticate({ headers: { authorization: `Bearer ${token}` } } as IncomingMessage);
    if (!principal) throw new Error('a bench session was not accepted');
    out.push(await ctx.minter.assertionFor(principal));
  }
  return out;
}

/** This process's event-loop delay (ms) since the last reset: a stall here is latency for every socket. */
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
function loopDelay(reset: boolean): { p99Ms: number; maxMs: number } {
  const result = { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 };
  if (reset) loop.reset();
  return result;
}

function rss(): number {
  for (let i = 0; i < 3; i += 1) (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

process.on('message', (message: ServerRequest) => {
  const reply = (value: unknown) => process.send?.({ ok: value });
  const fail = (err: Error) => process.send?.({ error: err.stack ?? err.message });
  switch (message.cmd) {
    case 'start': start(message.users, message.channelSize, message.transport).then(reply, fail); break;
    case 'assertions': assertions().then(reply, fail); break;
    case 'rss': reply(rss()); break;
    case 'loop-delay': reply(loopDelay(message.reset)); break;
    case 'close': void (h?.close() ?? Promise.resolve()).finally(() => process.exit(0)); break;
  }
});
process.on('disconnect', () => process.exit(0));

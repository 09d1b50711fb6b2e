/**
 * Issue 8's scenario with an unmodified @mattermost/client against a real gateway + chat-core: two
 * people, a direct message, a thread, a reaction, a file, a search, and websocket events arriving
 * for the right people (WebSocketClient authenticates with authentication_challenge) and not for a
 * third person connected at the same time.
 */
import mm from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN, BACKENDS, startHarness, type Harness } from '../support/gateway-harness.js';

const { Client4, WebSocketClient } = mm;
const PASSWORD = 'Another correct horse 7!';

interface WsEvent { event: string; data: Record<string, unknown>; broadcast: Record<string, unknown>; seq: number }

/** A WebSocketClient as a browser would run it, recording every event it hands to listeners. */
function listen(url: string, token: string) {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const events: WsEvent[] = [];
  const waiters: { match: (e: WsEvent) => boolean; resolve: (e: WsEvent) => void }[] = [];
  const client = new WebSocketClient({ newWebSocketFn: (u: string) => new WebSocket(u) as never });
  client.addMessageListener((message: unknown) => {
    const event = message as WsEvent;
    events.push(event);
    for (const w of [...waiters]) if (w.match(event)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(event); }
  });
  const ready = new Promise<void>((resolve) => client.addFirstConnectListener(() => resolve()));
  client.initialize(`${url.replace(/^http/, 'ws')}/api/v4/websocket`, token);
  return {
    client, events, ready,
    next: (match: (e: WsEvent) => boolean) => new Promise<WsEvent>((resolve) => {
      const found = events.find(match);
      if (found) resolve(found);
      else waiters.push({ match, resolve });
    }),
  };
}

describe.each(BACKENDS)('@mattermost/client conversation scenario (%s)', (backend) => {
  let h: Harness;
  const sockets: ReturnType<typeof listen>[] = [];
  beforeAll(async () => { h = await startHarness(backend); });
  afterAll(async () => {
    for (const s of sockets) s.client.close();
    await h?.close();
  });

  const signIn = async (username: string, password: string) => {
    const client = new Client4();
    client.setUrl(h.url);
    const me = await client.login(username, password);
    return { client, me };
  };

  it('runs a DM, a thread, a reaction, a file and a search, with websocket events for the right people', async () => {
    const admin = await signIn(ADMIN.username, ADMIN.password);
    const team = await admin.client.createTeam({ name: `talk-${backend}`, display_name: 'Talk', type: 'O' } as Team);
    const make = async (username: string) => {
      const user = await admin.client.createUser({ username, email: `${username}@example.com`, password: PASSWORD } as UserProfile, '', '');
      await admin.client.addToTeam(team.id, user.id);
      return signIn(username, PASSWORD);
    };
    const alice = await make(`alice-${backend}`);
    const bob = await make(`bob-${backend}`);
    const carol = await make(`carol-${backend}`);

    const bobWs = listen(h.url, bob.client.getToken());
    const carolWs = listen(h.url, carol.client.getToken());
    sockets.push(bobWs, carolWs);
    await Promise.all([bobWs.ready, carolWs.ready]);
    await Promise.all([bobWs.next((e) => e.event === 'hello'), carolWs.next((e) => e.event === 'hello')]);
    expect(bobWs.events[0]).toMatchObject({ event: 'hello', seq: 0, broadcast: { user_id: bob.me.id } });

    // A direct message, its thread and a reaction.
    const dm = await alice.client.createDirectChannel([alice.me.id, bob.me.id]) as Channel;
    expect(dm.type).toBe('D');
    const root = await alice.client.createPost({ channel_id: dm.id, message: 'lunch at the quokka café?' } as Post);
    const posted = await bobWs.next((e) => e.event === 'posted');
    expect(JSON.parse(posted.data.post as string)).toMatchObject({ id: root.id, message: 'lunch at the quokka café?' });
    const reply = await bob.client.createPost({ channel_id: dm.id, root_id: root.id, message: 'yes, noon' } as Post);
    const thread = await alice.client.getPostThread(root.id);
    expect(thread.order).toEqual([reply.id, root.id]);
    await bob.client.addReaction(bob.me.id, root.id, 'thumbsup');
    const reactions = await alice.client.getReactionsForPost(root.id);
    expect(reactions.map((r) => [r.user_id, r.emoji_name])).toEqual([[bob.me.id, 'thumbsup']]);
    const reacted = await bobWs.next((e) => e.event === 'reaction_added');
    expect(JSON.parse(reacted.data.reaction as string)).toMatchObject({ post_id: root.id, emoji_name: 'thumbsup' });

    // A file, uploaded the way Client4 does (multipart), attached to a post, downloaded by Bob.
    const form = new FormData();
    form.append('channel_id', dm.id);
    form.append('files', new Blob([Buffer.from('menu: soup, bread\n')], { type: 'text/plain' }), 'menu.txt');
    const uploaded = await alice.client.uploadFile(form);
    const fileId = uploaded.file_infos[0]!.id;
    await alice.client.createPost({ channel_id: dm.id, message: 'the menu', file_ids: [fileId] } as Post);
    const download = await fetch(alice.client.getFileUrl(fileId, 0), { headers: { Authorization: `Bearer ${bob.client.getToken()}` } });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('menu: soup, bread\n');
    const refused = await fetch(alice.client.getFileUrl(fileId, 0), { headers: { Authorization: `Bearer ${carol.client.getToken()}` } });
    expect(refused.status).toBe(403);

    // A search finds the DM for its members only.
    const found = await bob.client.searchPostsWithParams(team.id, { terms: 'quokka', is_or_search: false } as never);
    expect(found.order).toEqual([root.id]);
    const notFound = await carol.client.searchPostsWithParams(team.id, { terms: 'quokka', is_or_search: false } as never);
    expect(notFound.order).toEqual([]);

    // Carol, connected the whole time, saw none of it.
    const pong = new Promise<void>((resolve) => carolWs.client.sendMessage('ping', {}, () => resolve()));
    await pong;
    expect(carolWs.events.filter((e) => e.event !== 'hello')).toEqual([]);
  });

  it('closes a websocket whose authentication_challenge carries a bad token, without reaching chat-core', async () => {
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/api/v4/websocket`);
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: unknown[] = [];
    ws.on('message', (raw) => replies.push(JSON.parse(raw.toString())));
    ws.send(JSON.stringify({ action: 'authentication_challenge', seq: 1, data: { token: 'not-a-session' } }));
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1008);
    expect(replies).toEqual([{ status: 'FAIL', seq_reply: 1, error: expect.objectContaining({ id: 'api.web_socket_router.not_authenticated.app_error' }) }]);
  });

  it('closes a websocket that sends anything but the challenge first', async () => {
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/api/v4/websocket`);
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: unknown[] = [];
    ws.on('message', (raw) => replies.push(JSON.parse(raw.toString())));
    ws.send(JSON.stringify({ action: 'user_typing', seq: 1, data: { channel_id: 'x' } }));
    expect(await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)))).toBe(1008);
    expect(replies).toEqual([]);
  });
});

/**
 * The proxy's websocket path: authenticate the upgrade (header or cookie — a cookie upgrade must come
 * from the site's own origin, against cross-site websocket hijacking), open the upgrade to chat-core
 * with the assertion, then splice the two sockets. Sockets are tracked per session, so a revoked
 * session's websockets are closed at once.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayContext } from '../context.js';
import type { ChatNodes } from './chat-nodes.js';
import { readCredential } from '../sessions/authenticate.js';
import { replaceRequestHeaders, upstreamUpgradeHeaders } from './headers.js';
import { createChallengeRelay } from './websocket-challenge.js';

export const WEBSOCKET_PATH = '/api/v4/websocket';

/**
 * chat-core when it runs in this very process (`gatehouse serve`): an authenticated request or
 * upgrade is handed to it with the assertion in place of the client's credentials (the same header
 * allow-list as over the wire), so answers and events go from chat-core straight to the client's
 * socket, with no loopback hop.
 */
export interface LocalChat {
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): void;
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface WebsocketForwarder {
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, requestId: string): Promise<void>;
  closeSession(sessionId: string): number;
  closeAll(): void;
  readonly open: () => number;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function createWebsocketForwarder(ctx: GatewayContext, nodes: ChatNodes, local?: LocalChat): WebsocketForwarder {
  const siteOrigin = new URL(ctx.config.siteUrl).origin;
  /** Per session, a closer for each client connection (a spliced socket or a relayed websocket). */
  const bySession = new Map<string, Set<() => void>>();
  const track = (sessionId: string, close: () => void, onClosed: (listener: () => void) => void) => {
    let set = bySession.get(sessionId);
    if (!set) bySession.set(sessionId, (set = new Set()));
    set.add(close);
    onClosed(() => {
      set!.delete(close);
      if (set!.size === 0 && bySession.get(sessionId) === set) bySession.delete(sessionId);
    });
  };
  const challenges = createChallengeRelay(ctx, nodes, track);
  return {
    async upgrade(req, socket, head, requestId) {
      socket.on('error', () => socket.destroy());
      // No credential on the upgrade: the client authenticates with its first message.
      if (!readCredential(req)) return challenges.accept(req, socket, head, requestId);
      const principal = await ctx.authenticator.authenticate(req).catch(() => null);
      if (!principal) return refuse(socket, 401, 'Unauthorized');
      if (principal.viaCookie && req.headers.origin !== siteOrigin) return refuse(socket, 403, 'Forbidden');
      if (principal.mfaEnrolRequired) return refuse(socket, 403, 'Forbidden');
      const assertion = await ctx.minter.assertionFor(principal);
      if (local) {
        replaceRequestHeaders(req, upstreamUpgradeHeaders(req.headers, assertion, requestId));
        (socket as Socket).setNoDelay?.(true);
        track(principal.sessionId, () => socket.destroy(), (listener) => socket.once('close', listener));
        return local.handleUpgrade(req, socket, head);
      }
      const target = nodes.next();
      const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: 'GET', headers: upstreamUpgradeHeaders(req.headers, assertion, requestId) });
      upstream.on('upgrade', (upRes, upSocket, upHead) => {
        const lines = [`HTTP/1.1 101 Switching Protocols`];
        for (let i = 0; i < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        // Events are small frames: without noDelay, Nagle + delayed ACK would hold them back by up to 40 ms.
        (socket as Socket).setNoDelay?.(true);
        upSocket.setNoDelay(true);
        if (upHead.length) socket.write(upHead);
        if (head.length) upSocket.write(head);
        upSocket.on('error', () => socket.destroy());
        upSocket.on('close', () => socket.destroy());
        socket.on('close', () => upSocket.destroy());
        upSocket.pipe(socket).pipe(upSocket);
        track(principal.sessionId, () => { socket.destroy(); upSocket.destroy(); }, (listener) => socket.once('close', listener));
      });
      upstream.on('response', (upRes) => { refuse(socket, upRes.statusCode ?? 502, upRes.statusMessage ?? 'Bad Gateway'); upRes.resume(); });
      upstream.on('error', () => refuse(socket, 502, 'Bad Gateway'));
      upstream.end();
    },
    closeSession(sessionId) {
      const set = bySession.get(sessionId);
      if (!set) return 0;
      const n = set.size;
      for (const close of set) close();
      bySession.delete(sessionId);
      return n;
    },
    closeAll() {
      challenges.closeAll();
      for (const set of bySession.values()) for (const close of set) close();
      bySession.clear();
    },
    open: () => [...bySession.values()].reduce((n, s) => n + s.size, 0),
  };
}

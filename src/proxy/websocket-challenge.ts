/**
 * Websockets that authenticate after the upgrade, as Mattermost's WebSocketClient does: the upgrade
 * carries no credential, and the first message is `{action: "authentication_challenge", seq,
 * data: {token}}`. The gateway accepts such an upgrade itself, waits (briefly) for that message,
 * authenticates the token like a bearer header, then opens its own upgrade to chat-core with the
 * assertion and relays messages both ways. Anything else first, a bad token or silence closes the
 * socket: nothing reaches chat-core unauthenticated.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { GatewayContext } from '../context.js';
import type { Principal } from '../sessions/principal.js';
import type { ChatNodes } from './chat-nodes.js';

/** How long an unauthenticated socket may stay open waiting for its challenge. */
export const CHALLENGE_TIMEOUT_MS = 10_000;
/** Unauthenticated sockets open at once on this node; past this, new ones are refused. */
const MAX_PENDING = 2_000;
/** Client messages buffered while the upstream connection opens. */
const MAX_BUFFERED = 32;
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Mattermost's close code for a policy refusal. */
const POLICY_VIOLATION = 1008;

export interface ChallengeRelay {
  /** Accepts the upgrade and runs the challenge; `track` is told of the socket once it is authenticated. */
  accept(req: http.IncomingMessage, socket: Duplex, head: Buffer, requestId: string): void;
  closeAll(): void;
}

type Track = (sessionId: string, close: () => void, onClosed: (listener: () => void) => void) => void;

export function createChallengeRelay(ctx: GatewayContext, nodes: ChatNodes, track: Track): ChallengeRelay {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  let pending = 0;

  const authenticate = async (client: WebSocket, raw: RawData): Promise<{ principal: Principal; message: RawData } | undefined> => {
    const message = parseChallenge(raw);
    if (!message) return undefined;
    const principal = await ctx.authenticator.authenticateCredential({ token: message.token, viaCookie: false }).catch(() => null);
    if (!principal || principal.mfaEnrolRequired) {
      client.send(JSON.stringify({ status: 'FAIL', seq_reply: message.seq, error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Invalid or expired session, please login again.' } }));
      return undefined;
    }
    return { principal, message: raw };
  };

  const relay = async (client: WebSocket, req: http.IncomingMessage, principal: Principal, first: RawData, requestId: string): Promise<void> => {
    const assertion = await ctx.minter.assertionFor(principal);
    const headers = { authorization: `Bearer ${assertion}`, 'x-request-id': requestId, ...(req.headers['user-agent'] ? { 'user-agent': req.headers['user-agent'] } : {}) };
    const upstream = new WebSocket(`ws://${nodes.next().host}${req.url ?? ''}`, { headers, perMessageDeflate: false, maxPayload: 0 });
    const buffered: RawData[] = [first];
    client.on('message', (data, isBinary) => {
      if (upstream.readyState === WebSocket.OPEN) return upstream.send(data, { binary: isBinary });
      if (buffered.length >= MAX_BUFFERED) return client.close(POLICY_VIOLATION, 'too many messages before the server answered');
      buffered.push(data);
    });
    upstream.on('open', () => {
      for (const data of buffered.splice(0)) upstream.send(data, { binary: false });
    });
    upstream.on('message', (data, isBinary) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    });
    upstream.on('unexpected-response', (_r, res) => { res.resume(); client.close(1011, 'chat service refused the connection'); });
    upstream.on('error', () => client.terminate());
    upstream.on('close', (code) => client.close(code === 1005 || code === 1006 ? 1011 : code));
    client.on('close', () => upstream.terminate());
    track(principal.sessionId, () => client.terminate(), (listener) => client.on('close', listener));
  };

  return {
    accept(req, socket, head, requestId) {
      if (pending >= MAX_PENDING) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (client) => {
        pending += 1;
        let settled = false;
        const settle = () => { if (!settled) { settled = true; pending -= 1; clearTimeout(timer); } };
        const timer = setTimeout(() => { settle(); client.close(POLICY_VIOLATION, 'no authentication challenge'); }, CHALLENGE_TIMEOUT_MS);
        client.on('close', settle);
        client.on('error', () => client.terminate());
        client.once('message', (raw) => {
          authenticate(client, raw).then((result) => {
            settle();
            if (!result) return client.close(POLICY_VIOLATION, 'authentication failed');
            return relay(client, req, result.principal, result.message, requestId);
          }).catch((err: Error) => {
            settle();
            ctx.logger.error({ request_id: requestId, err: err.message }, 'websocket challenge failed');
            client.close(1011, 'server error');
          });
        });
      });
    },
    closeAll() {
      for (const client of wss.clients) client.terminate();
    },
  };
}

interface Challenge {
  seq: unknown;
  token: string;
}

function parseChallenge(raw: RawData): Challenge | undefined {
  try {
    const value = JSON.parse(raw.toString()) as { action?: unknown; seq?: unknown; data?: { token?: unknown } };
    if (value?.action !== 'authentication_challenge' || typeof value.data?.token !== 'string') return undefined;
    return { seq: value.seq, token: value.data.token };
  } catch {
    return undefined;
  }
}

/**
 * Incoming webhooks through the gateway: `POST /hooks/{hook_id}` (chat-core contract INCOMING_HOOK_PREFIX).
 * The hook id is the credential, so no session is asked for and no assertion is attached; every
 * client credential is dropped (the proxy's header allow-list, without Authorization). Calls are
 * rate-limited per hook and per client address in the ephemeral store, so the limit holds across
 * gateway nodes; counting happens before forwarding, so unknown ids count too (guessing costs).
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { INCOMING_HOOK_PREFIX } from '../../chat-core/contract.js';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatNodes } from './chat-nodes.js';
import { upstreamRequestHeaders } from './headers.js';
import { createUpstreamAgent, failProxied, pipeUpstream } from './upstream.js';

/** Calls one hook may take per minute, from everyone together. */
export const HOOK_CALLS_PER_MINUTE = 60;
/** Calls one client address (an IPv6 /64) may make per minute, to any hooks. */
export const HOOK_CALLS_PER_ADDRESS_PER_MINUTE = 120;
const WINDOW_MS = 60_000;
/** chat-core refuses larger bodies too; refusing here spares the upload. */
const MAX_BODY_BYTES = 1024 * 1024;
/** chat-core's id shape (chat-core/src/store/ids.ts). */
const HOOK_PATH = /^\/hooks\/([a-z0-9]{26})$/;

export interface HookForwarder {
  forward(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void>;
  close(): void;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** True for every path under /hooks/: the forwarder answers all of them (404 and 405 included). */
export function isHookPath(url: string): boolean {
  return pathOf(url).startsWith(INCOMING_HOOK_PREFIX);
}

/** An IPv4 address as is (IPv4-mapped IPv6 unwrapped); an IPv6 address by its /64, which one host usually holds whole. */
export function clientKey(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const groups = head.split(':').filter(Boolean);
  if (tail !== undefined) {
    const rest = tail.split(':').filter(Boolean);
    while (groups.length + rest.length < 8) groups.push('0');
    groups.push(...rest);
  }
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

function sendError(res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

interface Limited {
  limit: number;
  retryAfterSeconds: number;
}

/** Counts the call against the hook and the address; the exceeded limit, if any. */
async function overLimit(ctx: GatewayContext, hookId: string, address: string): Promise<Limited | undefined> {
  const hookKey = `hooks:rate:hook:${digest(hookId)}`;
  const addressKey = `hooks:rate:ip:${digest(clientKey(address))}`;
  const [hookCalls, addressCalls] = await Promise.all([ctx.store.increment(hookKey, WINDOW_MS), ctx.store.increment(addressKey, WINDOW_MS)]);
  const exceeded = hookCalls > HOOK_CALLS_PER_MINUTE ? { key: hookKey, limit: HOOK_CALLS_PER_MINUTE }
    : addressCalls > HOOK_CALLS_PER_ADDRESS_PER_MINUTE ? { key: addressKey, limit: HOOK_CALLS_PER_ADDRESS_PER_MINUTE } : undefined;
  if (!exceeded) return undefined;
  const ttl = await ctx.store.ttl(exceeded.key);
  return { limit: exceeded.limit, retryAfterSeconds: Math.max(1, Math.ceil((ttl ?? WINDOW_MS) / 1000)) };
}

function sendLimited(ctx: GatewayContext, res: http.ServerResponse, limited: Limited, requestId: string): void {
  const reset = Math.ceil(ctx.now() / 1000) + limited.retryAfterSeconds;
  sendError(res, 429, {
    id: 'web.incoming_webhook.rate_limited.app_error',
    message: `Too many calls to this webhook (at most ${limited.limit} a minute). Wait ${limited.retryAfterSeconds} s, then send again.`,
    detailed_error: '', request_id: requestId, status_code: 429,
  }, {
    'retry-after': String(limited.retryAfterSeconds), 'x-ratelimit-limit': String(limited.limit),
    'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset),
  });
}

function hookHeaders(req: http.IncomingMessage, requestId: string): http.OutgoingHttpHeaders {
  const headers = upstreamRequestHeaders(req.headers, '', requestId);
  delete headers.authorization;
  return headers;
}

export function createHookForwarder(ctx: GatewayContext, nodes: ChatNodes): HookForwarder {
  const agent = createUpstreamAgent(64);
  const relay = (req: http.IncomingMessage, res: http.ServerResponse, hookId: string, requestId: string) => pipeUpstream(ctx, agent, req, res, {
    target: nodes.next(), method: 'POST', path: `${INCOMING_HOOK_PREFIX}${hookId}`, headers: hookHeaders(req, requestId),
    requestId, started: performance.now(), what: 'incoming webhook proxy',
  });
  return {
    async forward(req, res, requestId) {
      try {
        const hookId = HOOK_PATH.exec(pathOf(req.url ?? '/'))?.[1];
        if (!hookId) throw new GatewayError('REQUEST_NOT_FOUND', { detail: 'not an incoming webhook path' });
        if (req.method !== 'POST') {
          req.resume();
          sendError(res, 405, {
            id: 'api.context.method_not_allowed.app_error', message: 'Incoming webhooks accept POST only.',
            detailed_error: '', request_id: requestId, status_code: 405,
          }, { allow: 'POST' });
          return;
        }
        if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new GatewayError('REQUEST_TOO_LARGE');
        const limited = await overLimit(ctx, hookId, req.socket.remoteAddress ?? '');
        if (limited) {
          req.resume();
          sendLimited(ctx, res, limited, requestId);
          return;
        }
        relay(req, res, hookId, requestId);
      } catch (err) {
        req.resume();
        failProxied(ctx, res, err, requestId, 'incoming webhook proxy');
      }
    },
    close() {
      agent.destroy();
    },
  };
}

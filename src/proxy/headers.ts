/**
 * Which headers cross the proxy. Requests: an allow-list — every client credential (cookies,
 * Authorization, any assertion or identity header a client invents) is dropped by construction.
 * Responses: everything but hop-by-hop headers and Set-Cookie (chat-core sets no cookies of ours).
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

const REQUEST_ALLOW = ['accept', 'accept-language', 'accept-encoding', 'content-type', 'content-length', 'user-agent', 'if-none-match', 'if-modified-since', 'cache-control'] as const;
const WEBSOCKET_ALLOW = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'user-agent'] as const;
const RESPONSE_DROP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'transfer-encoding', 'upgrade', 'set-cookie', 'te', 'trailer']);

function pick(headers: IncomingHttpHeaders, names: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of names) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export function upstreamRequestHeaders(headers: IncomingHttpHeaders, assertion: string, requestId: string): OutgoingHttpHeaders {
  const out = pick(headers, REQUEST_ALLOW);
  out.authorization = `Bearer ${assertion}`;
  out['x-request-id'] = requestId;
  return out;
}

export function upstreamUpgradeHeaders(headers: IncomingHttpHeaders, assertion: string, requestId: string): OutgoingHttpHeaders {
  const out = pick(headers, WEBSOCKET_ALLOW);
  out.connection = 'Upgrade';
  out.upgrade = 'websocket';
  out.authorization = `Bearer ${assertion}`;
  out['x-request-id'] = requestId;
  return out;
}

export function downstreamResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !RESPONSE_DROP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Hands a request to chat-core in this same process (see LocalChat): its headers become exactly
 * `headers` — the raw list too, so no client credential survives anywhere on the object.
 */
export function replaceRequestHeaders(req: IncomingMessage, headers: OutgoingHttpHeaders): void {
  const clean: IncomingHttpHeaders = {};
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    clean[name] = text;
    raw.push(name, text);
  }
  req.headers = clean;
  req.rawHeaders = raw;
}

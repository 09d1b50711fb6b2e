/**
 * One POST to an outgoing-webhook callback, guarded against server-side request forgery: the host
 * is resolved once, every address it resolves to must be public (unless the operator listed the
 * host in `webhookAllowedHosts`), and the socket connects to the address that was checked — never
 * a second lookup, so DNS rebinding has no window. Redirects are never followed; the exchange has a
 * deadline and the response body a size cap.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './address-guard.js';

export interface SafeRequestOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Host names (not addresses) allowed to resolve to non-public addresses. */
  allowedHosts: readonly string[];
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The destination was refused before any connection was made. */
export class RefusedDestination extends Error {
  override readonly name = 'RefusedDestination';
}

interface Resolved {
  address: string;
  family: 4 | 6;
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

async function resolve(host: string): Promise<Resolved[]> {
  const family = isIP(host);
  if (family !== 0) return [{ address: host, family: family as 4 | 6 }];
  const found = await dnsLookup(host, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
}

/** The destination to connect to, after the checks; throws RefusedDestination. */
export async function checkedDestination(url: URL, allowedHosts: readonly string[]): Promise<Resolved> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedDestination(`scheme ${url.protocol} is not allowed`);
  const host = hostOf(url);
  const allowed = allowedHosts.some((entry) => entry.toLowerCase() === host.toLowerCase());
  let addresses: Resolved[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new RefusedDestination(`host ${host} does not resolve: ${(error as Error).message}`);
  }
  if (addresses.length === 0) throw new RefusedDestination(`host ${host} does not resolve`);
  if (!allowed) {
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked) throw new RefusedDestination(`host ${host} resolves to the non-public address ${blocked.address}`);
  }
  return addresses[0]!;
}

/** Hands the socket the checked address, whatever family or `all` option it asks with. */
function pinnedLookup(target: Resolved): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

export async function safePost(rawUrl: string, options: SafeRequestOptions): Promise<SafeResponse> {
  const url = new URL(rawUrl);
  const target = await checkedDestination(url, options.allowedHosts);
  const host = hostOf(url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SafeResponse>((resolvePromise, reject) => {
    const request = client.request({
      host, port: url.port || undefined, path: `${url.pathname}${url.search}`, method: 'POST',
      headers: { ...options.headers, host: url.host, 'content-length': String(Buffer.byteLength(options.body)) },
      agent: false, lookup: pinnedLookup(target),
      ...(url.protocol === 'https:' && isIP(host) === 0 ? { servername: host } : {}),
    });
    let settled = false;
    const settle = (error: Error | undefined, response?: SafeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) {
        request.destroy();
        reject(error);
      } else resolvePromise(response!);
    };
    const deadline = setTimeout(() => settle(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', (error) => settle(error));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) settle(new Error(`response larger than ${options.maxResponseBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('error', (error) => settle(error));
      response.on('end', () => settle(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.end(options.body);
  });
}

/**
 * One call to the provider: a timeout (AbortSignal.timeout), no redirects followed (a token must
 * never be carried to wherever a 3xx points), a cap on the body read, and JSON parsing. Every
 * failure becomes a refusal naming the endpoint; the body is never logged (it may hold tokens).
 */
import { refuse, type OAuth2Context } from './context.js';

export interface ProviderResponse {
  status: number;
  json: unknown;
  /** The response headers, e.g. for GitHub's pagination `Link` header. */
  headers: Headers;
}

async function readCapped(ctx: OAuth2Context, what: string, res: Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > ctx.config.maxResponseBytes) refuse(ctx, `${what} response is larger than ${ctx.config.maxResponseBytes} bytes`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > ctx.config.maxResponseBytes) refuse(ctx, `${what} response is larger than ${ctx.config.maxResponseBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkReason(what: string, timeoutMs: number, err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `${what} did not answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return `${what} could not be reached: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
}

/** Fetch and parse JSON; `what` names the endpoint in refusals ("token endpoint", "GitHub /user"). */
export async function fetchJson(ctx: OAuth2Context, what: string, url: string, init: RequestInit): Promise<ProviderResponse> {
  let text: string;
  let res: Response;
  try {
    res = await ctx.fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(ctx.config.timeoutMs) });
    text = await readCapped(ctx, what, res);
  } catch (err) {
    if ((err as { name?: string }).name === 'GatewayError') throw err;
    return refuse(ctx, networkReason(what, ctx.config.timeoutMs, err), err);
  }
  if (res.status >= 300 && res.status < 400) refuse(ctx, `${what} answered with a redirect (HTTP ${res.status}); redirects are not followed`);
  try {
    return { status: res.status, json: JSON.parse(text) as unknown, headers: res.headers };
  } catch (err) {
    return refuse(ctx, `${what} returned malformed JSON (HTTP ${res.status}, ${text.length} bytes)`, err);
  }
}

/** The response must be a 2xx JSON object (user info) or array (GitHub lists), else a refusal. */
export function expectOk(ctx: OAuth2Context, what: string, res: ProviderResponse, shape: 'object' | 'array'): void {
  if (res.status < 200 || res.status >= 300) refuse(ctx, `${what} answered HTTP ${res.status}${errorSuffix(res.json)}`);
  const isArray = Array.isArray(res.json);
  const ok = shape === 'array' ? isArray : typeof res.json === 'object' && res.json !== null && !isArray;
  if (!ok) refuse(ctx, `${what} returned JSON that is not an ${shape}`);
}

/** A provider's own error text (`error`/`message`), trimmed, for the log; never the whole body. */
export function errorSuffix(json: unknown): string {
  if (typeof json !== 'object' || json === null) return '';
  const o = json as Record<string, unknown>;
  const parts = [o.error, o.error_description, o.message].filter((v): v is string => typeof v === 'string');
  return parts.length ? `: ${parts.join(' — ').slice(0, 200)}` : '';
}

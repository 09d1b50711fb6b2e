/**
 * Opening, watching and closing node-redis connections for the Redis store. Two rules shape it:
 * a Redis outage must never crash or hang the gateway (commands time out, `ping()` fails fast,
 * reconnection runs in the background), and the URL — which may carry a password — never reaches
 * a log line or an error message.
 */
import { createClient, type RedisClientType } from 'redis';
import type { StoreLogger } from './common.js';

export type RedisClient = RedisClientType;

export interface RedisConnectionOptions {
  url: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

const URL_HINT = 'expected redis://[user:password@]host:port[/db] or rediss://…';

/** Validate the URL ourselves: URL parse errors carry the input (the password) along with them. */
function assertRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`ephemeral store: the Redis URL is not a valid URL (${URL_HINT})`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`ephemeral store: the Redis URL has an unsupported scheme (${URL_HINT})`);
  }
}

export function openRedisClient(options: RedisConnectionOptions): RedisClient {
  assertRedisUrl(options.url);
  try {
    return createClient({
      url: options.url,
      // The default reconnect strategy (exponential back-off capped at ~2 s) keeps retrying.
      socket: { connectTimeout: options.connectTimeoutMs },
      // Commands wait in the offline queue across a short blip, but never longer than this.
      commandOptions: { timeout: options.commandTimeoutMs },
    }) as RedisClient;
  } catch {
    // Deliberately no `cause`: it could hold the URL.
    throw new Error(`ephemeral store: the Redis URL was refused by the client (${URL_HINT})`);
  }
}

/** Replace any credential from the URL that an error message might echo. */
function scrubber(url: string): (text: string) => string {
  const parsed = new URL(url);
  const secrets = [parsed.password, decodeURIComponent(parsed.password)].filter((s) => s.length > 0);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/**
 * Log connection trouble once per outage (the client retries every ~2 s; one line each would
 * flood the log), and the recovery. Listening to 'error' is also what keeps node-redis from
 * throwing it as an unhandled EventEmitter error.
 */
export function watchConnection(client: RedisClient, role: string, url: string, logger?: StoreLogger): void {
  const scrub = scrubber(url);
  let down = false;
  client.on('error', (err: unknown) => {
    if (down) return;
    down = true;
    const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
    logger?.warn(
      { connection: role, err_code: typeof code === 'string' ? code : undefined, err_message: scrub(String(message)) },
      'redis connection failed; retrying in the background',
    );
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info?.({ connection: role }, 'redis connection restored');
  });
}

/**
 * Start connecting and wait for the first outcome only: ready, or the first failure. When Redis is
 * down at boot the store is still returned — `ping()` (readiness) reports it and commands fail
 * closed with a timeout — while node-redis keeps reconnecting.
 */
export async function startConnecting(client: RedisClient): Promise<void> {
  await new Promise<void>((resolve) => {
    const settle = () => {
      client.off('ready', settle);
      client.off('error', settle);
      resolve();
    };
    client.once('ready', settle);
    client.once('error', settle);
    // Failures surface as 'error' events; this promise only settles once connected or closed.
    client.connect().catch(() => undefined);
  });
}

/** Graceful when connected (pending replies are awaited); immediate when not, so it never hangs. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) await client.close();
  else client.destroy();
}

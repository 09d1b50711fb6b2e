/**
 * The ephemeral store: short-lived shared state that must hold across gateway nodes
 * (sessions, login state, replay caches, rate limits, job locks, pub/sub).
 *
 * Two implementations honour this contract: `createMemoryStore` (embedded default, one process)
 * and `createRedisStore` (cluster). One conformance suite runs on both
 * (`test/integration/store/ephemeral.test.ts`). All TTLs are in milliseconds; every key
 * written with a TTL disappears after it; a key without TTL lives until deleted.
 *
 * Shared rules:
 * - A TTL, where given, must be a positive safe integer; anything else (0, negative, fractional,
 *   NaN, Infinity) rejects with a `RangeError` before anything is written.
 * - Like Redis, a key holds either a string or a set; using it as the other kind rejects with an
 *   error whose message starts with `WRONGTYPE`.
 * - Every method rejects once the store is closed, and (Redis) when the server does not answer
 *   within the command timeout — callers fail closed rather than wait.
 */
export interface EphemeralStore {
  get(key: string): Promise<string | null>;
  /**
   * Set a value, replacing any previous value and TTL (without `ttlMs` the key becomes
   * permanent); `ttlMs` must be a positive integer when given.
   */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Set only when absent; true when this call wrote the value. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Delete keys; resolves to how many existed. */
  delete(...keys: string[]): Promise<number>;
  /** Atomically read and delete: exactly one concurrent caller gets the value. */
  consume(key: string): Promise<string | null>;
  /**
   * Atomically add `by` (default 1) and return the new value. When the key is created by this
   * call and `ttlMs` is given, it expires after `ttlMs` (a fixed window, not extended later).
   * A counter first created without `ttlMs` stays permanent. `by` must be an integer.
   */
  increment(key: string, ttlMs?: number, by?: number): Promise<number>;
  /** Remaining life in ms; null when the key is absent or has no TTL. */
  ttl(key: string): Promise<number | null>;
  /**
   * Set-valued keys (e.g. a user's session ids). A TTL applies to the whole set: adding with
   * `ttlMs` restarts the whole set's life, adding without it keeps the current deadline. An
   * emptied set no longer exists.
   */
  addToSet(key: string, member: string, ttlMs?: number): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  members(key: string): Promise<string[]>;
  /**
   * Take a lock for `ttlMs`; resolves to a release function, or null when someone else holds it.
   * Release only removes the lock if this holder still owns it (an owner token, so a release
   * after expiry never frees the next holder's lock); calling it again does nothing. Lock names
   * live in their own namespace (`lock:<name>`), apart from ordinary keys.
   */
  lock(name: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
  /**
   * Publish to every subscriber on every node (including this one). Delivery is asynchronous
   * (never inside `publish`) and at most once: a node that is disconnected misses the message.
   */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Subscribe; resolves once the subscription is active, to an unsubscribe function. After the
   * unsubscribe function resolves, `onMessage` is not called again. A throwing `onMessage` is
   * logged and does not affect other subscribers.
   */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /** Readiness probe: resolves when the store answers, rejects otherwise — quickly, never hangs. */
  ping(): Promise<void>;
  /** Release connections and timers; idempotent. */
  close(): Promise<void>;
}

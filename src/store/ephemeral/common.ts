/**
 * Argument checks and small helpers shared by both ephemeral stores. The checks make a bad TTL
 * fail the same way on memory and on Redis — before anything is written (no partial writes).
 */

/** The logger the stores accept: any pino logger fits. */
export interface StoreLogger {
  warn(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
}

/**
 * A TTL must be a positive safe integer of milliseconds. Zero or a negative value would mean
 * "already expired" on one backend and an error on the other; a fraction would be silently
 * rounded by Redis — refuse all three so both stores agree.
 */
export function assertTtl(ttlMs: number, argument = 'ttlMs'): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(
      `ephemeral store: ${argument} must be a positive integer number of milliseconds, got ${String(ttlMs)}`,
    );
  }
}

export function assertOptionalTtl(ttlMs: number | undefined): void {
  if (ttlMs !== undefined) assertTtl(ttlMs);
}

/** INCRBY takes integers only; refuse fractions here instead of getting a Redis error later. */
export function assertStep(by: number): void {
  if (!Number.isSafeInteger(by)) {
    throw new RangeError(`ephemeral store: increment step must be an integer, got ${String(by)}`);
  }
}

/**
 * The error the memory store raises where Redis answers WRONGTYPE. The key is left out on purpose:
 * keys often embed session ids or tokens, and error messages end up in logs.
 */
export function wrongTypeError(): Error {
  return new TypeError('WRONGTYPE Operation against a key holding the wrong kind of value');
}

/** The error the memory store raises where Redis answers "value is not an integer". */
export function notAnIntegerError(): Error {
  return new TypeError('ERR value is not an integer or out of range');
}

/**
 * Locks live beside ordinary keys under their own namespace (the same in both stores), so a
 * lock named "ldap-sync" never collides with a key "ldap-sync".
 */
export function lockKey(name: string): string {
  return `lock:${name}`;
}

/**
 * A release function that succeeds at most once however often it is called; a failed attempt
 * (Redis unreachable) may be retried.
 */
export function once(release: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () =>
    (done ??= release().catch((err: unknown) => {
      done = undefined;
      throw err;
    }));
}

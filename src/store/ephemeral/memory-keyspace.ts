/**
 * The memory store's keyspace: one map for strings and sets (like Redis, a key holds one kind of
 * value), each entry with an optional absolute deadline on the injected clock.
 */

export type MemoryEntry =
  | { kind: 'string'; value: string; expiresAt: number | null }
  | { kind: 'set'; members: Set<string>; expiresAt: number | null };

export interface MemoryKeyspace {
  /** The live entry, or undefined; an expired entry is dropped on the way (lazy expiry). */
  read(key: string): MemoryEntry | undefined;
  write(key: string, entry: MemoryEntry): void;
  /** Remove a live entry; true when one existed. */
  remove(key: string): boolean;
  /** Drop every expired entry; resolves how many went. Run periodically so unread keys go too. */
  sweep(): number;
  size(): number;
  clear(): void;
}

export function createMemoryKeyspace(now: () => number): MemoryKeyspace {
  const entries = new Map<string, MemoryEntry>();
  // A key is gone once its deadline is reached: "expires after ttlMs" includes ttlMs itself.
  const isExpired = (entry: MemoryEntry, at: number) => entry.expiresAt !== null && entry.expiresAt <= at;

  function read(key: string): MemoryEntry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (isExpired(entry, now())) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function sweep(): number {
    const at = now();
    let removed = 0;
    for (const [key, entry] of entries) {
      if (isExpired(entry, at)) {
        entries.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  return {
    read,
    write: (key, entry) => void entries.set(key, entry),
    remove: (key) => read(key) !== undefined && entries.delete(key),
    sweep,
    size: () => entries.size,
    clear: () => entries.clear(),
  };
}

/** Driver errors translated at the store boundary (better-sqlite3 codes, PostgreSQL SQLSTATE). */

/** True when the error is a unique or primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

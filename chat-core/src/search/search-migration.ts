/**
 * The post search index, the one dialect-specific migration: SQLite FTS5, PostgreSQL full-text.
 * (Filled in by the search work; until then it creates nothing.)
 */
import type { Migration } from 'kysely';

export const postSearch: Migration = {
  async up() {},
  async down() {},
};

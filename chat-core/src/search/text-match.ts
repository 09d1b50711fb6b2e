/**
 * Words and phrases as a WHERE predicate on `posts`, per dialect. User text only ever travels as
 * a bound value: on SQLite inside an FTS5 string (`"…"`, quotes doubled), which FTS5 hands to the
 * tokenizer and never reads as syntax (no NEAR, OR, column filters, `^` or `*` from the user); on
 * PostgreSQL as the argument of plainto_tsquery / phraseto_tsquery, which parse text, not
 * operators. The operators between terms are ours.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { TextTerm } from './parse-terms.js';
import { PG_FOLD_FUNCTION, PG_VECTOR_FUNCTION, SQLITE_DOCS_TABLE, SQLITE_FTS_TABLE, type SearchDialect } from './search-dialect.js';

export interface TextCriteria {
  include: readonly TextTerm[];
  exclude: readonly TextTerm[];
  /** OR the included terms instead of AND. */
  any: boolean;
}

function ftsString(term: TextTerm): string {
  const quoted = `"${term.text.replace(/"/g, '""')}"`;
  return term.kind === 'word' && term.prefix ? `${quoted} *` : quoted;
}

/** The FTS5 query: `(("a") AND ("b" *)) NOT (("c") OR ("d"))`. Exported for the unit tests. */
export function ftsQuery(terms: readonly TextTerm[], any: boolean): string {
  return `(${terms.map((term) => `(${ftsString(term)})`).join(any ? ' OR ' : ' AND ')})`;
}

function sqliteMatches(query: string): Expression<SqlBool> {
  return sql<SqlBool>`posts.id IN (SELECT post_id FROM ${sql.table(SQLITE_DOCS_TABLE)} WHERE doc IN (
    SELECT rowid FROM ${sql.table(SQLITE_FTS_TABLE)} WHERE ${sql.table(SQLITE_FTS_TABLE)} MATCH ${query}))`;
}

function sqlitePredicate(criteria: TextCriteria): Expression<SqlBool> {
  if (criteria.include.length === 0) return sql<SqlBool>`NOT ${sqliteMatches(ftsQuery(criteria.exclude, true))}`;
  const positive = ftsQuery(criteria.include, criteria.any);
  if (criteria.exclude.length === 0) return sqliteMatches(positive);
  return sqliteMatches(`${positive} NOT ${ftsQuery(criteria.exclude, true)}`);
}

function tsquery(term: TextTerm) {
  const folded = sql`${sql.raw(PG_FOLD_FUNCTION)}(${term.text})`;
  if (term.kind === 'phrase') return sql`phraseto_tsquery('simple', ${folded})`;
  const words = sql`plainto_tsquery('simple', ${folded})`;
  if (!term.prefix) return words;
  // Re-reading PostgreSQL's own rendering of the query is safe: it quotes every lexeme. The
  // `:*` marks the last one as a prefix; an empty query (no lexeme) is left alone.
  return sql`(CASE WHEN numnode(${words}) = 0 THEN ${words} ELSE ((${words})::text || ':*')::tsquery END)`;
}

function combine(terms: readonly TextTerm[], operator: '&&' | '||') {
  return sql`(${sql.join(terms.map((term) => sql`(${tsquery(term)})`), sql.raw(` ${operator} `))})`;
}

function postgresPredicate(criteria: TextCriteria): Expression<SqlBool> {
  const vector = sql`${sql.raw(PG_VECTOR_FUNCTION)}(posts.message)`;
  if (criteria.include.length === 0) return sql<SqlBool>`NOT (${vector} @@ ${combine(criteria.exclude, '||')})`;
  const positive = combine(criteria.include, criteria.any ? '||' : '&&');
  if (criteria.exclude.length === 0) return sql<SqlBool>`${vector} @@ ${positive}`;
  return sql<SqlBool>`${vector} @@ (${positive} && !!${combine(criteria.exclude, '||')})`;
}

/** The predicate, or undefined when there is no text to match (a filters-only search). */
export function textPredicate(dialect: SearchDialect, criteria: TextCriteria): Expression<SqlBool> | undefined {
  if (criteria.include.length === 0 && criteria.exclude.length === 0) return undefined;
  return dialect === 'postgres' ? postgresPredicate(criteria) : sqlitePredicate(criteria);
}

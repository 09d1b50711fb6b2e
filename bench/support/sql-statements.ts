/**
 * Which SQL a piece of work runs on better-sqlite3, and what each statement costs: while `record`
 * runs, `Database#prepare` and `Statement#run/all/get/iterate` of every better-sqlite3 database in
 * this process are timed, keyed by the statement's text with repeated `?` lists and VALUES rows
 * folded (`in (?, …)`), then restored. Kysely prepares every query afresh, so prepare time is its own
 * column. A measuring aid for the benches, never used by the gateway itself.
 */
import Database from 'better-sqlite3';

export interface StatementCost {
  sql: string;
  calls: number;
  /** Time inside prepare, µs. */
  prepareUs: number;
  /** Time inside run/all/get/iterate, µs. */
  runUs: number;
}

type Fn = (this: unknown, ...args: unknown[]) => unknown;

const EXEC_METHODS = ['run', 'all', 'get', 'iterate'] as const;

export function foldSql(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/\?(?:\s*,\s*\?)+/g, '?, …')
    .replace(/(\([^()]*\))(?:\s*,\s*\1)+/g, '$1, …')
    .trim();
}

export async function recordStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: StatementCost[] }> {
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Fn>;
  probe.close();
  const dbProto = Database.prototype as unknown as Record<string, Fn>;
  const costs = new Map<string, StatementCost>();
  const costOf = (source: string) => {
    const key = foldSql(source);
    let c = costs.get(key);
    if (!c) costs.set(key, (c = { sql: key, calls: 0, prepareUs: 0, runUs: 0 }));
    return c;
  };
  const originals: [Record<string, Fn>, string, Fn][] = [];
  const wrap = (proto: Record<string, Fn>, name: string, account: (self: unknown, args: unknown[], us: number) => void) => {
    const original = proto[name]!;
    originals.push([proto, name, original]);
    proto[name] = function timed(this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        account(this, args, (performance.now() - t0) * 1000);
      }
    };
  };
  wrap(dbProto, 'prepare', (_self, args, us) => { costOf(String(args[0])).prepareUs += us; });
  for (const name of EXEC_METHODS) {
    wrap(statementProto, name, (self, _args, us) => {
      const c = costOf((self as { source: string }).source);
      c.calls += 1;
      c.runUs += us;
    });
  }
  try {
    const result = await work();
    return { result, statements: [...costs.values()].sort((a, b) => b.prepareUs + b.runUs - (a.prepareUs + a.runUs)) };
  } finally {
    for (const [proto, name, original] of originals.reverse()) proto[name] = original;
  }
}

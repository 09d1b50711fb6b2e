/** The printed report of bench/ldap-sync: rounds, the summary table, and where a profiled sync spent its time. */
import type { ProfileSummary } from './cpu-profile.js';
import type { ChildRound } from './ldap-sync-child.js';
import { LEGS, type SyncLeg } from './ldap-sync-legs.js';
import { mb } from './peak-rss.js';
import type { StatementCost } from './sql-statements.js';
import { fmt, median, minMax, table } from './stats.js';

export interface RoundResult extends ChildRound {
  bareSeconds: number;
}

export interface ProfiledLeg {
  name: string;
  /** Wall time of the profiled sync. */
  seconds: number;
  summary: ProfileSummary;
  /** Wall time of the sync whose SQL statements were timed (another fresh gateway). */
  sqlSeconds: number;
  statements: StatementCost[];
}

const range = (xs: number[], digits: number) => minMax(xs).map((x) => fmt(x, digits)).join('–');

type LegKey = (typeof LEGS)[number]['key'];
const legsOf = (r: RoundResult) => LEGS.map(({ key }) => r[key]);

export function printRound(i: number, r: RoundResult): void {
  const leg = (l: SyncLeg) => `${fmt(l.seconds, 2)} s (${l.kind}, ${fmt(l.usersRead)} users read, LDAP ${fmt(l.readSeconds, 2)} s, peak ${fmt(mb(l.rss.peakBytes))} MB)`;
  console.log(`  round ${i + 1}: bare read ${fmt(r.bareSeconds, 2)} s`);
  for (const { key, name } of LEGS) console.log(`    ${name.padEnd(31)} ${leg(r[key])}`);
}

export function printSummary(rounds: RoundResult[], users: number): void {
  const bare = rounds.map((r) => r.bareSeconds);
  const b = median(bare);
  const row = (name: string, secs: number[], legs?: SyncLeg[]) => {
    const s = median(secs);
    return [name, legs ? [...new Set(legs.map((l) => l.kind))].join('/') : '—', fmt(s, 2), range(secs, 2), fmt(users / s), `${fmt(s / b, 2)}×`,
      legs ? fmt(median(legs.map((l) => l.readSeconds)), 2) : '—', legs ? fmt(Math.max(...legs.map((l) => mb(l.rss.peakBytes)))) : '—'];
  };
  const legRow = (key: LegKey, name: string) => row(name, rounds.map((r) => r[key].seconds), rounds.map((r) => r[key]));
  console.log(table([
    ['', 'kind', 'seconds', 'rounds range', 'users/s', '÷ bare read', 'LDAP part s', 'peak RSS MB'],
    row('bare ldapts paged read', bare),
    ...LEGS.map(({ key, name }) => legRow(key, name)),
  ]).split('\n').map((l) => `  ${l}`).join('\n'));
  console.log(`  users/s = the directory's ${fmt(users)} users ÷ seconds, whatever the sync read; "LDAP part" = until the last page of groups arrived.`);
}

export function printMemoryMethod(rounds: RoundResult[]): void {
  const legs = rounds.flatMap(legsOf);
  const gap = Math.max(...legs.map((l) => l.rss.maxGapMs));
  const rose = legs.filter((l) => l.rss.maxRssRose).length;
  const MB = (xs: number[]) => range(xs.map(mb), 0);
  console.log('  peak RSS: the whole child process of the round (gateway + in-process chat-core; slapd is a process of its own and is not');
  console.log(`    counted): the larger of process.memoryUsage.rss() sampled every 50 ms from a worker thread (longest gap ${fmt(gap)} ms) and`);
  console.log(`    the kernel's maxRSS high-water mark where it rose during the leg (${rose} of ${legs.length} legs); the sampler thread adds ≈ ${MB(rounds.map((r) => r.samplerBytes))} MB.`);
  console.log(`    idle gateway process before the first sync: ${MB(rounds.map((r) => r.idleBytes))} MB. V8 heap (reserved / used) when each leg ended:`);
  for (const { key, name } of LEGS) console.log(`      ${name.padEnd(31)} ${MB(rounds.map((r) => r[key].heapTotalBytes))} / ${MB(rounds.map((r) => r[key].heapUsedBytes))} MB`);
}

/** Self time by source file (from the per-function map), largest first. */
function byFile(summary: ProfileSummary): [string, number][] {
  const files = new Map<string, number>();
  for (const [fn, us] of summary.functions) {
    const at = fn.lastIndexOf(' ');
    const where = fn.slice(at + 1);
    const file = where === '(native)' ? `native: ${fn.slice(0, at)}` : where.replace(/^(node_modules\/(?:@[^/]+\/)?[^/]+)\/.*$/, '$1');
    files.set(file, (files.get(file) ?? 0) + us);
  }
  return [...files].sort((a, b) => b[1] - a[1]);
}

export function printProfile(leg: ProfiledLeg): void {
  const { summary } = leg;
  const busyUs = summary.totalUs - summary.idleUs;
  const ms = (us: number) => fmt(us / 1000);
  const share = (us: number) => `${fmt((us / summary.totalUs) * 100, 1)} %`;
  console.log(`\n== profile: ${leg.name}, ${fmt(leg.seconds, 2)} s under the CPU profiler; main thread ${ms(summary.totalUs)} ms sampled, ${ms(summary.idleUs)} ms idle (waiting on slapd), ${ms(busyUs)} ms busy`);
  const gc = summary.buckets.get('(garbage collector)') ?? 0;
  console.log(`  garbage collector ${ms(gc)} ms (${share(gc)})`);
  console.log('  self time by file (packages folded):');
  console.log(table([['    file', 'ms', 'share'], ...byFile(summary).slice(0, 12).map(([f, us]) => [`    ${f}`, ms(us), share(us)])]));
  console.log('  self time by function:');
  const fns = [...summary.functions].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(table([['    function', 'ms', 'share'], ...fns.map(([f, us]) => [`    ${f.slice(0, 110)}`, ms(us), share(us)])]));
  const all = leg.statements.reduce((n, s) => n + s.calls, 0);
  const sqlUs = leg.statements.reduce((n, s) => n + s.prepareUs + s.runUs, 0);
  console.log(`  SQL, timed in a separate ${fmt(leg.sqlSeconds, 2)} s sync: ${fmt(all)} statements, ${ms(sqlUs)} ms inside better-sqlite3 (prepare + step); costliest first:`);
  console.log(table([
    ['    statement', 'calls', 'prepare ms', 'run ms', 'µs/call'],
    ...leg.statements.slice(0, 10).map((s) => [`    ${s.sql.slice(0, 110)}`, fmt(s.calls), ms(s.prepareUs), ms(s.runUs), fmt((s.prepareUs + s.runUs) / Math.max(1, s.calls), 1)]),
  ]));
}

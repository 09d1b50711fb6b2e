/**
 * bench/ldap-sync — a whole directory sync (runLdapSync with `createUsers`) from a private slapd
 * holding 10,000 users and 500 groups (every 10th nested), into an embedded gateway (SQLite +
 * memory store) that is fresh every round and runs in a child process of its own (so its peak RSS
 * is a gateway's, not the bench's): the full sync into the empty database (users created, groups
 * and effective memberships written), then at once a sync with nothing to change (incremental when
 * the connector is, as by default), then a forced full re-read with nothing to change (the daily run).
 * The baseline, measured in the same rounds (order alternating): a bare ldapts client reading the
 * same users and groups with the same paged searches and attributes — what any sync must at least
 * do. The rounds run the compiled gateway (scripts/build.mjs --bench → dist-bench/) under plain
 * Node, as `npm start` runs it. Targets: full ≤ 30 s, no-change ≤ 3 s (both kinds), peak RSS of
 * the process ≤ 300 MB. When
 * one misses (or with `--profile always`), more rounds run in this process under the CPU profiler
 * and with every SQL statement timed, to show where the time goes.
 */
import { fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Attribute, Change } from 'ldapts';
import type { LdapConnectorInput } from '../src/connectors/ldap/config-schema.js';
import { resolveLdapSettings } from '../src/connectors/ldap/settings.js';
import { startTestSlapd, type TestSlapd } from '../test/support/ldap-server.js';
import { BenchArgError, parseBenchArgs, usage, type ArgSpec } from './support/args.js';
import { profileWhile } from './support/cpu-profile.js';
import { bareLdapRead } from './support/ldap-bare-read.js';
import { bulkUserDn, seedBulkDirectory } from './support/ldap-bulk.js';
import type { ChildAnswer, ChildRequest, ChildRound } from './support/ldap-sync-child.js';
import { connectorConfig, expectedMemberships, LEGS, profiledLegs } from './support/ldap-sync-legs.js';
import { printMemoryMethod, printProfile, printRound, printSummary, type ProfiledLeg, type RoundResult } from './support/ldap-sync-report.js';
import { mb } from './support/peak-rss.js';
import { recordStatements } from './support/sql-statements.js';
import { fmt, median, printJsonLine, round3, sleep, verdict } from './support/stats.js';

export const SUMMARY = 'full and no-change LDAP directory sync from slapd into an embedded gateway vs a bare ldapts paged read.';
export const SPEC: ArgSpec = {
  rounds: 3, seconds: 1,
  secondsHelp: 'not used: every leg is one complete sync',
  choices: { profile: { values: ['auto', 'always', 'never'], default: 'auto', help: 'profile one more round when a target misses (auto), always, or never' } },
};
const COUNTS = { users: { default: 10_000, min: 1, max: 100_000 }, groups: { default: 500, min: 0, max: 5_000 } } as const;
const NESTED_EVERY = 10;
const TARGET = { fullSeconds: 30, noChangeSeconds: 3, peakRssMb: 300 };
const CHILD_TIMEOUT_MS = 15 * 60_000;
const SETTLE_MS = 1_100;

/** Takes `--users N` / `--groups N` out of argv (the shared parser knows only rounds, seconds and choices). */
function takeCounts(argv: string[]): { users: number; groups: number; rest: string[] } {
  const out = { users: COUNTS.users.default as number, groups: COUNTS.groups.default as number };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const name = (['users', 'groups'] as const).find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (!name) { rest.push(arg); continue; }
    const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
    const { min, max } = COUNTS[name];
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min || n > max) throw new BenchArgError(`--${name} must be an integer from ${min} to ${max} (got "${raw ?? ''}")`);
    out[name] = n;
  }
  return { ...out, rest };
}

/**
 * modifyTimestamp has one-second resolution and an incremental sync reads entries changed at or
 * after the newest mark: right after seeding, that is every entry of the seeding's last second
 * (most of a small directory). A directory whose last change came later is the usual case: touch
 * one entry (an attribute the connector does not map) a little over a second after the seeding.
 */
async function settleChangeMark(slapd: TestSlapd): Promise<void> {
  await sleep(SETTLE_MS);
  const client = await slapd.adminClient();
  try {
    await client.modify(bulkUserDn(slapd, 1), new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['touched after seeding'] }) }));
  } finally {
    await client.unbind();
  }
}

/** One measured round in a fresh child process (see support/ldap-sync-child.ts), bounded in time. */
function childRound(req: ChildRequest): Promise<ChildRound> {
  // Compiled JavaScript under plain Node (no tsx loader: execArgv empty), as `npm start` runs the gateway.
  const child = fork(new URL('../dist-bench/bench/support/ldap-sync-child.js', import.meta.url), { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<ChildRound>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the sync round took over ${CHILD_TIMEOUT_MS / 1000} s`)); }, CHILD_TIMEOUT_MS);
    child.once('message', (m: ChildAnswer) => {
      clearTimeout(timer);
      if ('result' in m) resolve(m.result); else reject(new Error(`sync round failed in the child: ${m.error}`));
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the sync round's process exited (${code}) without answering`)); });
    child.send(req);
  });
}

/** The CPU profile and the SQL statement costs come from separate rounds, so neither skews the other. */
async function profiledRounds(cfg: LdapConnectorInput): Promise<ProfiledLeg[]> {
  const cpu = await profiledLegs(cfg, (work) => profileWhile(work));
  const sql = await profiledLegs(cfg, (work) => recordStatements(work));
  return LEGS.map(({ name }, i) => ({ name, seconds: cpu[i]!.seconds, summary: cpu[i]!.out.summary, sqlSeconds: sql[i]!.seconds, statements: sql[i]!.out.statements }));
}

export async function run(argv: string[]): Promise<void> {
  const { users, groups, rest } = takeCounts(argv);
  const args = parseBenchArgs(rest, SPEC);
  if (args.help) {
    console.log(`${usage('ldap-sync', SUMMARY, SPEC)}\n  --users N      directory users, ${COUNTS.users.min}–${COUNTS.users.max} (default ${COUNTS.users.default})\n  --groups N     directory groups, ${COUNTS.groups.min}–${COUNTS.groups.max} (default ${COUNTS.groups.default})`);
    return;
  }
  if (groups > 0 && users === 0) throw new BenchArgError('--groups needs at least one user');
  // The measured rounds run the compiled gateway (dist-bench/), built fresh from these sources.
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--bench'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('building dist-bench/ failed (see above)');
  const slapd = await startTestSlapd();
  try {
    const t0 = performance.now();
    await seedBulkDirectory(slapd, { users, groups, nestedEvery: NESTED_EVERY });
    const seedSeconds = (performance.now() - t0) / 1000;
    await settleChangeMark(slapd);
    const cfg = connectorConfig(slapd);
    const settings = resolveLdapSettings(cfg);
    const want = { users, groups, memberships: expectedMemberships(users, groups, NESTED_EVERY) };
    console.log(`ldap-sync: slapd (mdb, memberof + refint + ppolicy) seeded with ${fmt(users)} users and ${fmt(groups)} groups (20–50 members, every ${NESTED_EVERY}th nests the one before: ${fmt(want.memberships)} effective memberships) in ${fmt(seedSeconds, 1)} s;`);
    console.log(`  then, ${SETTLE_MS / 1000} s later, one user's unmapped \`description\` changed, so the newest modifyTimestamp is not shared by the seeding's last second`);
    console.log(`  gateway: embedded (SQLite + memory store, chat-core in process), a fresh gateway in a fresh child process per round; connector preset openldap, page size ${settings.pageSize}`);
    console.log(`  ${args.rounds} rounds; the bare read (in this process) runs before the syncs in odd rounds, after them in even ones\n`);
    const rounds: RoundResult[] = [];
    for (let r = 0; r < args.rounds; r += 1) {
      const bareFirst = r % 2 === 0;
      const bare1 = bareFirst ? await bareLdapRead(settings) : undefined;
      const child = await childRound({ cfg, want });
      const bare = bare1 ?? await bareLdapRead(settings);
      if (bare.users !== users || bare.groups !== groups) throw new Error(`bare read saw ${bare.users} users and ${bare.groups} groups`);
      rounds.push({ bareSeconds: bare.seconds, ...child });
      printRound(r, rounds[r]!);
    }
    console.log('');
    printSummary(rounds, users);
    printMemoryMethod(rounds);
    const b = median(rounds.map((r) => r.bareSeconds));
    const secs = (key: (typeof LEGS)[number]['key']) => median(rounds.map((r) => r[key].seconds));
    const [full, again, reread] = [secs('full'), secs('again'), secs('reread')];
    const peak = Math.max(...rounds.flatMap((r) => LEGS.map(({ key }) => mb(r[key].rss.peakBytes))));
    const idle = median(rounds.map((r) => mb(r.idleBytes)));
    const againKind = rounds[0]!.again.kind;
    const pass = { full: full <= TARGET.fullSeconds, again: again <= TARGET.noChangeSeconds, reread: reread <= TARGET.noChangeSeconds, rss: peak <= TARGET.peakRssMb };
    const line = (name: string, s: number, ok: boolean) => console.log(`  ${name.padEnd(31)} ${fmt(s, 2).padStart(6)} s  ${fmt(users / s).padStart(7)} users/s  ${fmt(s / b, 2).padStart(6)}× the bare read  ${verdict(ok)}`);
    console.log(`\n== headline — targets: full sync ≤ ${TARGET.fullSeconds} s, no-change sync ≤ ${TARGET.noChangeSeconds} s, peak RSS ≤ ${TARGET.peakRssMb} MB (${fmt(users)} users, ${fmt(groups)} groups; bare read ${fmt(b, 2)} s)`);
    line('full sync (empty DB)', full, pass.full);
    line(`no-change sync (${againKind})`, again, pass.again);
    line('no-change full re-read', reread, pass.reread);
    console.log(`  ${'peak RSS'.padEnd(31)} ${fmt(peak).padStart(6)} MB, highest of every leg (idle gateway process ${fmt(idle)} MB)  ${verdict(pass.rss)}`);
    const missed = Object.values(pass).includes(false);
    if (args.choice('profile') === 'always' || (args.choice('profile') === 'auto' && missed)) for (const leg of await profiledRounds(cfg)) printProfile(leg);
    printJsonLine({
      bench: 'ldap-sync', pass: !missed, target: { full_s: TARGET.fullSeconds, no_change_s: TARGET.noChangeSeconds, peak_rss_mb: TARGET.peakRssMb },
      users, groups, rounds: args.rounds, bare_read_s: round3(b),
      full_s: round3(full), full_users_per_s: Math.round(users / full), full_ratio: round3(full / b),
      no_change_kind: againKind, no_change_s: round3(again), no_change_users_per_s: Math.round(users / again), no_change_ratio: round3(again / b),
      no_change_full_s: round3(reread), no_change_full_users_per_s: Math.round(users / reread), no_change_full_ratio: round3(reread / b),
      peak_rss_mb: Math.round(peak), idle_rss_mb: Math.round(idle),
    });
  } finally {
    await slapd.stop();
  }
}

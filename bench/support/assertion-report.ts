/** Figures, verdicts and the printed report of bench/assertion. */
import type { AssertionAlgorithm } from '../../chat-core/contract.js';
import type { ProfileSummary } from './cpu-profile.js';
import { fmt, median, minMax, pct, printJsonLine, round3, table, verdict } from './stats.js';

export const IN_FLIGHT = 64;
export type Leg = 'sign' | 'bare' | 'fresh' | 'repeated' | 'bare@64' | 'fresh@64';
export const LEGS: readonly Leg[] = ['sign', 'bare', 'fresh', 'repeated', 'bare@64', 'fresh@64'];
const ALGORITHMS: AssertionAlgorithm[] = ['EdDSA', 'ES256'];

export interface LegFigures {
  perSecond: number;
  /** CPU of this process's main thread per operation (JS, hashing, jose's bookkeeping). */
  mainUs?: number;
  /** CPU of the whole process per operation: main thread plus libuv's crypto worker threads. */
  processUs: number;
}

export type Results = Record<AssertionAlgorithm, Record<Leg, LegFigures[]>>;

export interface FreshProfile {
  alg: AssertionAlgorithm;
  bare: { summary: ProfileSummary; ops: number };
  fresh: { summary: ProfileSummary; ops: number };
}

const LABELS: Record<Leg, string> = {
  sign: 'sign (SignJWT), one at a time', bare: 'bare jose jwtVerify, one at a time', fresh: 'chat-core verify, fresh tokens, one at a time',
  repeated: 'chat-core verify, repeated token (cache)', 'bare@64': `bare jose jwtVerify, ${IN_FLIGHT} in flight`, 'fresh@64': `chat-core verify, fresh tokens, ${IN_FLIGHT} in flight`,
};

const med = (results: Results, alg: AssertionAlgorithm, leg: Leg, key: keyof LegFigures = 'perSecond'): number =>
  median(results[alg][leg].map((f) => f[key] ?? Number.NaN));

export function printResults(results: Results): void {
  const range = (alg: AssertionAlgorithm, leg: Leg) => minMax(results[alg][leg].map((f) => f.perSecond)).map((v) => fmt(v)).join('–');
  console.log(table([
    ['per second (median of rounds)', 'EdDSA', 'range', 'ES256', 'range', 'EdDSA ÷ ES256'],
    ...LEGS.map((leg) => [LABELS[leg], fmt(med(results, 'EdDSA', leg)), range('EdDSA', leg), fmt(med(results, 'ES256', leg)), range('ES256', leg), `${fmt(med(results, 'EdDSA', leg) / med(results, 'ES256', leg), 2)}×`]),
  ]));
  console.log('\nCPU per operation, µs (median of rounds): main thread (from /proc) and whole process (main + libuv crypto threads)');
  console.log(table([
    ['', 'EdDSA main', 'EdDSA all', 'ES256 main', 'ES256 all'],
    ...LEGS.map((leg) => [LABELS[leg], ...ALGORITHMS.flatMap((alg) => [fmt(med(results, alg, leg, 'mainUs'), 1), fmt(med(results, alg, leg, 'processUs'), 1)])]),
  ]));
}

export interface AlgOutcome {
  ratio: number;
  ratio64: number;
  extraMainUs: number;
  pass: { fresh: boolean; repeated: boolean };
  figures: Record<Leg, number>;
}

export interface Outcome { perAlg: Record<AssertionAlgorithm, AlgOutcome>; pass: boolean }

export function judge(results: Results, target: { freshRatio: number; repeatedPerSecond: number }): Outcome {
  const perAlg = {} as Record<AssertionAlgorithm, AlgOutcome>;
  for (const alg of ALGORITHMS) {
    const m = (leg: Leg) => med(results, alg, leg);
    const ratio = m('fresh') / m('bare');
    perAlg[alg] = {
      ratio, ratio64: m('fresh@64') / m('bare@64'), extraMainUs: med(results, alg, 'fresh', 'mainUs') - med(results, alg, 'bare', 'mainUs'),
      pass: { fresh: ratio >= target.freshRatio, repeated: m('repeated') >= target.repeatedPerSecond },
      figures: Object.fromEntries(LEGS.map((leg) => [leg, m(leg)])) as Record<Leg, number>,
    };
  }
  return { perAlg, pass: ALGORITHMS.every((a) => perAlg[a].pass.fresh && perAlg[a].pass.repeated) };
}

export function printFreshProfile(p: FreshProfile): void {
  const per = (side: FreshProfile['bare'], f: string) => (side.summary.functions.get(f) ?? 0) / Math.max(1, side.ops);
  const busy = (side: FreshProfile['bare']) => (side.summary.totalUs - side.summary.idleUs) / Math.max(1, side.ops);
  const names = new Set([...p.bare.summary.functions.keys(), ...p.fresh.summary.functions.keys()]);
  const rows = [...names].map((f) => ({ f, added: per(p.fresh, f) - per(p.bare, f) })).filter((r) => Math.abs(r.added) >= 0.3).sort((a, b) => b.added - a.added);
  console.log(`\n${p.alg}: where a fresh verification's extra main-thread time goes (CPU profile, fresh leg − bare leg, self µs per verification):`);
  console.log(table([
    ['function  location', 'added'],
    ...rows.slice(0, 14).map((r) => [`  ${r.f}`, `${r.added >= 0 ? '+' : ''}${fmt(r.added, 1)}`]),
    ['  main thread busy per verification, bare → fresh', `${fmt(busy(p.bare), 1)} → ${fmt(busy(p.fresh), 1)}`],
  ]));
}

export function printHeadline(outcome: Outcome, target: { freshRatio: number; repeatedPerSecond: number }, jwksFetches: (alg: AssertionAlgorithm) => number): void {
  console.log(`\n== headline — targets: fresh ≥ ${pct(target.freshRatio)} of bare jose (one at a time); repeated ≥ ${fmt(target.repeatedPerSecond)}/s`);
  for (const alg of ALGORITHMS) {
    const o = outcome.perAlg[alg];
    console.log(`  ${alg.padEnd(5)}  fresh ${fmt(o.figures.fresh)}/s ÷ bare ${fmt(o.figures.bare)}/s = ${pct(o.ratio)}  ${verdict(o.pass.fresh)}   (${IN_FLIGHT} in flight: ${pct(o.ratio64)}; +${fmt(o.extraMainUs, 1)} µs main-thread CPU per fresh token)`);
    console.log(`         repeated ${fmt(o.figures.repeated)}/s (${fmt(1e6 / o.figures.repeated, 2)} µs each) = ${fmt(o.figures.repeated / o.figures.bare, 0)}× bare  ${verdict(o.pass.repeated)}`);
  }
  const e = (leg: Leg) => outcome.perAlg.EdDSA.figures[leg] / outcome.perAlg.ES256.figures[leg];
  console.log(`  algorithm: EdDSA signs at ${fmt(e('sign'), 2)}× and verifies fresh tokens at ${fmt(e('fresh'), 2)}× (${fmt(e('fresh@64'), 2)}× with ${IN_FLIGHT} in flight) the rate of ES256 on this machine`);
  console.log(`  overall ${verdict(outcome.pass)}`);
  printJsonLine({
    bench: 'assertion', pass: outcome.pass, target: { fresh_ratio: target.freshRatio, repeated_per_s: target.repeatedPerSecond },
    algorithms: Object.fromEntries(ALGORITHMS.map((alg) => {
      const o = outcome.perAlg[alg];
      const f = (leg: Leg) => Math.round(o.figures[leg]);
      return [alg, {
        sign_per_s: f('sign'), bare_per_s: f('bare'), fresh_per_s: f('fresh'), fresh_ratio: round3(o.ratio), repeated_per_s: f('repeated'),
        bare64_per_s: f('bare@64'), fresh64_per_s: f('fresh@64'), fresh64_ratio: round3(o.ratio64), extra_main_us_per_fresh: round3(o.extraMainUs),
        jwks_fetches: jwksFetches(alg), pass: o.pass,
      }];
    })),
  });
}


/**
 * bench/assertion — what chat-core pays to trust the gateway: `createAssertionVerifier`
 * (chat-core/src/auth/verify-assertion.ts, keys from a JWKS on a local http server) for a
 * repeated token (the verified-token cache) and for fresh tokens (every token new, so every one
 * is a signature check), against bare jose `jwtVerify` with the same key and the same pinned
 * options. EdDSA and ES256 both, with sign/s, so the algorithm choice rests on numbers.
 * Targets: fresh ≥ 90 % of bare jose; repeated ≥ 100,000/s.
 */
import { jwtVerify } from 'jose';
import pino from 'pino';
import { ASSERTION_AUDIENCE, ASSERTION_MAX_AGE_SECONDS, ASSERTION_TYP, type AssertionAlgorithm } from '../chat-core/contract.js';
import { createAssertionVerifier, USER_REQUIRED_CLAIMS, type AssertionVerifier } from '../chat-core/src/auth/verify-assertion.js';
import { parseBenchArgs, usage, type ArgSpec } from './support/args.js';
import { mint, mintPool, startSigner, type Signer } from './support/assertion-fixture.js';
import { fmt } from './support/stats.js';
import { profileWhile } from './support/cpu-profile.js';
import {
  IN_FLIGHT, LEGS, judge, printFreshProfile, printHeadline, printResults, type FreshProfile, type Leg, type LegFigures, type Results,
} from './support/assertion-report.js';
import { mainThreadCpuUs } from './support/thread-cpu.js';

export const SUMMARY = 'chat-core assertion verification (repeated and fresh tokens) vs bare jose jwtVerify; EdDSA vs ES256, sign/s too.';
export const SPEC: ArgSpec = {
  rounds: 5, seconds: 1, secondsHelp: 'seconds per leg (6 legs per algorithm per round)',
  choices: { profile: { values: ['auto', 'always', 'never'], default: 'auto', help: 'CPU-profile fresh vs bare for an algorithm that misses (auto), both, or none' } },
};

const ALGORITHMS: AssertionAlgorithm[] = ['EdDSA', 'ES256'];
const POOL = 24_000;
const SKEW_SECONDS = 30;
const TARGET_FRESH_RATIO = 0.9;
const TARGET_REPEATED_PER_S = 100_000;

interface Fixture { signer: Signer; pool: string[]; spare: string; iat: number; nowMs: number }

/** Times `body`, which reports how many operations it ran, with the CPU it took. */
async function timed(body: () => Promise<number>): Promise<LegFigures> {
  const [main0, cpu0, started] = [mainThreadCpuUs(), process.cpuUsage(), performance.now()];
  const ops = await body();
  const [main1, cpu1, elapsed] = [mainThreadCpuUs(), process.cpuUsage(cpu0), performance.now() - started];
  const mainUs = main0 === undefined || main1 === undefined ? undefined : (main1 - main0) / ops;
  return { perSecond: (ops / elapsed) * 1000, processUs: (cpu1.user + cpu1.system) / ops, ...(mainUs === undefined ? {} : { mainUs }) };
}

/** Run `op` one at a time until the time or the count runs out. */
function sequential(seconds: number, maxOps: number, op: (i: number) => Promise<unknown>): Promise<LegFigures> {
  return timed(async () => {
    const deadline = performance.now() + seconds * 1000;
    let i = 0;
    while (i < maxOps && (i % 128 !== 0 || performance.now() < deadline)) await op(i++);
    return i;
  });
}

/** The same with `inFlight` operations outstanding at once (a busy chat-core, many requests). */
function concurrent(seconds: number, maxOps: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<LegFigures> {
  return timed(async () => {
    const deadline = performance.now() + seconds * 1000;
    let next = 0;
    const lane = async () => {
      while (next < maxOps && performance.now() < deadline) await op(next++);
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    return next;
  });
}

/** A new verifier (empty token cache), its JWKS already fetched, so that fetch is not timed. */
async function freshVerifier(f: Fixture): Promise<AssertionVerifier> {
  const verifier = createAssertionVerifier(
    { issuer: f.signer.issuer, jwksUrl: f.signer.jwksUrl, algorithm: f.signer.alg, clockSkewSeconds: SKEW_SECONDS, jwksCooldownMs: 30_000 },
    { logger: pino({ level: 'silent' }), now: () => f.nowMs },
  );
  await verifier.verify(f.spare);
  return verifier;
}

/** jose alone, pinned exactly as chat-core's verifyPinnedJws pins it, with the key in hand. */
function bareVerify(f: Fixture, token: string) {
  return jwtVerify(token, f.signer.publicKey, {
    algorithms: [f.signer.alg], issuer: f.signer.issuer, audience: ASSERTION_AUDIENCE, typ: ASSERTION_TYP,
    requiredClaims: USER_REQUIRED_CLAIMS, maxTokenAge: ASSERTION_MAX_AGE_SECONDS, clockTolerance: SKEW_SECONDS, currentDate: new Date(f.nowMs),
  });
}

async function runLeg(leg: Leg, f: Fixture, seconds: number): Promise<LegFigures> {
  const token = (i: number) => f.pool[i]!;
  switch (leg) {
    case 'sign': return sequential(seconds, 200_000, () => mint(f.signer, f.iat));
    case 'bare': return sequential(seconds, f.pool.length, (i) => bareVerify(f, token(i)));
    case 'bare@64': return concurrent(seconds, f.pool.length, IN_FLIGHT, (i) => bareVerify(f, token(i)));
    case 'fresh': { const v = await freshVerifier(f); return sequential(seconds, f.pool.length, (i) => v.verify(token(i))); }
    case 'fresh@64': { const v = await freshVerifier(f); return concurrent(seconds, f.pool.length, IN_FLIGHT, (i) => v.verify(token(i))); }
    case 'repeated': { const v = await freshVerifier(f); return sequential(seconds, 10_000_000, () => v.verify(f.spare)); }
  }
}

async function prepare(alg: AssertionAlgorithm): Promise<Fixture> {
  const signer = await startSigner(alg);
  const iat = Math.floor(Date.now() / 1000);
  const [pool, [spare]] = [await mintPool(signer, iat, POOL), await mintPool(signer, iat, 1)];
  // The clock is pinned one second after issuance, for chat-core and bare jose alike, so tokens
  // never age out however long the bench runs.
  return { signer, pool, spare: spare!, iat, nowMs: (iat + 1) * 1000 };
}

async function measure(fixtures: Record<AssertionAlgorithm, Fixture>, rounds: number, seconds: number): Promise<Results> {
  const results = Object.fromEntries(ALGORITHMS.map((a) => [a, Object.fromEntries(LEGS.map((l) => [l, [] as LegFigures[]]))])) as Results;
  for (const alg of ALGORITHMS) for (const leg of LEGS) await runLeg(leg, fixtures[alg], Math.min(0.3, seconds));
  for (let r = 0; r < rounds; r += 1) {
    const algs = r % 2 === 0 ? ALGORITHMS : [...ALGORITHMS].reverse();
    const legs = r % 2 === 0 ? LEGS : [...LEGS].reverse();
    for (const alg of algs) for (const leg of legs) results[alg][leg].push(await runLeg(leg, fixtures[alg], seconds));
  }
  return results;
}

/** Where a fresh verification's extra main-thread time goes: one profiled bare leg and one fresh leg. */
async function profileFresh(f: Fixture, seconds: number): Promise<FreshProfile> {
  const bare = await profileWhile(() => runLeg('bare', f, seconds));
  const fresh = await profileWhile(() => runLeg('fresh', f, seconds));
  const ops = (x: { result: LegFigures }) => x.result.perSecond * seconds;
  return { alg: f.signer.alg, bare: { summary: bare.summary, ops: ops(bare) }, fresh: { summary: fresh.summary, ops: ops(fresh) } };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, SPEC);
  if (args.help) { console.log(usage('assertion', SUMMARY, SPEC)); return; }
  console.log(`bench/assertion — ${SUMMARY}`);
  const fixtures = {} as Record<AssertionAlgorithm, Fixture>;
  try {
    for (const alg of ALGORITHMS) fixtures[alg] = await prepare(alg);
    const size = fixtures.EdDSA.pool[0]!.length;
    console.log(`  ${fmt(POOL)} fresh tokens per algorithm pre-minted before timing (gateway-shaped claims, 5 teams, ~${fmt(size)} characters); JWKS on a local http server, fetched once per verifier before timing`);
    console.log(`  interleaved: ${args.rounds} rounds × ${args.seconds} s per leg, algorithm and leg order alternating; a fresh-token leg gets a new verifier (empty cache) and never sees a token twice\n`);
    const results = await measure(fixtures, args.rounds, args.seconds);
    printResults(results);
    const outcome = judge(results, { freshRatio: TARGET_FRESH_RATIO, repeatedPerSecond: TARGET_REPEATED_PER_S });
    const mode = args.choice('profile');
    for (const alg of ALGORITHMS) {
      if (mode === 'always' || (mode === 'auto' && !outcome.perAlg[alg].pass.fresh)) printFreshProfile(await profileFresh(fixtures[alg], Math.max(1.5, args.seconds)));
    }
    printHeadline(outcome, { freshRatio: TARGET_FRESH_RATIO, repeatedPerSecond: TARGET_REPEATED_PER_S }, (alg) => fixtures[alg].signer.jwksFetches());
  } finally {
    for (const f of Object.values(fixtures)) await f.signer.close();
  }
}

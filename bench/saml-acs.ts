/**
 * bench/saml-acs — complete SAML ACS logins per second (the connector's validation, account
 * linking, groups, checks and session creation, as the ACS route runs them) vs. bare node-saml
 * `validatePostResponseAsync` on responses of the same shape, measured in the same run.
 * Target: ≥ 85 % of bare node-saml.
 *
 * Responses are signed before timing (signing is the IdP's cost, not ours). Each candidate
 * response answers its own AuthnRequest (InResponseTo is consumed once, assertion ids are
 * replay-cached), so every round gets fresh ones; bare node-saml, which keeps no such state,
 * validates the same responses with InResponseTo checking off.
 */
import { SAML } from '@node-saml/node-saml';
import { completeSsoLogin } from '../src/login/sso/complete-sso-login.js';
import { startHarness } from '../test/support/gateway-harness.js';
import { createTestIdp, IDP_SHAPES, loadKeyPair } from '../test/support/saml-idp.js';
import { parseBenchArgs, usage, type ArgSpec } from './support/args.js';
import { fmt, median, minMax, pct, printJsonLine, verdict } from './support/stats.js';

export const SUMMARY = 'complete SAML ACS logins/s (validation through session) vs bare node-saml validatePostResponseAsync.';
export const SPEC: ArgSpec = { rounds: 5, seconds: 2, secondsHelp: 'roughly the seconds per leg (responses per leg are sized from a warm-up)' };
const TARGET = 0.85;
const USERS = 50;

export async function run(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, SPEC);
  if (args.help) { console.log(usage('saml-acs', SUMMARY, SPEC)); return; }
  const sp = loadKeyPair('sp-signing');
  const seed = createTestIdp({ entityId: 'https://idp.bench.test' });
  const config = (mapping: Record<string, string>) => ({
    connectors: [{
      id: 'okta', type: 'saml' as const, displayName: 'Okta', default: true, preset: 'okta' as const,
      idp: { entityId: seed.entityId, ssoUrl: seed.ssoUrl, sloUrl: seed.sloUrl, certificates: [seed.certificatePem] },
      sp: { privateKeyFile: sp.privateKeyFile, certificateFile: sp.certificateFile }, attributes: mapping,
    }],
  });
  const users = Array.from({ length: USERS }, (_, i) => ({ id: `00u${i}`, email: `user${i}@example.com`, username: `user${i}`, firstName: 'Bench', lastName: `User ${i}`, groups: ['Engineering', `team-${i % 5}`] }));
  const h = await startHarness('embedded', { config: config(IDP_SHAPES.okta(users[0]!).mapping) });
  try {
    const ctx = h.gw.gateway.ctx;
    const connector = ctx.connectors.saml('okta');
    const acs = `${h.url}/auth/okta/saml/acs`;
    const entityId = `${h.url}/auth/okta/saml/metadata`;
    const idp = createTestIdp({ entityId: seed.entityId, sp: { entityId, acsUrl: acs } });
    const bare = new SAML({
      idpCert: [idp.certificatePem], issuer: entityId, audience: entityId, callbackUrl: acs, entryPoint: idp.ssoUrl,
      wantAssertionsSigned: true, wantAuthnResponseSigned: false, validateInResponseTo: 'never' as never, acceptedClockSkewMs: 60_000,
    });
    const mint = async (n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i += 1) {
        const { requestId } = await connector.startLogin('bench');
        const shape = IDP_SHAPES.okta(users[i % USERS]!);
        out.push(idp.response({ inResponseTo: requestId, nameId: shape.nameId, nameIdFormat: shape.nameIdFormat, attributes: shape.attributes }));
      }
      return out;
    };
    const candidate = async (r: string) => {
      const result = await connector.finishLogin(r);
      const { userId, amr } = await completeSsoLogin(ctx, result.identity, { trustEmail: connector.trustEmail, allowSignup: connector.allowSignup }, '127.0.0.1');
      await ctx.sessions.create({ userId, amr, sso: { connectorId: connector.id, ...result.session } });
    };
    const baseline = async (r: string) => { await bare.validatePostResponseAsync({ SAMLResponse: r }); };
    const validateOnly = async (r: string) => { await connector.finishLogin(r); };
    const timed = async (responses: string[], fn: (r: string) => Promise<void>) => {
      const t0 = performance.now();
      for (const r of responses) await fn(r);
      return responses.length / ((performance.now() - t0) / 1000);
    };
    // Warm-up: creates the users (first logins), JIT-compiles both paths, sizes the legs.
    const warm = await mint(USERS);
    await timed(warm, candidate);
    const warmRate = await timed(warm.slice(0, 20), baseline);
    const perLeg = Math.max(50, Math.round(warmRate * args.seconds));
    console.log(`saml-acs: ${USERS} users (linked after warm-up), Okta-shaped responses with the Assertion signed (RSA-SHA256), ${perLeg} responses per leg, ${args.rounds} rounds, order alternating`);
    const rates = { candidate: [] as number[], bare: [] as number[], validate: [] as number[] };
    for (let round = 0; round < args.rounds; round += 1) {
      const responses = await mint(perLeg);
      const legs: ['candidate' | 'bare', (r: string) => Promise<void>][] = [['bare', baseline], ['candidate', candidate]];
      for (const [name, fn] of round % 2 ? legs.reverse() : legs) rates[name].push(await timed(responses, fn));
      // The connector's validation alone (fresh responses: it consumes request ids), to show where time goes.
      rates.validate.push(await timed(await mint(Math.ceil(perLeg / 2)), validateOnly));
    }
    const c = median(rates.candidate);
    const b = median(rates.bare);
    const [cLo, cHi] = minMax(rates.candidate);
    const [bLo, bHi] = minMax(rates.bare);
    console.log(`  bare node-saml validatePostResponseAsync   ${fmt(b)} /s  (rounds ${fmt(bLo)}–${fmt(bHi)})`);
    console.log(`  complete ACS login (validate → session)    ${fmt(c)} /s  (rounds ${fmt(cLo)}–${fmt(cHi)})`);
    const v = median(rates.validate);
    console.log(`  of which the connector's validation alone  ${fmt(v)} /s  (${fmt(1000 / v, 2)} ms; linking, groups, audit and session add ${fmt(1000 / c - 1000 / v, 2)} ms)`);
    console.log(`\n== headline — target: complete ACS logins ≥ ${pct(TARGET)} of bare node-saml`);
    console.log(`  ${fmt(c)} /s ÷ ${fmt(b)} /s = ${pct(c / b)}  ${verdict(c / b >= TARGET)}`);
    printJsonLine({ bench: 'saml-acs', pass: c / b >= TARGET, target: { ratio: TARGET }, candidate_per_s: Math.round(c), bare_per_s: Math.round(b), validate_only_per_s: Math.round(median(rates.validate)), ratio: Math.round((c / b) * 1000) / 1000 });
  } finally {
    await h.close();
  }
}

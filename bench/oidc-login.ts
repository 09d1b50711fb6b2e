/**
 * bench/oidc-login — complete OpenID Connect logins per second through the gateway (start →
 * the provider's login → callback: state, code exchange, ID token checks, userinfo, linking,
 * session) vs. a bare openid-client relying party doing the same flow, against the same local
 * oidc-provider in the same run. The bare RP is a minimal web app on node:http — `/start` redirects
 * with PKCE, state and nonce kept in a Map, `/cb` runs authorizationCodeGrant + userinfo and sets a
 * session cookie — so both legs make the same HTTP hops and differ only in what the gateway adds
 * (shared-store state, ID token checks, account linking, groups, audit, session). Both request the
 * groups scope; the bare RP always calls userinfo, while the gateway (fetchUserinfo: auto, its
 * default) skips it when the ID token already carries every mapped claim. Target: ≥ 80 %.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { apiClient, freePort, startHarness } from '../test/support/gateway-harness.js';
import { loginFlow, startTestOidcProvider } from '../test/support/oidc-provider.js';
import { parseBenchArgs, usage, type ArgSpec } from './support/args.js';
import { fmt, median, minMax, pct, printJsonLine, verdict } from './support/stats.js';

export const SUMMARY = 'complete OIDC logins/s through the gateway vs a bare openid-client relying party, same local provider.';
export const SPEC: ArgSpec = { rounds: 5, seconds: 3, secondsHelp: 'seconds per leg' };
const TARGET = 0.8;
const SECRET = 'bench-secret-not-real';

export async function run(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, SPEC);
  if (args.help) { console.log(usage('oidc-login', SUMMARY, SPEC)); return; }
  const port = await freePort();
  const site = `http://127.0.0.1:${port}`;
  const barePort = await freePort();
  const bareSite = `http://127.0.0.1:${barePort}`;
  const accounts = Array.from({ length: 20 }, (_, i) => ({ sub: `user-${i}`, email: `user${i}@example.com`, email_verified: true, preferred_username: `user${i}`, groups: ['eng'] }));
  const op = await startTestOidcProvider({
    clients: [
      { client_id: 'gatehouse', client_secret: SECRET, redirect_uris: [`${site}/auth/corp/callback`] },
      { client_id: 'bare', client_secret: SECRET, redirect_uris: [`${bareSite}/cb`] },
    ],
    accounts,
  });
  const h = await startHarness('embedded', {
    port,
    config: { connectors: [{ id: 'corp', type: 'oidc', displayName: 'Corp', issuer: op.url, clientId: 'gatehouse', clientSecret: SECRET, allowInsecureHttp: true, scopes: ['openid', 'email', 'profile', 'groups'] }] },
  });
  const config = await client.discovery(new URL(op.url), 'bare', SECRET, undefined, { execute: [client.allowInsecureRequests] });
  const rp = await startBareRp(config, bareSite, barePort);
  try {
    let n = 0;
    const gateway = async () => {
      const c = apiClient(h.url);
      const started = await c.request('GET', '/auth/corp/start', { useCookies: true });
      const cb = await loginFlow(started.headers.get('location')!, { accountId: accounts[n++ % accounts.length]!.sub });
      const done = await c.request('GET', cb.url.slice(h.url.length), { useCookies: true });
      if (done.status !== 303) throw new Error(`gateway login failed: ${done.status} ${done.text.slice(0, 200)}`);
    };
    const bare = async () => {
      const c = apiClient(bareSite);
      const started = await c.request('GET', '/start');
      const cb = await loginFlow(started.headers.get('location')!, { accountId: accounts[n++ % accounts.length]!.sub });
      const done = await c.request('GET', cb.url.slice(bareSite.length));
      if (done.status !== 303) throw new Error(`bare RP login failed: ${done.status} ${done.text}`);
    };
    const timed = async (fn: () => Promise<void>) => {
      const deadline = performance.now() + args.seconds * 1000;
      let count = 0;
      const t0 = performance.now();
      while (performance.now() < deadline && count < 100_000) { await fn(); count += 1; }
      return count / ((performance.now() - t0) / 1000);
    };
    await timed(gateway);
    await timed(bare);
    console.log(`oidc-login: local oidc-provider (devInteractions login + consent driven over HTTP), ${accounts.length} users, ${args.rounds} rounds × ${args.seconds} s per leg, order alternating`);
    const rates = { gateway: [] as number[], bare: [] as number[] };
    for (let round = 0; round < args.rounds; round += 1) {
      const legs: ['gateway' | 'bare', () => Promise<void>][] = [['bare', bare], ['gateway', gateway]];
      for (const [name, fn] of round % 2 ? legs.reverse() : legs) rates[name].push(await timed(fn));
    }
    const g = median(rates.gateway);
    const b = median(rates.bare);
    console.log(`  bare openid-client relying party   ${fmt(b, 1)} logins/s  (rounds ${minMax(rates.bare).map((x) => fmt(x, 1)).join('–')})`);
    console.log(`  through the gateway                ${fmt(g, 1)} logins/s  (rounds ${minMax(rates.gateway).map((x) => fmt(x, 1)).join('–')})`);
    console.log(`\n== headline — target: gateway logins ≥ ${pct(TARGET)} of the bare client`);
    console.log(`  ${fmt(g, 1)} ÷ ${fmt(b, 1)} = ${pct(g / b)}  ${verdict(g / b >= TARGET)}`);
    printJsonLine({ bench: 'oidc-login', pass: g / b >= TARGET, target: { ratio: TARGET }, gateway_per_s: Math.round(g * 10) / 10, bare_per_s: Math.round(b * 10) / 10, ratio: Math.round((g / b) * 1000) / 1000 });
  } finally {
    await new Promise((r) => rp.close(r));
    await h.close();
    await op.close();
  }
}

/** The baseline relying party: what a minimal openid-client web app does per login, nothing more. */
async function startBareRp(config: client.Configuration, site: string, port: number): Promise<http.Server> {
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const sessions = new Map<string, string>();
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', site);
      if (url.pathname === '/start') {
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        pending.set(state, { verifier, nonce });
        const to = client.buildAuthorizationUrl(config, { redirect_uri: `${site}/cb`, scope: 'openid email profile groups', state, nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
        res.writeHead(302, { location: to.href }).end();
        return;
      }
      const state = url.searchParams.get('state') ?? '';
      const login = pending.get(state);
      pending.delete(state);
      if (!login) { res.writeHead(400).end('unknown state'); return; }
      const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: login.verifier, expectedState: state, expectedNonce: login.nonce });
      const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      const sid = randomBytes(32).toString('base64url');
      sessions.set(sid, info.sub);
      res.writeHead(303, { location: '/', 'set-cookie': `sid=${sid}; HttpOnly; SameSite=Lax; Path=/` }).end();
    })().catch((err: Error) => { res.writeHead(500).end(err.message); });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

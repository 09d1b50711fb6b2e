/**
 * `npm run bench -- <name> [options]`: runs bench/<name>.ts. Each bench prints a short report
 * ending with its headline figures, their ratio to a baseline measured in the same run, the
 * target and PASS/MISS, then one JSON line for machines.
 */
import { BenchArgError } from './support/args.js';

interface Bench { run(argv: string[]): Promise<void> }

const BENCHES: Record<string, () => Promise<Bench>> = {
  proxy: () => import('./proxy.js'),
  authz: () => import('./authz.js'),
  assertion: () => import('./assertion.js'),
  'saml-acs': () => import('./saml-acs.js'),
  'oidc-login': () => import('./oidc-login.js'),
  'ldap-sync': () => import('./ldap-sync.js'),
  'ws-fanout': () => import('./ws-fanout.js'),
};

const DESCRIPTIONS: Record<string, string> = {
  proxy: 'req/s and p50/p99 through the gateway vs straight to chat-core (target ≥ 80 %, +p99 ≤ 2 ms)',
  authz: 'decide() per decision at 10 and 10,000 teams, 100,000 users in SQL (target p99 ≤ 50 µs, flat)',
  assertion: 'chat-core assertion verification, repeated and fresh tokens vs bare jose; EdDSA vs ES256',
  'saml-acs': 'complete SAML ACS logins/s (validation through session) vs bare node-saml (target ≥ 85 %)',
  'oidc-login': 'complete OIDC logins/s through the gateway vs a bare openid-client RP (target ≥ 80 %)',
  'ldap-sync': 'full + no-change sync of 10,000 LDAP users / 500 groups vs a bare ldapts read (≤ 30 s, ≤ 3 s, ≤ 300 MB)',
  'ws-fanout': '5,000 websockets, 100 posts/s into channels of 50: post→receive p99 through the gateway vs direct (≤ 100 ms, ≤ 50 KB/conn, ≤ 1.5×)',
};

function list(): string {
  const names = Object.keys(BENCHES).map((n) => `  ${n.padEnd(10)} ${DESCRIPTIONS[n]}`);
  return ['usage: npm run bench -- <name> [--rounds N] [--seconds S] [--help]', '', 'benches:', ...names, '', '`npm run bench -- <name> --help` lists a bench\'s options.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') { console.log(list()); return 0; }
  const load = Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (!load) { console.error(`unknown bench "${name}"\n\n${list()}`); return 2; }
  try {
    await (await load()).run(rest);
    return 0;
  } catch (err) {
    if (err instanceof BenchArgError) { console.error(`${name}: ${err.message} (see --help)`); return 2; }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));

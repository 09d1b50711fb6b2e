/**
 * `npm run demo`: Gatehouse on its embedded defaults with a demo OpenID provider already connected
 * (panva's oidc-provider on loopback, with its development login pages), so a fresh clone can click
 * "Sign in with Demo SSO" on http://127.0.0.1:8065/login. Demo users: alice (groups engineering,
 * chat-admins) and bob (sales); any password. Their groups are linked to the teams Engineering and
 * Sales, so each lands in the right team at first sign-in. Not for production: the provider's interactions and
 * the client secret are for this demo only. Stop with Ctrl-C.
 */
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/http/logger.js';
import { startGateway } from '../src/server.js';
import { startChat } from '../src/cli/chat-launcher.js';
import { startTestOidcProvider } from '../test/support/oidc-provider.js';
import type { GatewayContext } from '../src/context.js';
import { createGroupRepository } from '../src/directory/groups.js';
import { createGroupSyncables } from '../src/directory/group-syncables.js';

/**
 * Two teams, each linked to a demo group (Mattermost's group sync): engineering members land in
 * Engineering, chat-admins are its team admins, sales members land in Sales — at their first sign-in.
 * Idempotent, since the data directory outlives a run.
 */
async function seedTeams(ctx: GatewayContext): Promise<void> {
  const groups = createGroupRepository(ctx.db, ctx.now);
  const links = createGroupSyncables(ctx.db, ctx.now);
  const team = async (name: string, displayName: string) => (await ctx.teams.getByName(name)) ?? ctx.teams.create({ name, displayName, type: 'I' }, null);
  const engineering = await team('engineering', 'Engineering');
  const sales = await team('sales', 'Sales');
  await links.linkTeam(await groups.ensure('demo', 'engineering'), engineering.id, { autoAdd: true, schemeAdmin: false });
  await links.linkTeam(await groups.ensure('demo', 'chat-admins'), engineering.id, { autoAdd: true, schemeAdmin: true });
  await links.linkTeam(await groups.ensure('demo', 'sales'), sales.id, { autoAdd: true, schemeAdmin: false });
}

const PORT = Number(process.env.GATEHOUSE_PORT ?? 8065);
const site = `http://127.0.0.1:${PORT}`;

async function main(): Promise<void> {
  const provider = await startTestOidcProvider({
    clients: [{ client_id: 'gatehouse-demo', client_secret: 'demo-only-secret', redirect_uris: [`${site}/auth/demo/callback`], post_logout_redirect_uris: [`${site}/login`] }],
    accounts: [
      { sub: 'alice', email: 'alice@demo.test', email_verified: true, given_name: 'Alice', family_name: 'Demo', preferred_username: 'alice', groups: ['engineering', 'chat-admins'] },
      { sub: 'bob', email: 'bob@demo.test', email_verified: true, given_name: 'Bob', family_name: 'Demo', preferred_username: 'bob', groups: ['sales'] },
    ],
  });
  const config = loadConfig({
    overrides: {
      dataDir: process.env.GATEHOUSE_DATA_DIR ?? join('data', 'demo'),
      listen: { host: '127.0.0.1', port: PORT },
      connectors: [{
        id: 'demo', type: 'oidc', displayName: 'Sign in with Demo SSO', buttonColor: '#2e7d32', issuer: provider.url,
        clientId: 'gatehouse-demo', clientSecret: 'demo-only-secret', allowInsecureHttp: true,
        scopes: ['openid', 'email', 'profile', 'groups'], adminClaim: 'groups=chat-admins',
      }],
    },
  });
  const logger = createLogger({ level: config.logging.level });
  const chat = await startChat(config, logger);
  const gateway = await startGateway(config, logger);
  await seedTeams(gateway.gateway.ctx);
  process.stdout.write(`\nGatehouse demo is up: open ${site}/login and choose "Sign in with Demo SSO".\n`
    + `Demo users: alice (engineering, chat-admins → system admin, lands in team Engineering as its admin)\n`
    + `or bob (sales → team Sales); any password.\n`
    + `${gateway.bootstrap.kind === 'setup-link' ? `First local admin: ${gateway.bootstrap.url}\n` : ''}Stop with Ctrl-C.\n\n`);
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await gateway.close();
  await chat.close();
  await provider.close();
}

main().catch((err: Error) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  process.exitCode = 1;
});

/** `gatehouse user create | list | deactivate | reset-mfa`. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { checkPasswordPolicy } from '../login/password-policy.js';
import { hashPassword } from '../login/passwords.js';
import { deactivateUser } from '../directory/user-routes.js';
import { deactivate as deactivateMfa } from '../mfa/enrolment.js';
import { COMMAND_HELP } from './help.js';
import { withOfflineGateway } from './offline-gateway.js';
import type { CliIo } from './run.js';

type Flags = { email?: string; username?: string; password?: string; admin?: boolean; guest?: boolean; page?: string; 'per-page'?: string };

export async function runUser(rest: string[], flags: Flags, config: Config, logger: Logger, io: CliIo): Promise<number> {
  const [sub, target] = rest;
  if (sub === 'create' && (!flags.email || !flags.username || !flags.password || (flags.admin && flags.guest))) {
    io.err(`user create needs --email, --username and --password (and at most one of --admin, --guest)\n\n${COMMAND_HELP.user}`);
    return 2;
  }
  if ((sub === 'deactivate' || sub === 'reset-mfa') && !target) { io.err(`user ${sub} needs a username or email\n\n${COMMAND_HELP.user}`); return 2; }
  if (!['create', 'list', 'deactivate', 'reset-mfa'].includes(sub ?? '')) { io.err(COMMAND_HELP.user!); return 2; }
  try {
    return await withOfflineGateway(config, logger, async ({ ctx }) => {
      if (sub === 'create') {
        const password = checkPasswordPolicy(flags.password, config.passwordPolicy, { username: flags.username!, email: flags.email! });
        const roles = flags.admin ? ['system_admin', 'system_user'] : flags.guest ? ['system_guest'] : ['system_user'];
        const user = await ctx.users.create({ email: flags.email!, username: flags.username!, roles, passwordHash: await hashPassword(password) });
        await ctx.audit.record('user.created', { subjectId: user.id, details: { source: 'cli' } });
        io.out(`created ${user.username} (${user.id}) with roles "${user.roles}"\n`);
        return 0;
      }
      if (sub === 'list') {
        const rows = await ctx.users.list(Number(flags.page ?? 0), Math.min(Number(flags['per-page'] ?? 100), 1000));
        io.out(`${'USERNAME'.padEnd(24)} ${'EMAIL'.padEnd(32)} ${'ROLES'.padEnd(26)} STATUS\n`);
        for (const u of rows) io.out(`${u.username.padEnd(24)} ${u.email.padEnd(32)} ${u.roles.padEnd(26)} ${u.delete_at ? 'deactivated' : 'active'}\n`);
        return 0;
      }
      const user = await ctx.users.findByLoginId(target!);
      if (!user) { io.err(`no user "${target}"\n`); return 1; }
      if (sub === 'reset-mfa') {
        // An administrator's reset: the secret and recovery codes are gone; the user enrols again (at once, where MFA is required).
        await deactivateMfa(ctx, user, { actorId: '', byAdmin: true, ip: '' });
        io.out(`reset two-factor authentication of ${user.username}; they sign in with their password and enrol again\n`);
        return 0;
      }
      await deactivateUser(ctx, user.id, '');
      io.out(`deactivated ${user.username}; their sessions are revoked\n`);
      if (!config.redis.url) io.out('note: with the in-memory store a separately running server drops its cached access within 5 minutes; use DELETE /api/v4/users/{id} for an immediate effect\n');
      return 0;
    });
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    io.err(`${err.publicMessage}\n`);
    return 1;
  }
}

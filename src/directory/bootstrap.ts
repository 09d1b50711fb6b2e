/** First start: create the configured admin, or print a one-time setup link when there is none. */
import type { GatewayContext } from '../context.js';
import { checkPasswordPolicy } from '../login/password-policy.js';
import { hashPassword } from '../login/passwords.js';
import { createSetupLink } from '../views/setup-page.js';
import { isUniqueViolation } from '../store/sql/connect.js';
import { ConfigError } from '../config/load.js';
import { isGatewayError } from '../errors/gateway-error.js';

export type BootstrapResult = { kind: 'exists' } | { kind: 'created'; userId: string } | { kind: 'setup-link'; url: string };

export async function bootstrapFirstAdmin(ctx: GatewayContext): Promise<BootstrapResult> {
  if ((await ctx.users.countAdmins()) > 0) return { kind: 'exists' };
  const { email, password, username } = ctx.config.admin;
  if (email && password) {
    try {
      checkPasswordPolicy(password, ctx.config.passwordPolicy, { email, username });
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      throw new ConfigError([{ key: 'admin.password (GATEHOUSE_ADMIN_PASSWORD)', message: err.publicMessage, fix: 'choose a password that meets passwordPolicy, or relax passwordPolicy' }]);
    }
    try {
      const user = await ctx.users.create({ email, username, roles: ['system_admin', 'system_user'], passwordHash: await hashPassword(password) });
      await ctx.audit.record('user.created', { subjectId: user.id, details: { source: 'GATEHOUSE_ADMIN_EMAIL' } });
      return { kind: 'created', userId: user.id };
    } catch (err) {
      // Another node created it first (cluster start).
      if (isUniqueViolation(err) || (err as { code?: string }).code === 'USER_EXISTS') return { kind: 'exists' };
      throw err;
    }
  }
  return { kind: 'setup-link', url: await createSetupLink(ctx) };
}

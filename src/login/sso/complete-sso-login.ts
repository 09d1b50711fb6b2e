/**
 * After a connector's `finish`: link → provision → groups → checks. Returns who signs in; the
 * route then starts the session (rotating any session the browser had) and redirects.
 */
import type { Identity } from '../../connectors/contract.js';
import type { GatewayContext } from '../../context.js';
import { createGroupRepository } from '../../directory/groups.js';
import { createIdentityRepository } from '../../directory/identities.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { reconcileUser } from '../../directory/group-sync.js';
import { linkIdentity } from './link-identity.js';
import { createFromIdentity, directoryDn, refreshFromIdentity, rolesFor } from './provision-user.js';

export interface SsoPolicy {
  trustEmail: boolean;
  allowSignup: boolean;
}

export async function completeSsoLogin(ctx: GatewayContext, identity: Identity, policy: SsoPolicy, ip: string): Promise<{ userId: string; amr: string[] }> {
  const identities = createIdentityRepository(ctx.db, ctx.now);
  const outcome = await linkIdentity(ctx, identities, identity, policy.trustEmail);
  // A bot never signs in (a link to one can only be a mistake): refused before anything is written.
  if (outcome.kind === 'linked' && outcome.user.is_bot === 1) {
    await ctx.audit.record('login.failed', { subjectId: outcome.user.id, ip, details: { connector: identity.connectorId, reason: 'bot account' } });
    throw new GatewayError('AUTHN_INVALID_CREDENTIALS', { detail: `${identity.connectorId}/${identity.subject} is linked to bot ${outcome.user.id}` });
  }
  // Guest access off: an identity that maps to a guest (or a linked guest account) does not get in, and no guest is made.
  if (!ctx.config.guests.enabled) {
    const current = outcome.kind === 'linked' ? outcome.user.roles.split(' ') : [];
    if (rolesFor(identity, current).includes('system_guest')) {
      await ctx.audit.record('login.failed', { subjectId: outcome.kind === 'linked' ? outcome.user.id : '', ip, details: { connector: identity.connectorId, reason: 'guest access is off' } });
      throw new GatewayError('GUESTS_DISABLED', { detail: `${identity.connectorId}/${identity.subject} maps to a guest` });
    }
  }
  let user;
  if (outcome.kind === 'linked') {
    user = await refreshFromIdentity(ctx, outcome.user, identity);
    await identities.touch(identity.connectorId, identity.subject, identity.email, directoryDn(identity));
  } else {
    if (!policy.allowSignup) throw new GatewayError('AUTHN_SIGNUP_DISABLED', { detail: `no account for ${identity.connectorId}/${identity.subject} and sign-up is off` });
    user = await createFromIdentity(ctx, identities, identity);
  }
  await createGroupRepository(ctx.db, ctx.now).replaceForUser(user.id, identity.connectorId, identity.groups, identity.groupDetails);
  if (user.delete_at > 0) {
    await ctx.audit.record('login.failed', { subjectId: user.id, ip, details: { connector: identity.connectorId, reason: 'deactivated' } });
    throw new GatewayError('AUTHN_DEACTIVATED', { detail: `user ${user.id} is deactivated` });
  }
  // The groups just asserted put the user into (or out of) the teams and channels linked to them.
  await reconcileUser(ctx, user.id);
  await ctx.access.invalidate(user.id);
  ctx.metrics.loginAttempts.inc({ result: 'succeeded' });
  await ctx.audit.record('login.succeeded', { actorId: user.id, subjectId: user.id, ip, details: { connector: identity.connectorId, amr: identity.amr.join(' ') } });
  return { userId: user.id, amr: identity.amr };
}

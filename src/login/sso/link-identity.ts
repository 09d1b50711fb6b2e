/**
 * Step 1 of an SSO login: find the user this identity is linked to, by (connector, subject) only.
 * An unlinked identity whose e-mail belongs to an existing account is linked only when the
 * connector trusts verified e-mail and that account has no other link (DESIGN.md, login pipeline);
 * otherwise the login is refused with a message that says how to link.
 */
import type { Identity } from '../../connectors/contract.js';
import type { GatewayContext } from '../../context.js';
import type { IdentityRepository } from '../../directory/identities.js';
import type { UserRow } from '../../directory/users.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { directoryDn } from './provision-user.js';

export type LinkOutcome = { kind: 'linked'; user: UserRow } | { kind: 'new' };

export async function linkIdentity(ctx: GatewayContext, identities: IdentityRepository, identity: Identity, trustEmail: boolean): Promise<LinkOutcome> {
  const linked = await identities.findUser(identity.connectorId, identity.subject);
  if (linked) return { kind: 'linked', user: linked };
  const sameEmail = identity.email ? await ctx.users.findByEmail(identity.email) : undefined;
  if (!sameEmail) return { kind: 'new' };
  const otherLinks = await identities.listForUser(sameEmail.id);
  // A bot is never linked to a sign-in method, whatever e-mail an identity provider asserts.
  if (trustEmail && identity.emailVerified && otherLinks.length === 0 && sameEmail.is_bot !== 1) {
    await identities.link(identity.connectorId, identity.subject, sameEmail.id, identity.email, directoryDn(identity) ?? '');
    await ctx.audit.record('login.succeeded', { subjectId: sameEmail.id, details: { connector: identity.connectorId, linked_by: 'verified_email' } });
    return { kind: 'linked', user: sameEmail };
  }
  throw new GatewayError('AUTHN_ACCOUNT_EXISTS', {
    detail: `identity ${identity.connectorId}/${identity.subject} has the e-mail of user ${sameEmail.id}, who is not linked to it (trustEmail=${trustEmail}, verified=${identity.emailVerified}, other links=${otherLinks.length})`,
  });
}

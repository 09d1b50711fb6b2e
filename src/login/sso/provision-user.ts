/**
 * Step 2 of an SSO login: create the account just in time (when the connector allows it), or
 * refresh the profile fields the identity provider asserts. Roles follow the connector's admin and
 * guest mappings only where those are configured (`isAdmin` / `isGuest` defined).
 */
import type { Identity } from '../../connectors/contract.js';
import type { GatewayContext } from '../../context.js';
import type { IdentityRepository } from '../../directory/identities.js';
import { normalizeUsername, type UserRow } from '../../directory/users.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { isUniqueViolation } from '../../store/sql/connect.js';

const USERNAME_OK = /^[a-z][a-z0-9.\-_]{2,63}$/;

/** The DN a directory connector reports in `raw.dn` (kept on the identity link for incremental syncs). */
export function directoryDn(identity: Identity): string | undefined {
  return typeof identity.raw.dn === 'string' ? identity.raw.dn : undefined;
}

export function rolesFor(identity: Identity, current: string[]): string[] {
  let admin = current.includes('system_admin');
  let guest = current.includes('system_guest');
  if (identity.isAdmin !== undefined) admin = identity.isAdmin;
  if (identity.isGuest !== undefined) guest = identity.isGuest;
  // Both flags at once is a mapping mistake: the lesser privilege wins.
  if (guest) return ['system_guest'];
  return admin ? ['system_admin', 'system_user'] : ['system_user'];
}

/** A valid, free username from the identity (username, else e-mail local part), made unique predictably. */
export async function pickUsername(ctx: GatewayContext, identity: Identity): Promise<string> {
  return pickUsernameFrom(identity, (candidate) => ctx.users.usernameTaken(candidate));
}

/** The same, against any notion of "taken" (a bulk import checks a set it keeps). */
export async function pickUsernameFrom(identity: Identity, taken: (candidate: string) => boolean | Promise<boolean>): Promise<string> {
  // An IdP "username" may be a UPN or e-mail (Entra's name claim): keep its local part.
  const raw = (identity.username || identity.email).split('@')[0] || 'user';
  let base = normalizeUsername(raw).replace(/[^a-z0-9.\-_]/g, '-').replace(/^[^a-z]+/, '').slice(0, 56);
  if (base.length < 3) base = `user-${base}`.slice(0, 56);
  if (!USERNAME_OK.test(base)) base = 'user';
  for (let n = 1; n <= 100; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (USERNAME_OK.test(candidate) && !(await taken(candidate))) return candidate;
  }
  return `${base}-${Date.now().toString(36)}`;
}

export async function createFromIdentity(ctx: GatewayContext, identities: IdentityRepository, identity: Identity): Promise<UserRow> {
  const user = await ctx.users.create({
    username: await pickUsername(ctx, identity), email: identity.email, emailVerified: identity.emailVerified,
    firstName: identity.firstName?.slice(0, 64), lastName: identity.lastName?.slice(0, 64), nickname: identity.nickname?.slice(0, 64),
    roles: rolesFor(identity, []), passwordHash: null, authService: identity.connectorId,
  });
  try {
    await identities.link(identity.connectorId, identity.subject, user.id, identity.email, directoryDn(identity) ?? '');
  } catch (err) {
    // Two first logins racing: the other one linked first; this account must not survive half-made.
    await ctx.db.deleteFrom('users').where('id', '=', user.id).execute();
    if (isUniqueViolation(err)) throw new GatewayError('SAML_INVALID_RESPONSE', { detail: 'concurrent first login; retry', cause: err });
    throw err;
  }
  await ctx.audit.record('user.created', { subjectId: user.id, details: { source: identity.connectorId } });
  return user;
}

export async function refreshFromIdentity(ctx: GatewayContext, user: UserRow, identity: Identity): Promise<UserRow> {
  const wanted = {
    first_name: identity.firstName?.slice(0, 64), last_name: identity.lastName?.slice(0, 64),
    nickname: identity.nickname?.slice(0, 64), position: identity.position?.slice(0, 128),
    email: identity.email ? identity.email.toLowerCase() : undefined,
  };
  // Only what the IdP asserts and differs is written: most logins change nothing.
  const changed = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => v !== undefined && v !== user[k as keyof UserRow])) as Partial<UserRow>;
  let next: UserRow = user;
  if (Object.keys(changed).length > 0) {
    try {
      await ctx.users.updateProfile(user.id, changed);
      next = { ...user, ...changed };
    } catch (err) {
      // A new e-mail already used by another account: keep the old one rather than fail the login.
      if (!isGatewayError(err) || err.code !== 'USER_EXISTS') throw err;
      ctx.logger.warn({ user_id: user.id, connector: identity.connectorId }, 'identity e-mail belongs to another account; kept the old e-mail');
      const { email: _email, ...rest } = changed;
      if (Object.keys(rest).length > 0) await ctx.users.updateProfile(user.id, rest);
      next = { ...user, ...rest };
    }
  }
  const roles = rolesFor(identity, user.roles.split(' '));
  if (roles.join(' ') !== user.roles) {
    await ctx.users.setRoles(user.id, roles);
    await ctx.audit.record('user.roles_changed', { subjectId: user.id, details: { roles: roles.join(' '), source: identity.connectorId } });
    next = { ...next, roles: roles.join(' ') };
  }
  return next;
}

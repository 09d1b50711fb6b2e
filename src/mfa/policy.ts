/**
 * Who needs a second factor, and whether the IdP's own MFA counts. Evaluated once per sign-in,
 * after the first factor: an enrolled user always gives a code (unless `mode` is `off`); with
 * `required`, a user chosen by `requiredFor` who has not enrolled must enrol before anything else.
 */
import type { GatewayContext } from '../context.js';
import type { UserRow } from '../directory/users.js';
import { createMfaRepository } from './mfa-repository.js';

export type SecondFactor =
  /** Nothing more to ask. */
  | { kind: 'none'; reason: 'mfa_off' | 'not_required' | 'idp_mfa' }
  /** An enrolled user: a TOTP or recovery code is needed before the session exists. */
  | { kind: 'verify' }
  /** Required but not enrolled: the session may only enrol. */
  | { kind: 'enrol' };

/** RFC 8176 methods that are a factor of their own; two of them (or `mfa`) prove multi-factor. */
const FACTORS = new Set(['otp', 'hwk', 'swk', 'sc', 'fpt', 'face', 'iris', 'retina', 'vbm', 'pin', 'pwd', 'sms', 'tel', 'kba', 'pop', 'user']);

/** Does the IdP's `amr` (OIDC `amr`; SAML AuthnContextClassRef mapped to `mfa`) prove more than one factor? */
export function amrProvesMfa(amr: readonly string[]): boolean {
  if (amr.includes('mfa')) return true;
  return new Set(amr.filter((m) => FACTORS.has(m))).size >= 2;
}

export async function isMfaRequired(ctx: GatewayContext, user: UserRow, connectorId: string): Promise<boolean> {
  const { mode, requiredFor: r } = ctx.config.mfa;
  if (mode !== 'required') return false;
  const roles = user.roles.split(' ');
  if (r.everyone) return true;
  if (r.admins && roles.includes('system_admin')) return true;
  if (r.guests && roles.includes('system_guest')) return true;
  if (r.connectors.includes(connectorId)) return true;
  if (r.groups.length === 0) return false;
  const rows = await ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.source', 'groups.external_id', 'groups.dn']).where('group_members.user_id', '=', user.id).where('groups.delete_at', '=', 0).execute();
  const refs = new Set(rows.flatMap((g) => [`${g.source}:${g.external_id}`.toLowerCase(), ...(g.dn ? [`${g.source}:${g.dn}`.toLowerCase()] : [])]));
  return r.groups.some((g) => refs.has(g.toLowerCase()));
}

/**
 * After the first factor. `idpMfa`: the connector is configured to trust the IdP's MFA
 * (`trustIdpMfa`) and this response proves it.
 */
export async function secondFactorFor(ctx: GatewayContext, userId: string, opts: { connectorId: string; idpMfa: boolean }): Promise<SecondFactor> {
  if (ctx.config.mfa.mode === 'off') return { kind: 'none', reason: 'mfa_off' };
  if (opts.idpMfa) return { kind: 'none', reason: 'idp_mfa' };
  if (await createMfaRepository(ctx.db, ctx.sealer, ctx.now).isActive(userId)) return { kind: 'verify' };
  const user = await ctx.users.require(userId);
  return (await isMfaRequired(ctx, user, opts.connectorId)) ? { kind: 'enrol' } : { kind: 'none', reason: 'not_required' };
}

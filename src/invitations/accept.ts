/**
 * Accepting a guest invitation, shared by the password form and SSO sign-in: the memberships a
 * guest gets (team_guest in the team, guest member of each invited channel through chat-core), and
 * the SSO path — the accept page sets a short-lived handle (HttpOnly cookie → ephemeral store) naming
 * the invitation and the connector; the SSO callback then requires the identity's e-mail to be the
 * invited address (and verified), makes a new account a guest, and uses the invitation up.
 */
import type { Request, Response } from 'express';
import type { Identity } from '../connectors/contract.js';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../errors/gateway-error.js';
import { getCookie, serializeCookie } from '../http/cookies.js';
import { newSecret } from '../http/ids.js';
import { userUpserted } from '../directory/chat-provisioner.js';
import { hashToken } from '../sessions/session-store.js';
import { createIdentityRepository } from '../directory/identities.js';
import { createInvitationRepository, type InvitationRow } from './invitations.js';

const COOKIE = 'gh_guest_accept';
const TTL_MS = 10 * 60_000;
const key = (handle: string) => `guest-accept:${hashToken(handle)}`;

/** Team and channel memberships of the accepting account, then chat-core's mirror and channel memberships. */
export async function provisionInvitation(ctx: GatewayContext, userId: string, inv: InvitationRow): Promise<void> {
  const user = await ctx.users.require(userId);
  const guest = user.roles.split(' ').includes('system_guest');
  if (!(await ctx.teams.getMember(inv.team_id, userId))) await ctx.teams.addMember(inv.team_id, userId, [guest ? 'team_guest' : 'team_user']);
  await ctx.access.invalidate(userId);
  const channelIds = JSON.parse(inv.channel_ids) as string[];
  const pushed = await ctx.chat.push([
    userUpserted(user, guest),
    ...channelIds.map((channel_id) => ({ type: 'channel.member_added' as const, channel_id, user_id: userId })),
  ]);
  if (!pushed) ctx.logger.warn({ user_id: userId, invitation_id: inv.id }, 'invitation accepted but chat-core did not take the channel memberships; add them by hand or invite again');
}

/** From the accept page: remember which invitation the coming SSO sign-in is for. */
export async function beginSsoAcceptance(ctx: GatewayContext, res: Response, inv: InvitationRow, connectorId: string): Promise<void> {
  const handle = newSecret();
  await ctx.store.set(key(handle), JSON.stringify({ invitationId: inv.id, connectorId }), TTL_MS);
  res.append('Set-Cookie', serializeCookie(COOKIE, handle, { httpOnly: true, secure: ctx.config.siteUrl.startsWith('https://'), sameSite: 'Lax', maxAgeSeconds: TTL_MS / 1000 }));
}

export interface SsoAcceptance {
  invitation: InvitationRow;
  /** The identity to sign in with: a new account is created as a guest. */
  identity: Identity;
  /** Whether an account already answers to this identity or its address (it keeps its roles). */
  existing: boolean;
}

/**
 * In an SSO callback: the invitation this browser is accepting through `connectorId`, if any. The
 * identity must carry the invited address, verified; otherwise nothing is created and the person
 * reads why.
 */
export async function ssoAcceptanceFor(ctx: GatewayContext, req: Request, connectorId: string, identity: Identity): Promise<SsoAcceptance | undefined> {
  const handle = getCookie(req, COOKIE);
  if (!handle || handle.length > 128 || !ctx.config.guests.enabled) return undefined;
  const raw = await ctx.store.get(key(handle));
  if (!raw) return undefined;
  const { invitationId, connectorId: expected } = JSON.parse(raw) as { invitationId: string; connectorId: string };
  if (expected !== connectorId) return undefined;
  const inv = await ctx.db.selectFrom('invitations').selectAll().where('id', '=', invitationId).where('used_at', '=', 0)
    .where('revoked_at', '=', 0).where('expires_at', '>', ctx.now()).executeTakeFirst();
  if (!inv) throw new GatewayError('INVITE_NOT_FOUND');
  if (!identity.emailVerified || identity.email.toLowerCase() !== inv.email) {
    throw new GatewayError('INVITE_INVALID', { message: `This invitation is for ${inv.email}; sign in with that account (its e-mail must be verified at the identity provider).`, detail: `identity e-mail ${identity.email || '(none)'} does not match the invitation` });
  }
  const linked = await createIdentityRepository(ctx.db, ctx.now).findUser(identity.connectorId, identity.subject);
  const sameEmail = linked ? undefined : await ctx.users.findByEmail(inv.email);
  const existing = Boolean(linked ?? sameEmail);
  return { invitation: inv, existing, identity: existing ? identity : { ...identity, isGuest: true } };
}

/** After the SSO login made or found the account: use the invitation up and add the memberships. */
export async function completeSsoAcceptance(ctx: GatewayContext, req: Request, res: Response, acceptance: SsoAcceptance, userId: string): Promise<void> {
  const handle = getCookie(req, COOKIE);
  if (handle) await ctx.store.delete(key(handle));
  res.append('Set-Cookie', serializeCookie(COOKIE, '', { httpOnly: true, secure: ctx.config.siteUrl.startsWith('https://'), sameSite: 'Lax', maxAgeSeconds: 0 }));
  if (!(await createInvitationRepository(ctx.db, ctx.now).consume(acceptance.invitation.id, userId))) throw new GatewayError('INVITE_NOT_FOUND');
  await provisionInvitation(ctx, userId, acceptance.invitation);
  await ctx.audit.record('invitation.accepted', { actorId: userId, subjectId: acceptance.invitation.id, details: { via: acceptance.identity.connectorId, existing_account: acceptance.existing } });
}

/**
 * Guest invitations, Mattermost's API: `POST /teams/{team_id}/invite-guests/email` `{emails,
 * channels, message}` (`?graceful=true` answers per address), `GET /teams/{team_id}/invitations`
 * (pending), `DELETE /invitations/{id}`, and `DELETE /teams/invites/email` (invalidate all). The
 * answer never says whether an address already has an account.
 */
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { ERRORS } from '../errors/catalogue.js';
import { body } from '../http/params.js';
import { isId } from '../http/ids.js';
import { displayName } from '../directory/users.js';
import { guestInvitationMessage } from '../mail/templates.js';
import { domainAllowed, parseEmailAddress } from './email-address.js';
import { createInvitationRepository, toInvitationJson } from './invitations.js';

const MAX_EMAILS = 50;
const MAX_CHANNELS = 50;

interface AddressResult { email: string; error: { id: string; message: string } | null }

export function inviteRoutes(ctx: GatewayContext): RouteSpec[] {
  const invitations = createInvitationRepository(ctx.db, ctx.now);
  const requireEnabled = () => { if (!ctx.config.guests.enabled) throw new GatewayError('GUESTS_DISABLED'); };
  return [
    {
      method: 'post', path: '/api/v4/teams/:team_id/invite-guests/email', access: { kind: 'team', permission: 'invite_guest', param: 'team_id' },
      async handler(req, res) {
        requireEnabled();
        const team = await ctx.teams.get(String(req.params.team_id));
        if (!team) throw new GatewayError('TEAM_NOT_FOUND');
        const b = body(req);
        const graceful = req.query.graceful === 'true';
        const strings = (v: unknown, field: string, max: number): string[] => {
          if (!Array.isArray(v) || v.length === 0 || v.length > max || v.some((x) => typeof x !== 'string')) {
            throw new GatewayError('INVITE_INVALID', { message: `${field} must be a list of 1–${max} strings.`, publicDetail: field });
          }
          return [...new Set(v as string[])];
        };
        const emails = strings(b.emails, 'emails', MAX_EMAILS);
        const channelIds = strings(b.channels, 'channels', MAX_CHANNELS);
        if (b.message !== undefined && (typeof b.message !== 'string' || b.message.length > 500)) {
          throw new GatewayError('INVITE_INVALID', { message: 'message must be a string of at most 500 characters.', publicDetail: 'message' });
        }
        // Every channel must be a live channel of this team (chat-core owns channels).
        const channels = [];
        for (const id of channelIds) {
          const c = isId(id) ? await ctx.chat.getChannel(id) : undefined;
          if (!c || c.team_id !== team.id) throw new GatewayError('INVITE_CHANNEL_INVALID', { message: `Channel ${id} is not a live channel of team ${team.name}.`, publicDetail: id });
          channels.push(c);
        }
        const results: AddressResult[] = [];
        const valid: { input: string; address: string }[] = [];
        for (const input of emails) {
          const parsed = parseEmailAddress(input);
          if ('error' in parsed) { results.push({ email: input, error: { id: ERRORS.INVITE_INVALID.id, message: parsed.error } }); continue; }
          if (!domainAllowed(parsed.domain, ctx.config.guests.allowedDomains)) {
            results.push({ email: input, error: { id: 'api.team.invite_guests.domain_not_allowed.app_error', message: `Guests may be invited only from ${ctx.config.guests.allowedDomains.join(', ')}.` } });
            continue;
          }
          valid.push({ input, address: parsed.address });
        }
        if (!graceful && results.length > 0) {
          throw new GatewayError('INVITE_INVALID', { message: `Nothing was sent: ${results.map((r) => `${r.email}: ${r.error!.message}`).join(' ')}` });
        }
        const inviter = await ctx.users.require(req.principal!.userId);
        const ttlMs = ctx.config.guests.invitationHours * 3_600_000;
        let failed = 0;
        for (const v of valid) {
          const { row, token } = await invitations.create({ email: v.address, teamId: team.id, channelIds: channels.map((c) => c.id), invitedBy: inviter.id, ttlMs });
          const message = guestInvitationMessage({
            siteName: 'Gatehouse', siteUrl: ctx.config.siteUrl, inviterName: displayName(inviter), teamName: team.display_name,
            channelNames: channels.map((c) => c.display_name), acceptUrl: `${ctx.config.siteUrl}/signup/guest?token=${token}`,
            expiresAt: new Date(row.expires_at), ...(typeof b.message === 'string' && b.message ? { personalMessage: b.message } : {}),
          });
          try {
            await ctx.mailer.send({ to: v.address, ...message });
            await ctx.audit.record('invitation.created', { actorId: inviter.id, subjectId: row.id, details: { team_id: team.id, channels: channels.length } });
            results.push({ email: v.input, error: null });
          } catch (err) {
            // An invitation nobody received must not stay usable.
            await invitations.revoke(row.id);
            ctx.logger.warn({ invitation_id: row.id, err: (err as Error).message }, 'guest invitation e-mail not sent; invitation revoked');
            failed += 1;
            results.push({ email: v.input, error: { id: ERRORS.MAIL_UNAVAILABLE.id, message: ERRORS.MAIL_UNAVAILABLE.message } });
          }
        }
        if (!graceful) {
          if (failed > 0) throw new GatewayError('MAIL_UNAVAILABLE');
          sendJson(res, 200, { status: 'OK' });
          return;
        }
        sendJson(res, 200, results);
      },
    },
    {
      method: 'get', path: '/api/v4/teams/:team_id/invitations', access: { kind: 'team', permission: 'invite_guest', param: 'team_id' },
      async handler(req, res) { sendJson(res, 200, (await invitations.listPending(String(req.params.team_id))).map(toInvitationJson)); },
    },
    {
      method: 'delete', path: '/api/v4/invitations/:invitation_id', access: { kind: 'system', permission: 'manage_system' },
      async handler(req, res) {
        if (!(await invitations.revoke(String(req.params.invitation_id)))) throw new GatewayError('INVITE_NOT_FOUND');
        await ctx.audit.record('invitation.revoked', { actorId: req.principal!.userId, subjectId: String(req.params.invitation_id) });
        sendJson(res, 200, { status: 'OK' });
      },
    },
    {
      method: 'delete', path: '/api/v4/teams/invites/email', access: { kind: 'system', permission: 'manage_system' },
      async handler(req, res) {
        const n = await invitations.revokeAll();
        await ctx.audit.record('invitation.revoked', { actorId: req.principal!.userId, details: { all: true, count: n } });
        sendJson(res, 200, { status: 'OK', revoked: n });
      },
    },
  ];
}


/** Channel reads: by id, by name, a team's public channels, and the caller's own channels. */
import type { RequestHandler, Response } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { forbidden, notFound } from '../http/chat-error.js';
import { boolQuery, externalIdParam, idParam, pageQuery } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { channelStats, findChannelByName, listMemberChannels, listPublicChannels } from '../store/channels.js';
import { findMember, listMembershipsInTeam } from '../store/members.js';
import { accessFor, loadReadableChannel, requirePermission, requireRead, requireTeamRoles } from './access.js';
import { channelJson, memberJson } from './channel-json.js';

export function getChannelHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadReadableChannel(services, claimsOf(res), idParam(req, 'channel_id'));
    sendJson(res, 200, channelJson(access.channel));
  };
}

export function getChannelByNameHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const teamId = externalIdParam(req, 'team_id');
    requireTeamRoles(claims, teamId);
    const name = req.params.channel_name;
    const channel = typeof name === 'string' ? await findChannelByName(services.db, teamId, name) : undefined;
    if (!channel || (channel.delete_at > 0 && !boolQuery(req, 'include_deleted'))) {
      throw notFound('app.channel.get_by_name.missing.app_error', 'Channel does not exist.');
    }
    const access = accessFor(claims, channel, await findMember(services.db, channel.id, claims.sub));
    requireRead(services.authz, claims, access);
    sendJson(res, 200, channelJson(channel));
  };
}

export function listPublicChannelsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const teamId = externalIdParam(req, 'team_id');
    const teamRoles = requireTeamRoles(claims, teamId);
    if (claims.guest) throw forbidden('guests do not list public channels');
    requirePermission(services.authz, [...claims.roles, ...teamRoles], 'list_team_channels');
    const rows = await listPublicChannels(services.db, teamId, pageQuery(req));
    sendJson(res, 200, rows.map(channelJson));
  };
}

/** `{user_id}` may be `me` or the caller's own id: nobody lists another user's channels here. */
function requireSelf(req: Parameters<RequestHandler>[0], res: Response): { claims: AssertionClaims; teamId: string } {
  const claims = claimsOf(res);
  const userId = req.params.user_id;
  if (userId !== 'me' && userId !== claims.sub) throw forbidden('listing another user\'s channels');
  const teamId = externalIdParam(req, 'team_id');
  requireTeamRoles(claims, teamId);
  return { claims, teamId };
}

export function listMyChannelsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const { claims, teamId } = requireSelf(req, res);
    const rows = await listMemberChannels(services.db, [teamId], claims.sub, boolQuery(req, 'include_deleted'));
    sendJson(res, 200, rows.map(channelJson));
  };
}

/** GET /api/v4/users/{user_id}/channels — every channel of yours, in every team the assertion names. */
export function listAllMyChannelsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    if (req.params.user_id !== 'me' && req.params.user_id !== claims.sub) throw forbidden('listing another user\'s channels');
    const rows = await listMemberChannels(services.db, Object.keys(claims.teams), claims.sub, boolQuery(req, 'include_deleted'));
    sendJson(res, 200, rows.map(channelJson));
  };
}

/** GET /api/v4/channels/{channel_id}/stats. */
export function channelStatsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await loadReadableChannel(services, claimsOf(res), idParam(req, 'channel_id'));
    sendJson(res, 200, { channel_id: access.channel.id, ...(await channelStats(services.db, access.channel.id)) });
  };
}

export function listMyMembershipsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const { claims, teamId } = requireSelf(req, res);
    const rows = await listMembershipsInTeam(services.db, teamId, claims.sub);
    sendJson(res, 200, rows.map(memberJson));
  };
}

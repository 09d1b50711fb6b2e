/**
 * GET /api/v4/channels/{channel_id}/moderations and PUT …/moderations/patch — Mattermost's
 * ChannelModeration list: for each moderated permission, whether members and guests hold it in
 * this channel (`value`) and whether the scheme lets the channel decide (`enabled`). Team admins of
 * the channel's team (`manage_channel_moderations`) and system admins may change them.
 */
import type { RequestHandler } from 'express';
import type { Authorizer } from '../../../policies/authorizer.js';
import { badRequest, invalidBody } from '../http/chat-error.js';
import { idParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { isPlainObject } from '../http/validation.js';
import type { ChatServices } from '../services.js';
import { setChannelModerations } from '../store/channels.js';
import type { ChannelRow } from '../store/schema.js';
import { isDirectOrGroup, loadChannelAccess, requirePermission, type ChannelAccess } from './access.js';
import { broadcastChannelUpdated } from './channel-updated.js';
import { MODERATED_NAMES, MODERATED_PERMISSIONS, moderationsOf, type ModeratedPermission, type ModeratedRole, type Moderations } from './moderation.js';

const BASE_ROLE: Record<ModeratedRole, string> = { members: 'channel_user', guests: 'channel_guest' };

interface ModeratedRoleJson {
  value: boolean;
  enabled: boolean;
}

export function getModerationsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const access = await moderatorAccess(services, res, idParam(req, 'channel_id'));
    sendJson(res, 200, moderationList(services.authz, access.channel));
  };
}

export function patchModerationsHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const patch = parsePatch(req.body);
    const access = await moderatorAccess(services, res, idParam(req, 'channel_id'));
    const next = applyPatch(moderationsOf(access.channel), patch);
    const row = await setChannelModerations(services.db, access.channel.id, JSON.stringify(next), services.now());
    sendJson(res, 200, moderationList(services.authz, row ?? access.channel));
    broadcastChannelUpdated(services, access.channel.id);
  };
}

async function moderatorAccess(services: ChatServices, res: Parameters<RequestHandler>[1], channelId: string): Promise<ChannelAccess> {
  const access = await loadChannelAccess(services, claimsOf(res), channelId);
  if (isDirectOrGroup(access.channel)) throw badRequest('api.channel.patch_channel_moderations.direct.app_error', 'Direct and group messages have no moderation.');
  requirePermission(services.authz, access.roles, 'manage_channel_moderations');
  return access;
}

function schemeGrants(authz: Authorizer, role: ModeratedRole, name: ModeratedPermission): boolean {
  return MODERATED_PERMISSIONS[name].some((permission) => authz.allows([BASE_ROLE[role]], permission));
}

export function moderationList(authz: Authorizer, channel: ChannelRow) {
  const current = moderationsOf(channel);
  return MODERATED_NAMES.map((name) => {
    const role = (r: ModeratedRole): ModeratedRoleJson => {
      const enabled = schemeGrants(authz, r, name);
      return { enabled, value: enabled && current[name]?.[r] !== false };
    };
    // Mattermost shows no guest entry for member management: guests never manage members.
    return { name, roles: name === 'manage_members' ? { members: role('members') } : { members: role('members'), guests: role('guests') } };
  });
}

type Patch = { name: ModeratedPermission; roles: Partial<Record<ModeratedRole, boolean>> }[];

function parsePatch(body: unknown): Patch {
  if (!Array.isArray(body) || body.length > MODERATED_NAMES.length * 2) throw invalidBody('moderations');
  return body.map((entry: unknown) => {
    if (!isPlainObject(entry) || !MODERATED_NAMES.includes(entry.name as ModeratedPermission) || !isPlainObject(entry.roles)) {
      throw badRequest('api.channel.patch_channel_moderations.invalid.app_error', `Each moderation needs a name (${MODERATED_NAMES.join(', ')}) and roles.`);
    }
    const roles: Partial<Record<ModeratedRole, boolean>> = {};
    for (const key of ['members', 'guests'] as const) {
      const value = entry.roles[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'boolean') throw invalidBody(`roles.${key}`);
      roles[key] = value;
    }
    return { name: entry.name as ModeratedPermission, roles };
  });
}

/** Only removals are stored: `true` drops the override, so the scheme decides again. */
function applyPatch(current: Moderations, patch: Patch): Moderations {
  const next: Moderations = structuredClone(current);
  for (const { name, roles } of patch) {
    const entry = { ...next[name] };
    for (const [role, allowed] of Object.entries(roles) as [ModeratedRole, boolean][]) {
      if (allowed) delete entry[role];
      else entry[role] = false;
    }
    if (Object.keys(entry).length === 0) delete next[name];
    else next[name] = entry;
  }
  return next;
}

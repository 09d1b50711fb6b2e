/**
 * The incoming-webhook API: POST/GET /api/v4/hooks/incoming, GET/PUT/DELETE /api/v4/hooks/incoming/{hook_id}.
 * The hook id is the credential of POST /hooks/{hook_id}: it is shown only to those who manage it.
 */
import type { Request, RequestHandler, Response } from 'express';
import { badRequest } from '../http/chat-error.js';
import { boolQuery, idParam, pageQuery } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson, sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { isExternalId, newId } from '../store/ids.js';
import type { IncomingWebhookRow } from '../store/schema.js';
import {
  INCOMING, incomingNotFound, loadHookChannel, optionalQueryId, ownerFilter, requireAssignableOwner, requireChannelVisible,
  requireIncomingEnabled, requireManage, requireSystemManage,
} from './webhook-access.js';
import { incomingHookJson } from './webhook-json.js';
import { countIncomingHooks, deleteIncomingHook, findIncomingHook, insertIncomingHook, listIncomingHooks, updateIncomingHook } from './webhook-store.js';
import { parseIncomingCreate, parseIncomingUpdate } from './validate-incoming.js';

export function createIncomingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    requireIncomingEnabled(services);
    const claims = claimsOf(res);
    const input = parseIncomingCreate(req.body);
    const { channel } = await loadHookChannel(services, claims, input.channel_id);
    const ownerId = input.user_id ?? claims.sub;
    requireManage(services, claims, channel.team_id, INCOMING, ownerId);
    if (ownerId !== claims.sub) await requireAssignableOwner(services, channel.team_id, ownerId);
    const at = services.now();
    const row: IncomingWebhookRow = {
      id: newId(), channel_id: channel.id, team_id: channel.team_id, user_id: ownerId,
      display_name: input.display_name, description: input.description, username: input.username, icon_url: input.icon_url,
      channel_locked: input.channel_locked ? 1 : 0, create_at: at, update_at: at, delete_at: 0,
    };
    await insertIncomingHook(services.db, row);
    sendJson(res, 201, incomingHookJson(row));
  };
}

export function listIncomingHooksHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    requireIncomingEnabled(services);
    const claims = claimsOf(res);
    const teamId = optionalQueryId(req, 'team_id', isExternalId);
    const roles = teamId ? requireManage(services, claims, teamId, INCOMING) : requireSystemManage(services, claims, INCOMING);
    const filter = { teamId, userId: ownerFilter(services, roles, claims, INCOMING), visibleTo: claims.sub };
    const rows = (await listIncomingHooks(services.db, filter, pageQuery(req))).map(incomingHookJson);
    if (!boolQuery(req, 'include_total_count')) return sendJson(res, 200, rows);
    sendJson(res, 200, { incoming_webhooks: rows, total_count: await countIncomingHooks(services.db, filter) });
  };
}

/** Loads a live hook the caller may manage (its team, its channel readable, others' with the permission). */
async function manageableHook(services: ChatServices, req: Request, res: Response): Promise<IncomingWebhookRow> {
  requireIncomingEnabled(services);
  const claims = claimsOf(res);
  const hook = await findIncomingHook(services.db, idParam(req, 'hook_id'));
  if (!hook) throw incomingNotFound();
  requireManage(services, claims, hook.team_id, INCOMING, hook.user_id);
  await requireChannelVisible(services, claims, hook.channel_id);
  return hook;
}

export function getIncomingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    sendJson(res, 200, incomingHookJson(await manageableHook(services, req, res)));
  };
}

export function updateIncomingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const old = await manageableHook(services, req, res);
    const claims = claimsOf(res);
    const input = parseIncomingUpdate(req.body, old);
    const teamId = (req.body as { team_id?: unknown }).team_id;
    if (teamId !== undefined && teamId !== '' && teamId !== old.team_id) {
      throw badRequest('api.webhook.team_mismatch.app_error', 'The webhook cannot move to another team.');
    }
    if (input.channel_id !== old.channel_id) {
      const { channel } = await loadHookChannel(services, claims, input.channel_id);
      if (channel.team_id !== old.team_id) throw badRequest('api.context.invalid_param.app_error', 'channel_id must be a channel of the webhook\'s team.');
    }
    const row = await updateIncomingHook(services.db, old.id, { ...input, channel_locked: input.channel_locked ? 1 : 0 }, services.now());
    if (!row) throw incomingNotFound();
    // Mattermost answers an update with 201 Created; Client4 expects any 2xx.
    sendJson(res, 201, incomingHookJson(row));
  };
}

export function deleteIncomingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const hook = await manageableHook(services, req, res);
    await deleteIncomingHook(services.db, hook.id, services.now());
    sendOk(res);
  };
}

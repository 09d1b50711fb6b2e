/**
 * The outgoing-webhook API: POST/GET /api/v4/hooks/outgoing, GET/PUT/DELETE /api/v4/hooks/outgoing/{hook_id},
 * POST /api/v4/hooks/outgoing/{hook_id}/regen_token. Tokens are shown to those who manage the hook and
 * stored only sealed (token-seal.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import { loadChannelAccess, requirePermission } from '../channels/access.js';
import { idParam, pageQuery } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson, sendOk } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { isExternalId, isId, newId } from '../store/ids.js';
import type { OutgoingWebhookRow } from '../store/schema.js';
import { checkOutgoingTarget, openTokenOf, refuseOverlap, requireSecretKey, sealedTokenOf, storedFields } from './outgoing-rules.js';
import { parseOutgoingCreate, parseOutgoingUpdate } from './validate-outgoing.js';
import {
  OUTGOING, optionalQueryId, outgoingNotFound, ownerFilter, requireAssignableOwner, requireManage, requireOutgoingEnabled, requireSystemManage,
} from './webhook-access.js';
import { outgoingHookJson } from './webhook-json.js';
import { deleteOutgoingHook, findOutgoingHook, insertOutgoingHook, listOutgoingHooks, updateOutgoingHook } from './webhook-store.js';

export function createOutgoingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    requireOutgoingEnabled(services);
    const claims = claimsOf(res);
    const input = parseOutgoingCreate(req.body);
    const creatorId = input.creator_id ?? claims.sub;
    requireManage(services, claims, input.team_id, OUTGOING, creatorId);
    if (creatorId !== claims.sub) await requireAssignableOwner(services, input.team_id, creatorId);
    await checkOutgoingTarget(services, claims, input.team_id, input);
    const secretKey = requireSecretKey(services);
    await refuseOverlap(services, input.team_id, input, undefined);
    const at = services.now();
    const id = newId();
    const token = newId();
    const row: OutgoingWebhookRow = {
      id, token_sealed: sealedTokenOf(secretKey, id, token), creator_id: creatorId, team_id: input.team_id,
      ...storedFields(input), create_at: at, update_at: at, delete_at: 0,
    };
    await insertOutgoingHook(services.db, row);
    sendJson(res, 201, outgoingHookJson(row, token));
  };
}

export function listOutgoingHooksHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    requireOutgoingEnabled(services);
    const claims = claimsOf(res);
    const channelId = optionalQueryId(req, 'channel_id', isId);
    const teamId = optionalQueryId(req, 'team_id', isExternalId);
    let roles: string[];
    if (channelId) {
      roles = (await loadChannelAccess(services, claims, channelId)).roles;
      requirePermission(services.authz, roles, OUTGOING.manage);
    } else {
      roles = teamId ? requireManage(services, claims, teamId, OUTGOING) : requireSystemManage(services, claims, OUTGOING);
    }
    const creatorId = ownerFilter(services, roles, claims, OUTGOING);
    const rows = await listOutgoingHooks(services.db, { teamId, channelId, creatorId }, pageQuery(req));
    sendJson(res, 200, rows.map((row) => outgoingHookJson(row, openedToken(services, row))));
  };
}

/** The opened token, or '' (logged, never the value) when it no longer opens — e.g. after a key change. */
function openedToken(services: ChatServices, row: OutgoingWebhookRow): string {
  try {
    return services.config.secretKey ? openTokenOf(services.config.secretKey, row) : '';
  } catch {
    services.logger.error({ outgoing_webhook_id: row.id }, 'outgoing webhook token does not open with the configured secretKey');
    return '';
  }
}

async function manageableHook(services: ChatServices, req: Request, res: Response): Promise<OutgoingWebhookRow> {
  requireOutgoingEnabled(services);
  const hook = await findOutgoingHook(services.db, idParam(req, 'hook_id'));
  if (!hook) throw outgoingNotFound();
  requireManage(services, claimsOf(res), hook.team_id, OUTGOING, hook.creator_id);
  return hook;
}

export function getOutgoingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const hook = await manageableHook(services, req, res);
    sendJson(res, 200, outgoingHookJson(hook, openedToken(services, hook)));
  };
}

export function updateOutgoingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const old = await manageableHook(services, req, res);
    const input = parseOutgoingUpdate(req.body, old);
    await checkOutgoingTarget(services, claimsOf(res), old.team_id, input);
    await refuseOverlap(services, old.team_id, input, old.id);
    const row = await updateOutgoingHook(services.db, old.id, storedFields(input), services.now());
    if (!row) throw outgoingNotFound();
    sendJson(res, 200, outgoingHookJson(row, openedToken(services, row)));
  };
}

export function regenOutgoingTokenHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const old = await manageableHook(services, req, res);
    const secretKey = requireSecretKey(services);
    const token = newId();
    const row = await updateOutgoingHook(services.db, old.id, { token_sealed: sealedTokenOf(secretKey, old.id, token) }, services.now());
    if (!row) throw outgoingNotFound();
    sendJson(res, 200, outgoingHookJson(row, token));
  };
}

export function deleteOutgoingHookHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const hook = await manageableHook(services, req, res);
    await deleteOutgoingHook(services.db, hook.id, services.now());
    sendOk(res);
  };
}

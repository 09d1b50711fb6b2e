/**
 * POST /provision/v1/events (contract.ts PROVISION_PATH), on chat-core's internal port. Only a
 * provisioning assertion opens it (and the channel read, channel-route.ts); a user assertion is
 * refused like any bad token.
 */
import type { RequestHandler } from 'express';
import { AssertionError } from '../auth/assertion-error.js';
import { bearerToken } from '../auth/authenticate.js';
import type { ProvisionVerifier } from '../auth/verify-provision.js';
import { broadcastChannelUpdated } from '../channels/channel-updated.js';
import { ChatError, invalidToken } from '../http/chat-error.js';
import { contextOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import type { ChatServices } from '../services.js';
import { applyEvents } from './apply-events.js';
import { provisionRequestSchema } from './event-schema.js';

export function requireProvisioner(verifier: ProvisionVerifier): RequestHandler {
  return async (req, res, next) => {
    const context = contextOf(res);
    try {
      const token = bearerToken(req.headers.authorization);
      if (!token) throw new AssertionError('ASSERTION_MISSING', 'no bearer assertion');
      const claims = await verifier.verify(token);
      context.log = context.log.child({ provision_jti: claims.jti });
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      context.log.warn({ reason: error.reason, detail: error.detail, path: req.path }, 'provisioning assertion refused');
      throw invalidToken();
    }
    next();
  };
}

export function provisionHandler(services: ChatServices): RequestHandler {
  return async (req, res) => {
    const parsed = provisionRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'body';
      throw new ChatError(400, 'provision.invalid_request', 'The provisioning request is invalid; nothing was applied.', where, where);
    }
    const batch = await applyEvents(services, parsed.data.events);
    for (const userId of batch.touchedUsers) services.mirror.forget(userId);
    for (const userId of batch.deactivatedUsers) services.hub.closeUser(userId, 1008, 'user deactivated');
    for (const channelId of batch.updatedChannels) broadcastChannelUpdated(services, channelId);
    contextOf(res).log.info({ applied: batch.applied, deactivated: batch.deactivatedUsers.size }, 'provisioning applied');
    sendJson(res, 200, { applied: batch.applied });
  };
}

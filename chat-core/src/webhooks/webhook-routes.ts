/** Webhook management routes under /api/v4 (Mattermost's api4/webhook.go). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import {
  createIncomingHookHandler, deleteIncomingHookHandler, getIncomingHookHandler, listIncomingHooksHandler, updateIncomingHookHandler,
} from './incoming-hooks.js';
import {
  createOutgoingHookHandler, deleteOutgoingHookHandler, getOutgoingHookHandler, listOutgoingHooksHandler, regenOutgoingTokenHandler,
  updateOutgoingHookHandler,
} from './outgoing-hooks.js';

export function registerWebhookRoutes(router: Router, services: ChatServices): void {
  router.post('/hooks/incoming', createIncomingHookHandler(services));
  router.get('/hooks/incoming', listIncomingHooksHandler(services));
  router.get('/hooks/incoming/:hook_id', getIncomingHookHandler(services));
  router.put('/hooks/incoming/:hook_id', updateIncomingHookHandler(services));
  router.delete('/hooks/incoming/:hook_id', deleteIncomingHookHandler(services));
  router.post('/hooks/outgoing', createOutgoingHookHandler(services));
  router.get('/hooks/outgoing', listOutgoingHooksHandler(services));
  router.get('/hooks/outgoing/:hook_id', getOutgoingHookHandler(services));
  router.put('/hooks/outgoing/:hook_id', updateOutgoingHookHandler(services));
  router.delete('/hooks/outgoing/:hook_id', deleteOutgoingHookHandler(services));
  router.post('/hooks/outgoing/:hook_id/regen_token', regenOutgoingTokenHandler(services));
}

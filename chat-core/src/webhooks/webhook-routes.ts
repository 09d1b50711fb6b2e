/** Webhook routes under /api/v4 (to be filled in). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';

export function registerWebhookRoutes(_router: Router, _services: ChatServices): void {}

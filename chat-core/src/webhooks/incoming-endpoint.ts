/** POST /hooks/{hook_id}: the public incoming-webhook endpoint (to be filled in). */
import type { Express } from 'express';
import type { ChatServices } from '../services.js';

export function registerIncomingHookEndpoint(_app: Express, _services: ChatServices): void {}

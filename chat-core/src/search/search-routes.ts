/** Search routes under /api/v4 (to be filled in). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';

export function registerSearchRoutes(_router: Router, _services: ChatServices): void {}

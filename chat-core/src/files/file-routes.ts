/** File routes under /api/v4 (to be filled in). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';

export function registerFileRoutes(_router: Router, _services: ChatServices): void {}

import type { Request } from 'express';
import { GatewayError } from '../errors/gateway-error.js';

/** `page` / `per_page` as Mattermost reads them (per_page capped at 200). */
export function pagination(req: Request): { page: number; perPage: number } {
  const page = Number(req.query.page ?? 0);
  const perPage = Number(req.query.per_page ?? 60);
  if (!Number.isInteger(page) || page < 0 || !Number.isInteger(perPage) || perPage < 1) {
    throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'page must be an integer ≥ 0 and per_page an integer ≥ 1.' });
  }
  return { page, perPage: Math.min(perPage, 200) };
}

/** The `user_id` path parameter with `me` resolved to the caller. */
export function targetUserId(req: Request, param = 'user_id'): string {
  const value = String(req.params[param] ?? '');
  return value === 'me' ? req.principal!.userId : value;
}

export function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (b === undefined) return {};
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new GatewayError('REQUEST_INVALID_JSON', { message: 'The request body must be a JSON object.' });
  return b as Record<string, unknown>;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new GatewayError('REQUEST_INVALID_PARAM', { message: `${field} must be a string.`, publicDetail: field });
  return value;
}

export function requiredString(value: unknown, field: string): string {
  const v = optionalString(value, field);
  if (v === undefined || v === '') throw new GatewayError('REQUEST_INVALID_PARAM', { message: `${field} is required.`, publicDetail: field });
  return v;
}

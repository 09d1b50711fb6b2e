/** URL parameter parsing; a malformed parameter is a 400, never a 500 or a silent default. */
import type { Request } from 'express';
import type { Page } from '../store/channels.js';
import { isExternalId, isId } from '../store/ids.js';
import { invalidUrlParam } from './chat-error.js';

/** Mattermost's defaults: 60 per page, at most 200. */
export const DEFAULT_PER_PAGE = 60;
export const MAX_PER_PAGE = 200;
const MAX_PAGE = 100_000;

export function idParam(req: Request, name: string): string {
  const value = req.params[name];
  if (!isId(value)) throw invalidUrlParam(name);
  return value;
}

export function externalIdParam(req: Request, name: string): string {
  const value = req.params[name];
  if (!isExternalId(value)) throw invalidUrlParam(name);
  return value;
}

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidUrlParam(name);
  return value;
}

export function intQuery(req: Request, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = queryString(req, name);
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,16}$/.test(value)) throw invalidUrlParam(name);
  const parsed = Number(value);
  if (parsed > max) throw invalidUrlParam(name);
  return parsed;
}

export function boolQuery(req: Request, name: string): boolean {
  const value = queryString(req, name);
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw invalidUrlParam(name);
}

/** An optional post/channel id in the query string ('' means absent). */
export function idQuery(req: Request, name: string): string | undefined {
  const value = queryString(req, name);
  if (value === undefined || value === '') return undefined;
  if (!isId(value)) throw invalidUrlParam(name);
  return value;
}

export function pageQuery(req: Request): Page & { page: number; perPage: number } {
  const page = intQuery(req, 'page', 0, MAX_PAGE);
  const perPage = Math.min(Math.max(intQuery(req, 'per_page', DEFAULT_PER_PAGE), 1), MAX_PER_PAGE);
  return { page, perPage, offset: page * perPage, limit: perPage };
}

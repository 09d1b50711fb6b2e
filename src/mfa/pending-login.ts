/**
 * Between the first and the second factor of a browser sign-in: a pending state in the ephemeral
 * store (5 minutes by default, every node sees it), named by a random token in an HttpOnly cookie
 * scoped to /login/mfa, carrying a form token the code page must echo. It is consumed once, when
 * the code is right; the session exists only then.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import { getCookie, serializeCookie } from '../http/cookies.js';
import { newSecret } from '../http/ids.js';
import { hashToken, type SsoSessionRef } from '../sessions/session-store.js';

export const PENDING_COOKIE = 'gh_mfa_pending';
export const PENDING_PATH = '/login/mfa';

export interface PendingLogin {
  userId: string;
  amr: string[];
  connectorId: string;
  returnTo: string;
  deviceId: string;
  sso?: SsoSessionRef;
  formToken: string;
}

const key = (token: string) => `mfa-pending:${hashToken(token)}`;

export async function createPendingLogin(ctx: GatewayContext, res: Response, login: Omit<PendingLogin, 'formToken'>): Promise<void> {
  const token = newSecret();
  const ttlMs = ctx.config.mfa.pendingMinutes * 60_000;
  await ctx.store.set(key(token), JSON.stringify({ ...login, formToken: newSecret() } satisfies PendingLogin), ttlMs);
  res.append('Set-Cookie', serializeCookie(PENDING_COOKIE, token, { httpOnly: true, secure: ctx.config.siteUrl.startsWith('https://'), sameSite: 'Lax', maxAgeSeconds: Math.floor(ttlMs / 1000), path: PENDING_PATH }));
}

/** The pending sign-in this browser carries, without using it up. */
export async function peekPendingLogin(ctx: GatewayContext, req: Request): Promise<PendingLogin | null> {
  const token = getCookie(req, PENDING_COOKIE);
  if (!token || token.length > 128) return null;
  const raw = await ctx.store.get(key(token));
  return raw ? (JSON.parse(raw) as PendingLogin) : null;
}

/** Use it up: exactly one caller gets it. */
export async function consumePendingLogin(ctx: GatewayContext, req: Request): Promise<PendingLogin | null> {
  const token = getCookie(req, PENDING_COOKIE);
  if (!token || token.length > 128) return null;
  const raw = await ctx.store.consume(key(token));
  return raw ? (JSON.parse(raw) as PendingLogin) : null;
}

export function clearPendingCookie(ctx: GatewayContext, res: Response): void {
  res.append('Set-Cookie', serializeCookie(PENDING_COOKIE, '', { httpOnly: true, secure: ctx.config.siteUrl.startsWith('https://'), sameSite: 'Lax', maxAgeSeconds: 0, path: PENDING_PATH }));
}

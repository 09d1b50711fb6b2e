/**
 * The end of every successful login: rotate (a session the browser already had is revoked), create
 * the session, and hand it over as Mattermost does — `Token` header, MMAUTHTOKEN (HttpOnly),
 * MMUSERID and MMCSRF cookies.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import { serializeCookie } from '../http/cookies.js';
import { CSRF_COOKIE, SESSION_COOKIE, USER_ID_COOKIE, readCredential } from '../sessions/authenticate.js';
import type { SessionRecord, SsoSessionRef } from '../sessions/session-store.js';
import { GatewayError } from '../errors/gateway-error.js';

export async function startSession(
  ctx: GatewayContext, req: Request, res: Response, userId: string, amr: string[], deviceId = '', sso?: SsoSessionRef,
  opts: { mfaEnrolRequired?: boolean } = {},
): Promise<SessionRecord> {
  // Every sign-in ends here: whatever path led in, a bot gets no session (it acts only through access tokens).
  if ((await ctx.users.get(userId))?.is_bot === 1) throw new GatewayError('AUTHN_INVALID_CREDENTIALS', { detail: `session refused for bot ${userId}` });
  await revokePresentedSession(ctx, req);
  const { token, session } = await ctx.sessions.create({
    userId, amr, deviceId, userAgent: req.get('user-agent') ?? '', ip: req.ip ?? '', ...(sso ? { sso } : {}), ...(opts.mfaEnrolRequired ? { mfaEnrolRequired: true } : {}),
  });
  const secure = ctx.config.siteUrl.startsWith('https://');
  const maxAgeSeconds = Math.floor((session.expiresAt - session.createAt) / 1000);
  res.setHeader('Token', token);
  res.append('Set-Cookie', [
    serializeCookie(SESSION_COOKIE, token, { httpOnly: true, secure, sameSite: 'Lax', maxAgeSeconds }),
    serializeCookie(USER_ID_COOKIE, userId, { secure, sameSite: 'Lax', maxAgeSeconds }),
    serializeCookie(CSRF_COOKIE, session.csrfToken, { secure, sameSite: 'Lax', maxAgeSeconds }),
  ]);
  return session;
}

/** Session fixation defence: whatever session the request carried does not survive a login. */
async function revokePresentedSession(ctx: GatewayContext, req: Request): Promise<void> {
  const presented = readCredential(req);
  if (!presented) return;
  const old = await ctx.sessions.lookup(presented.token);
  if (old) {
    await ctx.sessions.revoke(old.id);
    ctx.minter.forget(old.id);
  }
}

export function clearSessionCookies(ctx: GatewayContext, res: Response): void {
  const secure = ctx.config.siteUrl.startsWith('https://');
  res.append('Set-Cookie', [SESSION_COOKIE, USER_ID_COOKIE, CSRF_COOKIE].map((name) =>
    serializeCookie(name, '', { httpOnly: name === SESSION_COOKIE, secure, sameSite: 'Lax', maxAgeSeconds: 0 })));
}

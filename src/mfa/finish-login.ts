/**
 * The end of every sign-in's first factor (password form, SAML ACS, OIDC/OAuth callback): the
 * session at once when no second factor applies; the code page when the user is enrolled; a
 * session that may only enrol when MFA is required and not set up yet.
 */
import type { Request, Response } from 'express';
import type { GatewayContext } from '../context.js';
import { startSession } from '../login/start-session.js';
import type { SsoSessionRef } from '../sessions/session-store.js';
import { createPendingLogin, PENDING_PATH } from './pending-login.js';
import { amrProvesMfa, secondFactorFor } from './policy.js';

export interface FirstFactor {
  userId: string;
  amr: string[];
  connectorId: string;
  /** The connector trusts the IdP's MFA (`trustIdpMfa`); proof is still read from `amr`. */
  trustIdpMfa?: boolean;
  sso?: SsoSessionRef;
  deviceId?: string;
}

export async function finishBrowserLogin(ctx: GatewayContext, req: Request, res: Response, ff: FirstFactor, returnTo: string): Promise<void> {
  const next = await secondFactorFor(ctx, ff.userId, { connectorId: ff.connectorId, idpMfa: (ff.trustIdpMfa ?? false) && amrProvesMfa(ff.amr) });
  if (next.kind === 'verify') {
    await createPendingLogin(ctx, res, { userId: ff.userId, amr: ff.amr, connectorId: ff.connectorId, returnTo, deviceId: ff.deviceId ?? '', ...(ff.sso ? { sso: ff.sso } : {}) });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, PENDING_PATH);
    return;
  }
  await startSession(ctx, req, res, ff.userId, ff.amr, ff.deviceId ?? '', ff.sso, { mfaEnrolRequired: next.kind === 'enrol' });
  res.redirect(303, next.kind === 'enrol' ? `/mfa/setup?redirect_to=${encodeURIComponent(returnTo)}` : returnTo);
}

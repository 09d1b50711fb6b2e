/**
 * The /api/v4 authenticator: a bearer user assertion, verified, from a user the mirror does not
 * know as deactivated. Every refusal is the same generic 401; the log gets the reason.
 */
import type { RequestHandler } from 'express';
import type { AssertionClaims } from '../../contract.js';
import { invalidToken } from '../http/chat-error.js';
import { contextOf } from '../http/request-context.js';
import type { UserMirror } from '../users/user-mirror.js';
import { AssertionError } from './assertion-error.js';
import type { AssertionVerifier } from './verify-assertion.js';

const BEARER = /^bearer +(\S+)\s*$/i;

/** The token of an `Authorization: Bearer …` header (any case: Client4 sends `BEARER`). */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

export interface UserAuthenticator {
  /** Resolves with the claims or rejects with an AssertionError. */
  authenticate(authorization: string | undefined): Promise<AssertionClaims>;
}

export function createUserAuthenticator(verifier: AssertionVerifier, mirror: UserMirror, onResult: (result: string) => void = () => {}): UserAuthenticator {
  return {
    async authenticate(authorization) {
      try {
        const token = bearerToken(authorization);
        if (!token) throw new AssertionError('ASSERTION_MISSING', 'no bearer assertion');
        const claims = await verifier.verify(token);
        await mirror.admit(claims);
        onResult('ok');
        return claims;
      } catch (error) {
        if (error instanceof AssertionError) onResult(error.reason.toLowerCase());
        throw error;
      }
    },
  };
}

export function requireUser(authenticator: UserAuthenticator): RequestHandler {
  return async (req, res, next) => {
    const context = contextOf(res);
    try {
      context.claims = await authenticator.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof AssertionError)) throw error;
      context.log.warn({ reason: error.reason, detail: error.detail, path: req.path }, 'assertion refused');
      throw invalidToken();
    }
    context.log = context.log.child({ user_id: context.claims.sub });
    next();
  };
}

/**
 * Step 4 (generic providers): the configured user-info endpoint, called with the bearer token
 * (RFC 6750 §2.1), read by the configured JSON paths into the normalized Identity.
 */
import type { Identity } from '../contract.js';
import { refuse, type OAuth2Context } from './context.js';
import { matchesRule, readGroups, readPath, readString, readSubject, splitName } from './claims.js';
import { expectOk, fetchJson } from './fetch-json.js';

const WHAT = 'user-info endpoint';

export interface ProfileFields {
  subject: string;
  email: string;
  emailVerified: boolean;
  groups: string[];
}

/** The fields every provider shares, read by the configured paths; `fields` wins where a provider knows better. */
export function toIdentity(ctx: OAuth2Context, raw: Record<string, unknown>, fields: ProfileFields): Identity {
  const { claims, adminClaim, guestClaim } = ctx.config;
  const split = splitName(readString(raw, claims.name));
  const firstName = readString(raw, claims.firstName) ?? split.firstName;
  const lastName = readString(raw, claims.lastName) ?? split.lastName;
  const username = readString(raw, claims.username);
  // Rules may name `groups` even when groups come from elsewhere (GitHub organizations).
  const extra = { groups: fields.groups };
  return {
    connectorId: ctx.config.id,
    ...fields,
    ...(username ? { username } : {}),
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    // Plain OAuth says nothing about how the user authenticated (no acr/amr as in OIDC).
    amr: [],
    raw,
    isAdmin: matchesRule(raw, adminClaim, extra),
    isGuest: matchesRule(raw, guestClaim, extra),
  };
}

export function bearer(accessToken: string): string {
  return `Bearer ${accessToken}`;
}

export async function genericUserInfo(ctx: OAuth2Context, accessToken: string): Promise<Identity> {
  const res = await fetchJson(ctx, WHAT, ctx.config.userInfoUrl, { headers: { accept: 'application/json', authorization: bearer(accessToken) } });
  expectOk(ctx, WHAT, res, 'object');
  const raw = res.json as Record<string, unknown>;
  const { claims } = ctx.config;
  const subject = readSubject(ctx, raw, claims.id, 'user info');
  const email = readString(raw, claims.email);
  if (!email) refuse(ctx, `user info for ${subject} has no e-mail at "${claims.email ?? '(claims.email not set)'}"`);
  const emailVerified = claims.emailVerified ? readPath(raw, claims.emailVerified) === true : false;
  return toIdentity(ctx, raw, { subject, email, emailVerified, groups: readGroups(raw, claims.groups) });
}

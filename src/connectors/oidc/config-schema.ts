/**
 * Configuration of one OpenID Connect connector: the reference for every key, with its default.
 * Preset claim names and scopes (the `oidc` section of providers/<preset>.json) are merged under
 * `claims` and `scopes` by the connector; secrets never come from presets.
 */
import { z } from 'zod';
import { connectorButtonColor, connectorDisplayName, connectorId, connectorTrustIdpMfa } from '../config-common.js';

const claimEquals = z.string().regex(/^[^=]+=.+$/, 'must be "claim=value", e.g. "groups=chat-admins"');
const claimName = z.string().min(1);

export const oidcPresetNames = ['okta', 'entra-id', 'google', 'keycloak', 'auth0', 'onelogin', 'gitlab', 'generic'] as const;
export type OidcPresetName = (typeof oidcPresetNames)[number];

export const mattermostServices = ['gitlab', 'google', 'office365', 'openid'] as const;

/** `alg: none` and symmetric algorithms are never accepted for ID tokens (no shared-secret signatures). */
export const idTokenAlgorithmNames = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

/** Where each identity field comes from: a claim name, or a dotted path (`realm_access.roles`). */
export const oidcClaimsSchema = z
  .object({
    /** Username claim. Default: the preset's, else `preferred_username`. */
    username: claimName.optional(),
    /** E-mail claim. Default `email`. */
    email: claimName.optional(),
    /** First (given) name claim. Default `given_name`. */
    firstName: claimName.optional(),
    /** Last (family) name claim. Default `family_name`. */
    lastName: claimName.optional(),
    /** Groups claim(s), each a string or an array of strings. Default: the preset's (Okta/Keycloak `groups`, Entra `groups` and `roles`). */
    groups: z.union([claimName, z.array(claimName).min(1)]).optional(),
  })
  .strict();

export const oidcConnectorSchema = z
  .object({
    /** Connector id (see config-common.ts). */
    id: connectorId,
    type: z.literal('oidc'),
    displayName: connectorDisplayName,
    /** Default `#145dbf`. */
    buttonColor: connectorButtonColor('#145dbf'),
    /** Claim names, scopes and quirks from providers/. Default `generic`. */
    preset: z.enum(oidcPresetNames).default('generic'),
    /**
     * The issuer identifier; discovery reads `${issuer}/.well-known/openid-configuration` and the
     * document's `issuer` must equal it (OIDC Discovery §4.3). Entra multi-tenant:
     * `https://login.microsoftonline.com/{tenantid}/v2.0` together with `entra.allowedTenants`.
     */
    issuer: z.string().url(),
    /** The client id registered at the provider. */
    clientId: z.string().min(1),
    /** File holding the client secret (preferred; or `GATEHOUSE_*` env through the config loader). Never logged. */
    clientSecretFile: z.string().min(1).optional(),
    /** The client secret inline (prefer clientSecretFile). Never logged. */
    clientSecret: z.string().min(1).optional(),
    /** Token endpoint authentication. Default `client_secret_basic`. */
    clientAuth: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']).default('client_secret_basic'),
    /** PKCS#8 PEM private key for `private_key_jwt` (RSA → RS256, P-256 → ES256, Ed25519 → EdDSA). */
    privateKeyFile: z.string().min(1).optional(),
    /** `kid` sent with the private_key_jwt assertion, when the provider registered the key with one. Default: none. */
    privateKeyId: z.string().min(1).optional(),
    /** Scopes requested. Default: the preset's, else `openid email profile`; `openid` is always included. */
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token')).min(1).optional(),
    /** How the provider returns the code: `query` or `form_post` (OAuth 2.0 Form Post Response Mode). Default `query`. */
    responseMode: z.enum(['query', 'form_post']).default('query'),
    /** ID token signature algorithms accepted (pinned). Default RS256, ES256, EdDSA, PS256. Never `none`. */
    idTokenAlgorithms: z.array(z.enum(idTokenAlgorithmNames)).min(1).default(['RS256', 'ES256', 'EdDSA', 'PS256']),
    /** Request `max_age` and require `auth_time` no older than this (OIDC Core §3.1.2.1). Default: none. */
    maxAgeSeconds: z.number().int().min(0).optional(),
    /** Clock skew tolerated on `exp`, `iat`, `auth_time`, seconds. Default 60. */
    clockSkewSeconds: z.number().int().min(0).max(600).default(60),
    /** Discovery, token, userinfo and JWKS request timeout, seconds. Default 10. */
    timeoutSeconds: z.number().int().min(1).max(60).default(10),
    /**
     * Fetch userinfo and merge it (its `sub` must equal the ID token's): `true` always, `false`
     * never, `auto` only when the ID token lacks a claim the mapping needs (e-mail, username, groups,
     * the admin/guest claims) — one round trip fewer per login with providers that put them in the ID
     * token (Keycloak, Okta with a groups claim). Default `auto`.
     */
    fetchUserinfo: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Claim names; the preset's are merged under these. */
    claims: oidcClaimsSchema.prefault({}),
    /** `claim=value` that makes the user a system admin (array claims: any element). Default: none. */
    adminClaim: claimEquals.optional(),
    /** `claim=value` that makes the user a guest. Default: none. */
    guestClaim: claimEquals.optional(),
    /** Link an existing account with no other link by verified e-mail. Default false. Ignored for Entra (mutable `email`). */
    trustEmail: z.boolean().default(false),
    /** See config-common.ts. */
    trustIdpMfa: connectorTrustIdpMfa,
    /** Create accounts just in time. Default true. */
    allowSignup: z.boolean().default(true),
    /** Allow an `http://` issuer. Default false; only for loopback test providers. */
    allowInsecureHttp: z.boolean().default(false),
    /** Entra ID: tenants (`tid`) allowed to sign in; required for the multi-tenant `{tenantid}` issuer. */
    entra: z.object({ allowedTenants: z.array(z.string().min(1)).min(1) }).strict().optional(),
    /** Google: Workspace domains (`hd` claim) allowed to sign in. Default: any account. */
    google: z.object({ hostedDomains: z.array(z.string().min(1)).min(1) }).strict().optional(),
    /** Also answer Mattermost's `/oauth/{service}/login` and `/signup/{service}/complete`. Default: none. */
    mattermostService: z.enum(mattermostServices).optional(),
    /**
     * Re-check signed-in users with the provider: every `intervalMinutes` of session use the
     * gateway redeems the session's refresh token (kept sealed with AES-256-GCM, never logged); a
     * refused refresh — the user was removed or disabled at the provider — ends the session at once,
     * and fresh claims update the profile and groups. The provider must issue refresh tokens
     * (usually: add `offline_access` to `scopes`). Default off.
     */
    refresh: z
      .object({ enabled: z.boolean().default(false), intervalMinutes: z.number().int().min(1).max(1440).default(15) })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((c) => !(c.clientSecret && c.clientSecretFile), { message: 'set only one of clientSecret and clientSecretFile', path: ['clientSecret'] })
  .refine((c) => c.clientAuth === 'private_key_jwt' || c.clientSecret || c.clientSecretFile, {
    message: `${'client_secret_basic'} and client_secret_post need clientSecretFile (or clientSecret)`,
    path: ['clientSecretFile'],
  })
  .refine((c) => c.clientAuth !== 'private_key_jwt' || c.privateKeyFile, { message: 'private_key_jwt needs privateKeyFile (a PKCS#8 PEM key)', path: ['privateKeyFile'] })
  .refine((c) => c.allowInsecureHttp || c.issuer.startsWith('https://'), { message: 'the issuer must be https:// (allowInsecureHttp is for loopback tests only)', path: ['issuer'] })
  .refine((c) => !c.allowInsecureHttp || isLoopback(c.issuer), { message: 'allowInsecureHttp is only allowed for a loopback issuer (127.0.0.1, ::1, localhost)', path: ['allowInsecureHttp'] })
  .refine((c) => !c.issuer.includes('{tenantid}') || (c.entra && c.preset === 'entra-id'), {
    message: 'the multi-tenant Entra issuer needs preset "entra-id" and entra.allowedTenants',
    path: ['entra'],
  });

function isLoopback(issuer: string): boolean {
  try {
    return ['127.0.0.1', '[::1]', 'localhost'].includes(new URL(issuer).hostname);
  } catch {
    return false;
  }
}

/** As written by the operator (defaults optional). */
export type OidcConnectorInput = z.input<typeof oidcConnectorSchema>;
/** After parsing (defaults applied). */
export type OidcConnectorConfig = z.output<typeof oidcConnectorSchema>;
export type OidcClaimMap = z.output<typeof oidcClaimsSchema>;

function trimSite(siteUrl: string): string {
  return siteUrl.replace(/\/+$/, '');
}

/** The redirect_uri this connector registers and sends: `${siteUrl}/auth/${id}/callback`. */
export function oidcCallbackUrl(config: Pick<OidcConnectorConfig, 'id'>, siteUrl: string): string {
  return `${trimSite(siteUrl)}/auth/${config.id}/callback`;
}

/**
 * Every callback URL the lead mounts for this connector: ours, plus Mattermost's
 * `/signup/{service}/complete` when `mattermostService` is set. The redirect_uri sent is always ours.
 */
export function oidcCallbackUrls(config: Pick<OidcConnectorConfig, 'id' | 'mattermostService'>, siteUrl: string): string[] {
  const urls = [oidcCallbackUrl(config, siteUrl)];
  if (config.mattermostService) urls.push(`${trimSite(siteUrl)}/signup/${config.mattermostService}/complete`);
  return urls;
}

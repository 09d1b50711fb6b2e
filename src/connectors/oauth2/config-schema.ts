/**
 * Configuration of one plain OAuth 2.0 connector (RFC 6749, no OpenID Connect): GitHub, GitLab's
 * user API, or any provider with a JSON user-info endpoint. The reference for every key, with its
 * default. Preset endpoints, scopes and claim paths (providers/<preset>.json, `oauth2` section) sit
 * under the operator's keys; the connector merges them and then checks nothing required is missing.
 */
import { z } from 'zod';
import { connectorButtonColor, connectorDisplayName, connectorId } from '../config-common.js';

const url = z.string().url();
/** A dotted path into the user-info JSON, e.g. `id`, `login`, `data.user.email`. */
const jsonPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a dotted JSON path, e.g. "data.user.id"');
const claimEquals = z.string().regex(/^[^=\s]+=.+$/, 'must be "path=value", e.g. "role=admin"');

export const oauth2PresetNames = ['github', 'gitlab', 'generic'] as const;
export type OAuth2PresetName = (typeof oauth2PresetNames)[number];

/** Where each identity field is read from in the user-info JSON (dotted paths). */
export const oauth2ClaimsSchema = z
  .object({
    /** Stable subject (never a username or e-mail that can change). GitHub: `id`. Required after the preset. */
    id: jsonPath.optional(),
    /** Username. GitHub: `login`; GitLab: `username`. */
    username: jsonPath.optional(),
    /** E-mail. Ignored for GitHub, whose e-mail comes only from the verified-e-mail API (emailsUrl). */
    email: jsonPath.optional(),
    /** A boolean that is true when the provider verified the e-mail. Default: none (e-mail treated as unverified). */
    emailVerified: jsonPath.optional(),
    /** Given name. When absent, the first word of `name`. */
    firstName: jsonPath.optional(),
    /** Surname. When absent, the rest of `name`. */
    lastName: jsonPath.optional(),
    /** Full display name, split into first and last name when those have no path of their own. */
    name: jsonPath.optional(),
    /** Groups: an array of strings (or one string). GitHub: the organizations read for the allow-list. */
    groups: jsonPath.optional(),
  })
  .strict();

export const oauth2GithubSchema = z
  .object({
    /**
     * Organization logins (case-insensitive) a user must belong to, read from `GET /user/orgs`
     * (next to userInfoUrl). Adds the `read:org` scope. Default: any GitHub user.
     */
    allowedOrganizations: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export const oauth2ConnectorSchema = z
  .object({
    /** Connector id (see config-common.ts). */
    id: connectorId,
    type: z.literal('oauth2'),
    displayName: connectorDisplayName,
    /** Default `#24292f`. */
    buttonColor: connectorButtonColor('#24292f'),
    /** Endpoint, scope and claim preset from providers/. `github` also turns on the GitHub user flow. Default `generic`. */
    preset: z.enum(oauth2PresetNames).default('generic'),
    /** Authorization endpoint (RFC 6749 §3.1). Default: the preset's; required for `generic`. */
    authorizationUrl: url.optional(),
    /** Token endpoint (RFC 6749 §3.2). Default: the preset's; required for `generic`. */
    tokenUrl: url.optional(),
    /** User-info endpoint called with the access token (GitHub `/user`). Default: the preset's; required for `generic`. */
    userInfoUrl: url.optional(),
    /** GitHub's verified-e-mail API (`/user/emails`). Default: the preset's (github only). */
    emailsUrl: url.optional(),
    /** OAuth client id. */
    clientId: z.string().min(1),
    /** File holding the client secret (preferred: keeps it out of the config). One of clientSecretFile and clientSecret. */
    clientSecretFile: z.string().min(1).optional(),
    /** The client secret inline. One of clientSecretFile and clientSecret. */
    clientSecret: z.string().min(1).optional(),
    /** Scopes requested. Default: the preset's (GitHub `read:user user:email`). */
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an RFC 6749 §3.3 scope token')).optional(),
    /** Send a PKCE S256 challenge (RFC 7636). Default true; turn off only for a provider that rejects it. */
    usePkce: z.boolean().default(true),
    /** JSON paths of the identity fields; merged over the preset's. */
    claims: oauth2ClaimsSchema.prefault({}),
    /** `path=value` that makes the user a system admin, e.g. `groups=chat-admins`. Default: none. */
    adminClaim: claimEquals.optional(),
    /** `path=value` that makes the user a guest, e.g. `type=guest`. Default: none. */
    guestClaim: claimEquals.optional(),
    /** Link an existing account with no other link by verified e-mail. Default false. */
    trustEmail: z.boolean().default(false),
    /** Create accounts just in time. Default true. */
    allowSignup: z.boolean().default(true),
    /** Accept `http://` endpoints on loopback hosts (127.0.0.1, ::1, localhost) only — for tests and demos. Default false. */
    allowInsecureHttp: z.boolean().default(false),
    /** GitHub-only settings (preset `github`). */
    github: oauth2GithubSchema.optional(),
    /** Mattermost service name this connector also answers (`/oauth/{service}/login`). Default: the preset's. */
    mattermostService: z.enum(['gitlab', 'github']).optional(),
    /** How long one call to the provider may take, ms. Default 10000. */
    timeoutMs: z.number().int().min(50).max(60_000).default(10_000),
    /** Largest provider response body accepted, bytes. Default 1048576 (1 MiB). */
    maxResponseBytes: z.number().int().min(1024).max(16_777_216).default(1_048_576),
  })
  .strict()
  .refine((c) => Boolean(c.clientSecretFile) !== Boolean(c.clientSecret), {
    message: 'set exactly one of clientSecretFile and clientSecret',
    path: ['clientSecretFile'],
  })
  .refine((c) => !c.github || c.preset === 'github', { message: 'github settings need preset "github"', path: ['github'] })
  .refine((c) => c.preset !== 'generic' || (c.authorizationUrl && c.tokenUrl && c.userInfoUrl), {
    message: 'preset "generic" needs authorizationUrl, tokenUrl and userInfoUrl',
    path: ['authorizationUrl'],
  });

/** As written by the operator (defaults optional). */
export type OAuth2ConnectorInput = z.input<typeof oauth2ConnectorSchema>;
/** After parsing (defaults applied). */
export type OAuth2ConnectorConfig = z.output<typeof oauth2ConnectorSchema>;
export type OAuth2Claims = z.output<typeof oauth2ClaimsSchema>;

/** The redirect URI registered at the provider for this connector (the lead mounts the route). */
export function oauth2CallbackUrl(config: Pick<OAuth2ConnectorConfig, 'id'>, siteUrl: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/auth/${config.id}/callback`;
}

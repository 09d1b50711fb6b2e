/**
 * The configuration schema: every key Gatehouse reads, with its default and meaning.
 * This is the one place each key is documented; the README's configuration section is generated
 * from the same words. Environment overrides: `GATEHOUSE_<PATH>` with `__` between levels in
 * UPPER_SNAKE case (`GATEHOUSE_SESSIONS__IDLE_TIMEOUT_MINUTES=60`), plus the short aliases in
 * `load.ts` (`GATEHOUSE_PORT`, `GATEHOUSE_DATABASE_URL`, …).
 */
import { z } from 'zod';
import { samlConnectorSchema } from '../connectors/saml/config-schema.js';
import { oidcConnectorSchema } from '../connectors/oidc/config-schema.js';
import { oauth2ConnectorSchema } from '../connectors/oauth2/config-schema.js';
import { ldapConnectorSchema } from '../connectors/ldap/config-schema.js';
import { mfaConfigSchema } from '../mfa/config-schema.js';
import { guestsConfigSchema } from '../invitations/config-schema.js';
import { mailConfigSchema } from '../mail/config-schema.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');
const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');
const httpUrl = z
  .string()
  .url()
  .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));

export const configSchema = z
  .object({
    /**
     * Public URL of the gateway as browsers see it (`GATEHOUSE_SITE_URL`): the assertion issuer, cookie
     * security (https → Secure), links and redirects. Default `http://{listen.host}:{listen.port}`.
     */
    siteUrl: httpUrl.optional(),
    /** Where the gateway listens (`GATEHOUSE_PORT`). */
    listen: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: port.default(8065) })
      .strict()
      .prefault({}),
    /** chat-core: where it listens when run by this process (`GATEHOUSE_CHAT_PORT`), where the gateway reaches it, its database. */
    chat: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(8066),
        /** URL the gateway forwards to; default `http://{chat.host}:{chat.port}`. */
        url: httpUrl.optional(),
        /**
         * Several chat-core nodes (on one database and one Redis): the gateway spreads requests and
         * websockets over them round-robin; provisioning goes to the first. Overrides `chat.url`.
         */
        urls: z.array(httpUrl).min(1).optional(),
        /** PostgreSQL URL for chat-core (`GATEHOUSE_CHAT_DATABASE_URL`); default SQLite `{dataDir}/chat.sqlite`. */
        databaseUrl: postgresUrl.optional(),
        /** Where chat-core fetches the gateway's JWKS; default `http://{listen.host}:{listen.port}/.well-known/jwks.json`. */
        jwksUrl: httpUrl.optional(),
        maxPostLength: positiveInt.max(65535).default(16383),
        /** Largest file upload in bytes (Mattermost's FileSettings.MaxFileSize); default 100 MiB. */
        maxFileSize: positiveInt.max(1024 ** 3).default(104_857_600),
        /** Where chat-core keeps uploaded files and custom emoji images; default `{dataDir}/files`. */
        filesDirectory: z.string().min(1).optional(),
        /** Incoming webhooks (`POST /hooks/{id}`) on or off (Mattermost's EnableIncomingWebhooks). */
        incomingWebhooks: z.boolean().default(true),
        /** Outgoing webhooks on or off (Mattermost's EnableOutgoingWebhooks). */
        outgoingWebhooks: z.boolean().default(true),
        /**
         * Hosts outgoing webhooks may call although they resolve to loopback or private addresses
         * (Mattermost's AllowedUntrustedInternalConnections), e.g. `["hooks.internal.example.com"]`.
         */
        webhookAllowedHosts: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Key that encrypts secrets at rest (signing keys, later TOTP secrets): 32 random bytes, base64
     * (`GATEHOUSE_SECRET_KEY`; make one with `openssl rand -base64 32`). Default: `{dataDir}/secret.key`,
     * created on first start. Every node of a cluster needs the same key.
     */
    secretKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (44 characters)').optional(),
    /** Directory for the embedded SQLite databases and local files (`GATEHOUSE_DATA_DIR`). */
    dataDir: z.string().min(1).default('./data'),
    /** Gateway SQL store: PostgreSQL URL (`GATEHOUSE_DATABASE_URL`); default SQLite `{dataDir}/gateway.sqlite`. */
    database: z.object({ url: postgresUrl.optional() }).strict().prefault({}),
    /** Ephemeral store: Redis URL (`GATEHOUSE_REDIS_URL`); default in-process memory (single node only). */
    redis: z.object({ url: redisUrl.optional(), keyPrefix: z.string().default('gatehouse:') }).strict().prefault({}),
    /** First system admin, created at start when no admin exists (`GATEHOUSE_ADMIN_EMAIL`, `GATEHOUSE_ADMIN_PASSWORD`). */
    admin: z
      .object({
        email: z.string().email().optional(),
        password: z.string().min(1).optional(),
        username: z.string().default('admin'),
      })
      .strict()
      .prefault({}),
    /** Session lifetimes, as Mattermost's ServiceSettings. */
    sessions: z
      .object({
        /** Absolute life of a browser or API session (Mattermost SessionLengthWebInHours). */
        lengthHours: positiveInt.default(720),
        /** A session unused this long ends (Mattermost SessionIdleTimeoutInMinutes); 0 disables. */
        idleTimeoutMinutes: z.coerce.number().int().min(0).default(43200),
        /** Refuse `X-Requested-With: XMLHttpRequest` as a CSRF substitute; require `X-CSRF-Token`. */
        strictCsrf: bool.default(false),
      })
      .strict()
      .prefault({}),
    /** Password sign-in. */
    login: z
      .object({
        /** Failed attempts before a login id is locked (Mattermost MaximumLoginAttempts). */
        maxAttempts: positiveInt.default(10),
        /** How long a locked login id stays locked. */
        lockoutMinutes: positiveInt.default(30),
        /** Let anyone create an account with POST /api/v4/users (Mattermost EnableOpenServer). */
        openSignup: bool.default(false),
      })
      .strict()
      .prefault({}),
    /** Password policy (OWASP ASVS 2.1: length over composition; composition rules optional). */
    passwordPolicy: z
      .object({
        minimumLength: z.coerce.number().int().min(8).max(128).default(10),
        requireLowercase: bool.default(false),
        requireUppercase: bool.default(false),
        requireNumber: bool.default(false),
        requireSymbol: bool.default(false),
      })
      .strict()
      .prefault({}),
    /** The assertion the gateway signs for chat-core. */
    assertion: z
      .object({
        /** EdDSA (Ed25519) or ES256 — see bench/assertion for the measured difference. */
        algorithm: z.enum(['EdDSA', 'ES256']).default('EdDSA'),
        /** Life of one assertion; at most 300 s. */
        ttlSeconds: z.coerce.number().int().min(30).max(300).default(300),
        /** Clock skew chat-core tolerates. */
        clockSkewSeconds: z.coerce.number().int().min(0).max(120).default(30),
      })
      .strict()
      .prefault({}),
    /**
     * Sign-in connectors besides local accounts, by `type`: `saml` (keys in
     * src/connectors/saml/config-schema.ts), `oidc` (src/connectors/oidc/config-schema.ts),
     * `oauth2` (src/connectors/oauth2/config-schema.ts), `ldap` (src/connectors/ldap/config-schema.ts).
     * Ids are unique; at most one SAML connector is `default`. Password sign-in tries local accounts,
     * then each LDAP directory in the order listed.
     */
    connectors: z
      .array(z.discriminatedUnion('type', [samlConnectorSchema, oidcConnectorSchema, oauth2ConnectorSchema, ldapConnectorSchema]))
      .default([])
      .refine((list) => new Set(list.map((c) => c.id)).size === list.length, 'connector ids must be unique')
      .refine((list) => list.filter((c) => c.type === 'saml' && c.default).length <= 1, 'at most one SAML connector may be default')
      .refine((list) => {
        const services = list.flatMap((c) => ('mattermostService' in c && c.mattermostService ? [c.mattermostService] : []));
        return new Set(services).size === services.length;
      }, "at most one connector may serve each Mattermost service path (mattermostService)")
      .refine((list) => list.every((c) => c.id !== 'local'), 'the connector id "local" is reserved for local accounts'),
    /** Outgoing mail: SMTP, or an outbox folder under dataDir when no SMTP is set (keys in src/mail/config-schema.ts). */
    mail: mailConfigSchema.prefault({}),
    /** Guest accounts invited by e-mail (keys in src/invitations/config-schema.ts). */
    guests: guestsConfigSchema.prefault({}),
    /** Multi-factor authentication (keys in src/mfa/config-schema.ts). */
    mfa: mfaConfigSchema.prefault({}),
    logging: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .transform((c) => ({ ...c, siteUrl: c.siteUrl ?? `http://${c.listen.host === '0.0.0.0' ? '127.0.0.1' : c.listen.host}:${c.listen.port}` }));

/** The validated, frozen configuration. */
export type Config = Readonly<z.output<typeof configSchema>>;
/** What a config file or test may give; everything has a default. */
export type ConfigInput = z.input<typeof configSchema>;

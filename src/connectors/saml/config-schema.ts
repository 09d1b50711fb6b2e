/**
 * Configuration of one SAML 2.0 connector: the reference for every key, with its default.
 * Preset attribute names (providers/<preset>.json) are merged under `attributes` by the connector.
 */
import { z } from 'zod';
import { connectorButtonColor, connectorDisplayName, connectorId, connectorTrustIdpMfa } from '../config-common.js';

const attrEquals = z
  .string()
  .regex(/^[^=]+=.+$/, 'must be "attribute=value", e.g. "role=admin"');
const pem = z.string().regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
const url = z.string().url();

export const samlPresetNames = ['okta', 'onelogin', 'adfs', 'entra-id', 'generic'] as const;
export type SamlPresetName = (typeof samlPresetNames)[number];

/** Where each identity field comes from: an attribute Name as the IdP sends it. */
export const samlAttributesSchema = z
  .object({
    /** Stable user id attribute (e.g. Entra's objectidentifier). Default: the preset's; else a persistent NameID is used. */
    id: z.string().min(1).optional(),
    /** E-mail attribute. Default: the preset's; else the NameID when its Format is emailAddress. */
    email: z.string().min(1).optional(),
    /** Username attribute. Default: the preset's. */
    username: z.string().min(1).optional(),
    /** First (given) name attribute. Default: the preset's. */
    firstName: z.string().min(1).optional(),
    /** Last name (surname) attribute. Default: the preset's. */
    lastName: z.string().min(1).optional(),
    /** Nickname attribute. Default: none. */
    nickname: z.string().min(1).optional(),
    /** Position / job title attribute. Default: the preset's. */
    position: z.string().min(1).optional(),
    /** Locale attribute. Default: none. */
    locale: z.string().min(1).optional(),
    /** Groups attribute (multi-valued). Default: the preset's. */
    groups: z.string().min(1).optional(),
  })
  .strict();

export const samlIdpSchema = z
  .object({
    /** IdP metadata XML file (path). One of metadataFile, metadataUrl, or entityId+ssoUrl+certificates is required. */
    metadataFile: z.string().min(1).optional(),
    /** IdP metadata URL: https only (http allowed for loopback), 10 s timeout, 1 MiB cap. */
    metadataUrl: url.optional(),
    /** How often metadataUrl is fetched again; the last good copy is kept when a fetch fails. Default 1440 (a day). */
    metadataRefreshMinutes: z.number().int().positive().default(1440),
    /** IdP entity id (the Issuer it signs as). Overrides metadata. */
    entityId: z.string().min(1).optional(),
    /** IdP SSO URL for the HTTP-Redirect AuthnRequest. Overrides metadata. */
    ssoUrl: url.optional(),
    /** IdP Single Logout URL. Overrides metadata; without one, SLO is not offered. */
    sloUrl: url.optional(),
    /** IdP signing certificates (PEM). Several at once for rollover. Added to those in metadata. */
    certificates: z.array(pem).min(1).optional(),
  })
  .strict();

export const samlSpSchema = z
  .object({
    /** SP entity id. Default `${siteUrl}/auth/${id}/saml/metadata`. */
    entityId: z.string().min(1).optional(),
    /** SP signing private key (PEM file), e.g. from `gatehouse saml keygen`. Default: none (requests unsigned). */
    privateKeyFile: z.string().min(1).optional(),
    /** SP signing certificate (PEM file) matching privateKeyFile; published in SP metadata. */
    certificateFile: z.string().min(1).optional(),
    /** Private key for encrypted assertions (PEM file). Default: none (encrypted assertions refused). */
    encryptionPrivateKeyFile: z.string().min(1).optional(),
    /** Certificate for encrypted assertions (PEM file) matching encryptionPrivateKeyFile. */
    encryptionCertificateFile: z.string().min(1).optional(),
    /** Sign AuthnRequests and logout messages (RSA-SHA256). Default: true when privateKeyFile is set. */
    signAuthnRequests: z.boolean().optional(),
  })
  .strict();

export const samlConnectorSchema = z
  .object({
    /** Connector id (see config-common.ts). */
    id: connectorId,
    type: z.literal('saml'),
    displayName: connectorDisplayName,
    /** Default `#145dbf`. */
    buttonColor: connectorButtonColor('#145dbf'),
    /** The connector behind Mattermost's `/login/sso/saml` paths. Default false; at most one. */
    default: z.boolean().default(false),
    /** Attribute-name preset from providers/. Default `generic`. */
    preset: z.enum(samlPresetNames).default('generic'),
    idp: samlIdpSchema,
    sp: samlSpSchema.prefault({}),
    /** Accept responses that answer no AuthnRequest of ours (IdP-initiated). Default false. */
    allowIdpInitiated: z.boolean().default(false),
    /** Require the Assertion to be signed. Default true. */
    wantAssertionsSigned: z.boolean().default(true),
    /** Require the Response to be signed. Default false. At least one of the two must be true. */
    wantResponseSigned: z.boolean().default(false),
    /** Accept SHA-1 signatures and digests. Default false. */
    allowSha1: z.boolean().default(false),
    /** Accept AES-CBC encrypted assertions (AES-GCM is always accepted). Default false. */
    allowAesCbc: z.boolean().default(false),
    /** Clock skew tolerated on NotBefore/NotOnOrAfter, seconds. Default 60. */
    clockSkewSeconds: z.number().int().min(0).max(600).default(60),
    /** Largest SAMLResponse accepted (decoded bytes). Default 262144 (256 KiB). */
    maxResponseBytes: z.number().int().min(4096).max(4_194_304).default(262_144),
    /** Attribute names; the preset's defaults are merged under these. */
    attributes: samlAttributesSchema.prefault({}),
    /** `attribute=value` that makes the user a system admin, e.g. `groups=chat-admins`. Default: none. */
    adminAttribute: attrEquals.optional(),
    /** `attribute=value` that makes the user a guest, e.g. `userType=Guest`. Default: none. */
    guestAttribute: attrEquals.optional(),
    /** Link an existing account with no other link by verified e-mail. Default false. */
    trustEmail: z.boolean().default(false),
    /** See config-common.ts. */
    trustIdpMfa: connectorTrustIdpMfa,
    /** Create accounts just in time. Default true. */
    allowSignup: z.boolean().default(true),
  })
  .strict()
  .refine((c) => c.wantAssertionsSigned || c.wantResponseSigned, {
    message: 'at least one of wantAssertionsSigned and wantResponseSigned must be true',
    path: ['wantAssertionsSigned'],
  })
  .refine((c) => c.idp.metadataFile || c.idp.metadataUrl || (c.idp.entityId && c.idp.ssoUrl && c.idp.certificates), {
    message: 'set idp.metadataFile or idp.metadataUrl, or all of idp.entityId, idp.ssoUrl and idp.certificates',
    path: ['idp'],
  })
  .refine((c) => !(c.idp.metadataFile && c.idp.metadataUrl), { message: 'set only one of idp.metadataFile and idp.metadataUrl', path: ['idp'] })
  .refine((c) => Boolean(c.sp.privateKeyFile) === Boolean(c.sp.certificateFile), {
    message: 'sp.privateKeyFile and sp.certificateFile go together',
    path: ['sp'],
  })
  .refine((c) => Boolean(c.sp.encryptionPrivateKeyFile) === Boolean(c.sp.encryptionCertificateFile), {
    message: 'sp.encryptionPrivateKeyFile and sp.encryptionCertificateFile go together',
    path: ['sp'],
  })
  .refine((c) => !(c.sp.signAuthnRequests && !c.sp.privateKeyFile), {
    message: 'sp.signAuthnRequests needs sp.privateKeyFile and sp.certificateFile (make them with `gatehouse saml keygen`)',
    path: ['sp', 'signAuthnRequests'],
  });

/** As written by the operator (defaults optional). */
export type SamlConnectorInput = z.input<typeof samlConnectorSchema>;
/** After parsing (defaults applied). */
export type SamlConnectorConfig = z.output<typeof samlConnectorSchema>;
export type SamlAttributeMap = z.output<typeof samlAttributesSchema>;

/** Mattermost's ACS path, also answered by the `default: true` connector. */
export const MATTERMOST_ACS_PATH = '/login/sso/saml';

export interface SamlUrls {
  entityId: string;
  acs: string;
  slo: string;
  metadata: string;
}

/** The SP's own URLs for this connector (the lead mounts the routes at these paths). */
export function samlUrls(config: Pick<SamlConnectorConfig, 'id' | 'sp'>, siteUrl: string): SamlUrls {
  const base = `${siteUrl.replace(/\/+$/, '')}/auth/${config.id}/saml`;
  return { entityId: config.sp.entityId ?? `${base}/metadata`, acs: `${base}/acs`, slo: `${base}/slo`, metadata: `${base}/metadata` };
}

/** Every Destination/Recipient we accept: our ACS, plus Mattermost's for the default connector. */
export function acsUrls(config: Pick<SamlConnectorConfig, 'id' | 'sp' | 'default'>, siteUrl: string): string[] {
  const urls = [samlUrls(config, siteUrl).acs];
  if (config.default) urls.push(`${siteUrl.replace(/\/+$/, '')}${MATTERMOST_ACS_PATH}`);
  return urls;
}

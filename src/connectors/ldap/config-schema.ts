/**
 * Configuration of one LDAP / Active Directory connector: the reference for every key, with its
 * default. Preset attribute names and filters (the `ldap` section of providers/<preset>.json) fill
 * whatever the operator leaves out; secrets never come from presets.
 */
import { z } from 'zod';
import { connectorDisplayName, connectorId } from '../config-common.js';

export const ldapPresetNames = ['openldap', 'active-directory', 'generic'] as const;
export type LdapPresetName = (typeof ldapPresetNames)[number];

const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$|^\d+(?:\.\d+)+$/, 'must be an LDAP attribute name such as "uid"');
const ldapFilter = z.string().regex(/^\(.*\)$/s, 'must be an LDAP filter in parentheses, e.g. "(objectClass=person)"');
const dn = z.string().min(3).max(2048).regex(/=/, 'must be a DN such as "ou=people,dc=example,dc=com"');
const ldapUrl = z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/i, 'must be ldap://host[:port] or ldaps://host[:port]');

/** Where each identity field comes from; unset keys come from the preset. */
export const ldapAttributesSchema = z
  .object({
    /** The stable, never-reassigned id of an entry. Default: preset (`entryUUID`; AD `objectGUID`, decoded to the canonical GUID string). */
    id: attributeName.optional(),
    /** The username. Default: preset (`uid`; AD `sAMAccountName`). */
    username: attributeName.optional(),
    /** E-mail. Default `mail`. */
    email: attributeName.optional(),
    /** First name. Default `givenName`. */
    firstName: attributeName.optional(),
    /** Last name. Default `sn`. */
    lastName: attributeName.optional(),
    /** Nickname. Default: none. */
    nickname: attributeName.optional(),
    /** Position (job title). Default `title`. */
    position: attributeName.optional(),
  })
  .strict();

export const ldapGroupsSchema = z
  .object({
    /** Where groups are searched. Default: the user base. */
    base: dn.optional(),
    /** Which entries are groups. Default: preset (`(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))`; AD `(objectClass=group)`). */
    filter: ldapFilter.optional(),
    /** Stable id of a group. Default: the users' id attribute. Groups are never identified by name. */
    idAttribute: attributeName.optional(),
    /** Display name of a group. Default `cn`. */
    nameAttribute: attributeName.default('cn'),
    /** Membership attributes holding member DNs. Default `member` and `uniqueMember`. */
    memberAttributes: z.array(attributeName).min(1).default(['member', 'uniqueMember']),
    /** Membership attribute holding usernames (posixGroup). Default `memberUid`; `""` to ignore. */
    memberUidAttribute: z.union([attributeName, z.literal('')]).default('memberUid'),
    /**
     * How nested groups are resolved: `recursive` (the gateway walks the membership graph, with
     * cycle detection — works everywhere), `in-chain` (AD's LDAP_MATCHING_RULE_IN_CHAIN at login;
     * sync still walks the graph) or `none`. Default: preset (`recursive`; AD `in-chain`).
     */
    nesting: z.enum(['recursive', 'in-chain', 'none']).optional(),
    /** Deepest nesting followed. Default 16. */
    maxDepth: z.number().int().min(1).max(64).default(16),
  })
  .strict();

export const ldapSyncSchema = z
  .object({
    /** Run the user and group sync on a timer. Default true. */
    enabled: z.boolean().default(true),
    /** Minutes between syncs. Default 60. */
    intervalMinutes: z.number().int().min(1).max(10_080).default(60),
    /** Create accounts for directory users who never signed in. Default false (accounts appear at first login). */
    createUsers: z.boolean().default(false),
    /**
     * The safety valve: a sync that would deactivate more than this share (percent) of the
     * connector's active users changes nothing and reports why. Default 5.
     */
    maxDeactivatePercent: z.number().min(0).max(100).default(5),
    /** A whole sync gives up (changing nothing) after this long, seconds. Default 600. */
    timeoutSeconds: z.number().int().min(10).max(86_400).default(600),
    /**
     * Between full syncs, read only users changed since the last one (`modifyTimestamp`; AD
     * `uSNChanged`, which is per domain controller: list one DC first in `url`). Groups are always
     * read whole. An incremental run deactivates only changed users now outside the filter or
     * disabled; users deleted from the directory are deactivated by the next full sync. Default true.
     */
    incremental: z.boolean().default(true),
    /** Hours between full syncs when incremental. Default 24. */
    fullSyncHours: z.number().int().min(1).max(720).default(24),
  })
  .strict();

export const ldapConnectorSchema = z
  .object({
    /** Connector id (see config-common.ts). */
    id: connectorId,
    type: z.literal('ldap'),
    /** Shown on /login above the username field when several directories are configured. */
    displayName: connectorDisplayName,
    /** Attribute names, filters and account checks from providers/. Default `generic` (as openldap). */
    preset: z.enum(ldapPresetNames).default('generic'),
    /** Directory servers, tried in order on connection failure: `ldap://host:389` or `ldaps://host:636`. */
    url: z.union([ldapUrl, z.array(ldapUrl).min(1)]).transform((u) => (Array.isArray(u) ? u : [u])),
    /** Upgrade `ldap://` with StartTLS before binding. Default false. */
    startTls: z.boolean().default(false),
    tls: z
      .object({
        /** PEM file of the CA(s) that sign the directory's certificate. Default: Node's bundled CAs. */
        caFile: z.string().min(1).optional(),
        /** The CA PEM inline (instead of caFile). */
        caPem: z.string().includes('BEGIN CERTIFICATE', { message: 'must be a PEM certificate' }).optional(),
        /** Name the certificate must carry when it differs from the URL's host. */
        serverName: z.string().min(1).optional(),
        /** Check the certificate. Default true; false is refused unless `insecureSkipVerify` is also set, and is logged at every start. */
        verify: z.boolean().default(true),
        /** Required together with `verify: false`, as a second confirmation. */
        insecureSkipVerify: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The service account used to search. */
    bindDn: dn,
    /** File holding the service account's password (preferred). Never logged. */
    bindPasswordFile: z.string().min(1).optional(),
    /** The service account's password inline (prefer bindPasswordFile or env). Never logged. */
    bindPassword: z.string().min(1).optional(),
    /** Where users are searched (subtree). */
    userBase: dn,
    /** Which entries are users who may sign in. Default: preset (`(objectClass=inetOrgPerson)`; AD `(&(objectCategory=person)(objectClass=user))`). */
    userFilter: ldapFilter.optional(),
    /** Attributes a login id is matched against (any of them). Default: preset (`uid`, `mail`; AD `sAMAccountName`, `userPrincipalName`). */
    loginAttributes: z.array(attributeName).min(1).optional(),
    attributes: ldapAttributesSchema.prefault({}),
    groups: ldapGroupsSchema.prefault({}),
    /** Group DNs whose (nested) members are system admins. Default: none. */
    adminGroups: z.array(dn).default([]),
    /** Group DNs whose (nested) members are guests. Default: none. */
    guestGroups: z.array(dn).default([]),
    /** Users matching this LDAP filter are system admins (Mattermost's AdminFilter), besides adminGroups. Default: none. */
    adminFilter: ldapFilter.optional(),
    /** Users matching this LDAP filter are guests (Mattermost's GuestFilter), besides guestGroups. Default: none. */
    guestFilter: ldapFilter.optional(),
    /**
     * Follow search referrals (continuation references) to the servers listed in `referralHosts`,
     * one hop, binding there with the same service account and TLS settings. Default false: referrals
     * are ignored (and counted in the log), never chased.
     */
    followReferrals: z.boolean().default(false),
    /** `host:port` of the servers referrals may lead to (required with followReferrals; the service password goes there). */
    referralHosts: z.array(z.string().regex(/^[^\s/:]+:\d{1,5}$/, 'must be host:port, e.g. "dc2.corp.example.com:636"')).default([]),
    /** Entries per page of a paged search (RFC 2696). Default 500. */
    pageSize: z.number().int().min(10).max(5000).default(500),
    /** TCP/TLS connect timeout, seconds. Default 5. */
    connectTimeoutSeconds: z.number().int().min(1).max(60).default(5),
    /** Timeout of one LDAP operation (bind, one search page), seconds. Default 10. */
    timeoutSeconds: z.number().int().min(1).max(300).default(10),
    /**
     * Disabled-account checks. Default: preset (AD: `userAccountControl` bit 2 and an expired
     * `accountExpires`; OpenLDAP: ppolicy `pwdAccountLockedTime`).
     */
    accountChecks: z
      .object({
        adUserAccountControl: z.boolean().optional(),
        adAccountExpires: z.boolean().optional(),
        ppolicyLock: z.boolean().optional(),
      })
      .strict()
      .prefault({}),
    /** Create accounts at first login. Default true. */
    allowSignup: z.boolean().default(true),
    /** Link an existing account with no other link by e-mail (directory e-mails count as verified). Default false. */
    trustEmail: z.boolean().default(false),
    sync: ldapSyncSchema.prefault({}),
  })
  .strict()
  .refine((c) => !(c.bindPassword && c.bindPasswordFile), { message: 'set only one of bindPassword and bindPasswordFile', path: ['bindPassword'] })
  .refine((c) => c.bindPassword || c.bindPasswordFile, { message: 'the service account needs bindPasswordFile (or bindPassword / GATEHOUSE_CONNECTORS__<n>__BINDPASSWORD)', path: ['bindPasswordFile'] })
  .refine((c) => !(c.tls.caFile && c.tls.caPem), { message: 'set only one of tls.caFile and tls.caPem', path: ['tls', 'caFile'] })
  .refine((c) => c.tls.verify || c.tls.insecureSkipVerify, { message: 'tls.verify: false also needs tls.insecureSkipVerify: true (certificate checks protect the passwords sent to the directory)', path: ['tls', 'verify'] })
  .refine((c) => !c.startTls || c.url.every((u) => u.toLowerCase().startsWith('ldap://')), { message: 'startTls applies to ldap:// URLs; ldaps:// is already TLS', path: ['startTls'] })
  .refine((c) => !c.followReferrals || c.referralHosts.length > 0, { message: 'followReferrals needs referralHosts: the servers the service account may be sent to', path: ['referralHosts'] });

export type LdapConnectorInput = z.input<typeof ldapConnectorSchema>;
export type LdapConnectorConfig = z.output<typeof ldapConnectorSchema>;

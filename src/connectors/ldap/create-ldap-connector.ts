/**
 * Build one LDAP connector: settings resolved and checked at start, then `login` = search the user
 * with the service account (login id escaped into the filter), refuse disabled accounts, bind as
 * the user's DN to check the password, and read their groups (nested included).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Identity, PasswordConnector } from '../contract.js';
import type { LdapConnectorInput } from './config-schema.js';
import { bindAsUser, LdapUnavailableError, openServiceSession, SERVER, type DirectorySession } from './directory-client.js';
import { isSkipped, toDirectoryUser, userAttributes, type DirectoryUser } from './entries.js';
import { loginFilter } from './filters.js';
import { resolveLdapSettings, type LdapSettings } from './settings.js';
import { groupsOfUser, type DirectoryGroup } from './user-groups.js';

export interface LdapConnector extends PasswordConnector {
  readonly type: 'ldap';
  readonly displayName: string;
  readonly settings: LdapSettings;
  /** A service-account session, for sync and `gatehouse ldap test`; the caller closes it. */
  openSession(): Promise<DirectorySession>;
  /**
   * The identity a directory user maps to (groups included), as login produces it. `filters`: whether
   * the user matches adminFilter / guestFilter (undefined where that filter is not configured).
   */
  identityOf(user: DirectoryUser, groups: DirectoryGroup[], filters?: { admin?: boolean; guest?: boolean }): Identity;
}

/** Login ids longer than this are refused before the directory is asked. */
const MAX_LOGIN_ID = 256;
const MAX_PASSWORD = 1024;

/** Does this one entry match adminFilter / guestFilter? A base-scope search on the user's DN each. */
export async function matchRoleFilters(session: DirectorySession, s: LdapSettings, dn: string): Promise<{ admin?: boolean; guest?: boolean }> {
  const out: { admin?: boolean; guest?: boolean } = {};
  if (s.adminFilter) out.admin = (await session.search(dn, s.adminFilter, ['1.1'], { paged: false, scope: 'base' })).length > 0;
  if (s.guestFilter) out.guest = (await session.search(dn, s.guestFilter, ['1.1'], { paged: false, scope: 'base' })).length > 0;
  return out;
}

export function createLdapConnector(input: LdapConnectorInput, deps: { logger: Logger; now?: () => number; providersDir?: URL | string }): LdapConnector {
  const s = resolveLdapSettings(input, deps.providersDir);
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  if (!s.encrypted && !s.urls.every((u) => /^ldap:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:|\/|$)/i.test(u))) {
    log.warn({ connector: s.id }, 'LDAP passwords travel unencrypted: use ldaps:// or startTls');
  }
  if (!s.tls.rejectUnauthorized) log.warn({ connector: s.id }, 'LDAP certificate checks are OFF (tls.verify: false)');

  const identityOf = (user: DirectoryUser, groups: DirectoryGroup[], filters: { admin?: boolean; guest?: boolean } = {}): Identity => {
    const keys = new Set(groups.map((g) => g.dnKey));
    const inAny = (set: Set<string>) => [...set].some((dn) => keys.has(dn));
    const identity: Identity = {
      connectorId: s.id, subject: user.id, email: user.email, emailVerified: user.email !== '',
      username: user.username, groups: groups.map((g) => g.id), amr: ['pwd'],
      raw: { dn: user.dn }, groupDetails: Object.fromEntries(groups.map((g) => [g.id, { name: g.name, dn: g.dn }])),
    };
    if (user.firstName) identity.firstName = user.firstName;
    if (user.lastName) identity.lastName = user.lastName;
    if (user.nickname) identity.nickname = user.nickname;
    if (user.position) identity.position = user.position;
    // Admin and guest follow the directory only where the operator mapped them (groups, filters, or both).
    if (s.adminGroups.size > 0 || s.adminFilter) identity.isAdmin = inAny(s.adminGroups) || filters.admin === true;
    if (s.guestGroups.size > 0 || s.guestFilter) identity.isGuest = inAny(s.guestGroups) || filters.guest === true;
    return identity;
  };

  const unavailable = (err: unknown): GatewayError => {
    log.warn({ connector: s.id, reason: (err as Error).message }, 'directory unavailable during sign-in');
    return new GatewayError('LDAP_UNAVAILABLE', { detail: `connector ${s.id}: ${(err as Error).message}`, cause: err });
  };

  return {
    id: s.id,
    kind: 'password',
    type: 'ldap',
    displayName: s.displayName,
    settings: s,
    linking: { trustEmail: s.trustEmail, allowSignup: s.allowSignup },
    openSession: () => openServiceSession(s),
    identityOf,
    async login(loginId, password) {
      // An empty password would be an unauthenticated bind that AD answers with success.
      if (password === '' || loginId.trim() === '' || loginId.length > MAX_LOGIN_ID || password.length > MAX_PASSWORD) return null;
      let session: DirectorySession | undefined;
      try {
        session = await openServiceSession(s);
        const entries = await session.search(s.userBase, loginFilter(s.userFilter, s.loginAttributes, loginId.trim()), userAttributes(s), { paged: false });
        if (session.ignoredReferrals > 0) log.info({ connector: s.id, referrals: session.ignoredReferrals }, 'directory answered with referrals that were not followed (followReferrals / referralHosts)');
        // Every refusal costs one user bind, as a wrong password does, so timing does not tell which accounts exist.
        const decoy = () => bindAsUser(s, `cn=${randomBytes(12).toString('hex')},${s.userBase}`, password).catch(() => false);
        if (entries.length !== 1) {
          if (entries.length > 1) log.warn({ connector: s.id, matches: entries.length }, 'a login id matched several directory entries; refused');
          await decoy();
          return null;
        }
        const user = toDirectoryUser(s, entries[0]!, now());
        if (isSkipped(user)) {
          log.warn({ connector: s.id, dn: user.dn, reason: user.skip }, 'directory entry cannot sign in');
          await decoy();
          return null;
        }
        if (user.disabled) {
          log.info({ connector: s.id, dn: user.dn, reason: user.disabled }, 'disabled directory account refused');
          await decoy();
          return null;
        }
        if (!(await bindAsUser(s, user.dn, password, (entries[0] as unknown as Record<symbol, string | undefined>)[SERVER]))) return null;
        const groups = s.groups.nesting === 'none' && s.groups.memberAttributes.length === 0 ? [] : await groupsOfUser(session, s, user);
        return identityOf(user, groups, await matchRoleFilters(session, s, user.dn));
      } catch (err) {
        if (err instanceof LdapUnavailableError) throw unavailable(err);
        throw err;
      } finally {
        await session?.close();
      }
    },
  };
}

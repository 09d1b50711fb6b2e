/**
 * Talking to one directory: connect (servers in order, StartTLS when configured, certificate checks
 * on), bind as the service account, paged searches, and binding as a user to check a password.
 * A server that cannot be reached, times out or answers a protocol error is `LdapUnavailableError`;
 * wrong credentials are an ordinary `false`, so the login pipeline can tell the two apart.
 */
import { Client, InvalidCredentialsError, ResultCodeError, type Entry, type SearchOptions } from 'ldapts';
import type { LdapSettings } from './settings.js';

export class LdapUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LdapUnavailableError';
  }
}

/** Result codes that mean "this bind's credentials are not accepted" (RFC 4511 §4.1.9). */
const CREDENTIAL_CODES = new Set([49 /* invalidCredentials */, 48 /* inappropriateAuthentication */, 53 /* unwillingToPerform (AD: account rules) */]);

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: string };
  return `${e.message ?? String(err)}${typeof e.code === 'number' ? ` (LDAP result ${e.code})` : typeof e.code === 'string' ? ` (${e.code})` : ''}`;
}

/**
 * Connect to the first server that answers and run `first` (the bind) on it: ldapts connects
 * lazily, so the bind is what proves a server is there. A server that answered with an LDAP result
 * (wrong credentials, say) is not retried elsewhere — its answer stands.
 */
async function connect(s: LdapSettings, first: (client: Client) => Promise<void>): Promise<Client> {
  const failures: string[] = [];
  for (const url of s.urls) {
    // ldapts opens TLS whenever tlsOptions is given: only ldaps:// gets them here (StartTLS takes its own).
    const ldaps = url.toLowerCase().startsWith('ldaps://');
    const client = new Client({ url, timeout: s.timeoutMs, connectTimeout: s.connectTimeoutMs, ...(ldaps ? { tlsOptions: s.tls } : {}), strictDN: false });
    try {
      if (s.startTls) await client.startTLS(s.tls);
      await first(client);
      return client;
    } catch (err) {
      await client.unbind().catch(() => undefined);
      if (err instanceof ResultCodeError) throw err;
      failures.push(`${url}: ${describe(err)}`);
    }
  }
  throw new LdapUnavailableError(`no directory server answered: ${failures.join('; ')}`);
}

/** A connection bound as the service account; the caller closes it with `close()`. */
/** Entries read through a referral carry the server they came from under this key (not enumerable). */
export const SERVER = Symbol('ldap-server');

/** Where a referral URL points, when it is to an allowed `host:port` and the same scheme family; undefined otherwise. */
export function referralTarget(ref: string, s: Pick<LdapSettings, 'referralHosts'>): { url: string; base: string } | undefined {
  let u: URL;
  try { u = new URL(ref); } catch { return undefined; }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') return undefined;
  const port = u.port || (scheme === 'ldaps' ? '636' : '389');
  const hostPort = `${u.hostname.toLowerCase()}:${port}`;
  if (!s.referralHosts.has(hostPort)) return undefined;
  return { url: `${scheme}://${u.host}`, base: decodeURIComponent(u.pathname.replace(/^\//, '')) };
}

export interface DirectorySession {
  /** Referrals met and not followed (not allowed, or followReferrals off). */
  readonly ignoredReferrals: number;
  search(base: string, filter: string, attributes: string[], opts?: { paged?: boolean; scope?: 'base' | 'one' | 'sub' }): Promise<Entry[]>;
  /** Page by page, so a 100k-user directory never sits in memory twice. */
  pages(base: string, filter: string, attributes: string[]): AsyncGenerator<Entry[]>;
  close(): Promise<void>;
}

export async function openServiceSession(s: LdapSettings): Promise<DirectorySession> {
  // An empty password would be an unauthenticated bind that many servers accept.
  if (s.bindPassword === '') throw new LdapUnavailableError('the service account password is empty');
  let client: Client;
  try {
    client = await connect(s, (c) => c.bind(s.bindDn, s.bindPassword));
  } catch (err) {
    if (err instanceof LdapUnavailableError) throw err;
    if (err instanceof InvalidCredentialsError) throw new LdapUnavailableError('the service account bind was refused (check bindDn and its password)', { cause: err });
    throw new LdapUnavailableError(`cannot reach the directory: ${describe(err)}`, { cause: err });
  }
  const options = (filter: string, attributes: string[], extra: Partial<SearchOptions>): SearchOptions => ({
    scope: 'sub', filter, attributes, explicitBufferAttributes: s.binaryAttributes, timeLimit: Math.ceil(s.timeoutMs / 1000), ...extra,
  });
  /** One hop into each allowed referral; its entries remember their server (a user's bind goes there). */
  const chase = async (refs: string[], base: string, filter: string, attributes: string[], scope: 'base' | 'one' | 'sub'): Promise<Entry[]> => {
    const out: Entry[] = [];
    for (const ref of refs) {
      const target = referralTarget(ref, s);
      if (!target) { ignoredReferrals += 1; continue; }
      const remote = await openServiceSession({ ...s, urls: [target.url], referralHosts: new Set() });
      try {
        for (const e of await remote.search(target.base || base, filter, attributes, { scope })) {
          Object.defineProperty(e, SERVER, { value: target.url, enumerable: false });
          out.push(e);
        }
      } finally {
        await remote.close();
      }
    }
    return out;
  };
  let ignoredReferrals = 0;
  return {
    get ignoredReferrals() { return ignoredReferrals; },
    async search(base, filter, attributes, opts = {}) {
      let result;
      try {
        result = await client.search(base, options(filter, attributes, {
          scope: opts.scope ?? 'sub', ...(opts.paged === false ? {} : { paged: { pageSize: s.pageSize } }),
        }));
      } catch (err) {
        throw new LdapUnavailableError(`search under ${base} failed: ${describe(err)}`, { cause: err });
      }
      if (result.searchReferences.length === 0) return result.searchEntries;
      return [...result.searchEntries, ...(await chase(result.searchReferences, base, filter, attributes, opts.scope ?? 'sub'))];
    },
    async *pages(base, filter, attributes) {
      const refs: string[] = [];
      try {
        for await (const page of client.searchPaginated(base, options(filter, attributes, { paged: { pageSize: s.pageSize } }))) {
          refs.push(...page.searchReferences);
          yield page.searchEntries;
        }
      } catch (err) {
        throw new LdapUnavailableError(`paged search under ${base} failed: ${describe(err)}`, { cause: err });
      }
      if (refs.length > 0) yield await chase(refs, base, filter, attributes, 'sub');
    },
    async close() {
      await client.unbind().catch(() => undefined);
    },
  };
}

/**
 * Check a user's password by binding as their DN on a fresh connection. True for success, false
 * when the directory refuses the credentials (wrong password, locked, disabled); throws
 * LdapUnavailableError when it cannot be asked.
 */
export async function bindAsUser(s: LdapSettings, dn: string, password: string, server?: string): Promise<boolean> {
  // Refused before any bind: an empty simple-bind password is an unauthenticated bind (RFC 4513 §5.1.2).
  if (password === '' || dn === '') return false;
  try {
    // A user found through a referral binds on the server that holds their entry.
    const client = await connect(server ? { ...s, urls: [server] } : s, (c) => c.bind(dn, password));
    await client.unbind().catch(() => undefined);
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof InvalidCredentialsError || (typeof code === 'number' && CREDENTIAL_CODES.has(code))) return false;
    if (err instanceof LdapUnavailableError) throw err;
    throw new LdapUnavailableError(`user bind failed: ${describe(err)}`, { cause: err });
  }
}

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
export interface DirectorySession {
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
  return {
    async search(base, filter, attributes, opts = {}) {
      try {
        const { searchEntries } = await client.search(base, options(filter, attributes, {
          scope: opts.scope ?? 'sub', ...(opts.paged === false ? {} : { paged: { pageSize: s.pageSize } }),
        }));
        return searchEntries;
      } catch (err) {
        throw new LdapUnavailableError(`search under ${base} failed: ${describe(err)}`, { cause: err });
      }
    },
    async *pages(base, filter, attributes) {
      try {
        for await (const page of client.searchPaginated(base, options(filter, attributes, { paged: { pageSize: s.pageSize } }))) {
          yield page.searchEntries;
        }
      } catch (err) {
        throw new LdapUnavailableError(`paged search under ${base} failed: ${describe(err)}`, { cause: err });
      }
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
export async function bindAsUser(s: LdapSettings, dn: string, password: string): Promise<boolean> {
  // Refused before any bind: an empty simple-bind password is an unauthenticated bind (RFC 4513 §5.1.2).
  if (password === '' || dn === '') return false;
  try {
    const client = await connect(s, (c) => c.bind(dn, password));
    await client.unbind().catch(() => undefined);
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof InvalidCredentialsError || (typeof code === 'number' && CREDENTIAL_CODES.has(code))) return false;
    if (err instanceof LdapUnavailableError) throw err;
    throw new LdapUnavailableError(`user bind failed: ${describe(err)}`, { cause: err });
  }
}

/**
 * LDAP filter building. Every value placed in a filter goes through RFC 4515 escaping (ldapts'
 * Filter.escape: `*` `(` `)` `\` NUL and non-ASCII bytes as `\xx`), so a login id such as
 * `*)(uid=*` matches only an entry literally named that.
 */
import { Filter } from 'ldapts';

export const escapeValue = (value: string): string => Filter.escape(value);

/** `(&<userFilter>(|(a1=v)(a2=v)…))` for a login id matched against each login attribute. */
export function loginFilter(userFilter: string, loginAttributes: readonly string[], loginId: string): string {
  const v = escapeValue(loginId);
  const any = loginAttributes.map((a) => `(${a}=${v})`).join('');
  return `(&${userFilter}${loginAttributes.length > 1 ? `(|${any})` : any})`;
}

/** `(&<filter>(attr>=value))`, e.g. users changed since a timestamp. */
export function changedSinceFilter(filter: string, attribute: string, value: string): string {
  return `(&${filter}(${attribute}>=${escapeValue(value)}))`;
}

/** LDAP GeneralizedTime (`YYYYMMDDHHMMSSZ`) of an instant. */
export function generalizedTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

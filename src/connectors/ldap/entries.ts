/**
 * Reading directory entries: attribute values by case-insensitive name, the stable id (objectGUID
 * decoded), the disabled-account checks, and the normalized directory user that login and sync share.
 */
import type { Entry } from 'ldapts';
import { decodeObjectGuid, isAccountExpired, isUacDisabled } from './ad.js';
import { normalizeDn, type LdapSettings } from './settings.js';


export function values(entry: Entry, attribute: string): (string | Buffer)[] {
  // Servers usually answer with the attribute's name as asked; otherwise match it case-insensitively.
  let v = (entry as Record<string, unknown>)[attribute];
  if (v === undefined) {
    const lower = attribute.toLowerCase();
    const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
    if (key === undefined) return [];
    v = (entry as Record<string, unknown>)[key];
  }
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? (v as (string | Buffer)[]) : [v as string | Buffer];
}

export function first(entry: Entry, attribute: string | undefined): string | undefined {
  if (!attribute) return undefined;
  const v = values(entry, attribute)[0];
  if (v === undefined) return undefined;
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return s === '' ? undefined : s;
}

export function strings(entry: Entry, attribute: string): string[] {
  return values(entry, attribute).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).filter((v) => v !== '');
}

/** The stable id of an entry: objectGUID as its canonical string, anything else as text. */
export function stableId(entry: Entry, attribute: string): string | undefined {
  const v = values(entry, attribute)[0];
  if (v === undefined) return undefined;
  if (attribute.toLowerCase() === 'objectguid') {
    const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'binary');
    return bytes.length === 16 ? decodeObjectGuid(bytes) : undefined;
  }
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return s === '' ? undefined : s.toLowerCase();
}

/** Attributes to request for a user entry. */
export function userAttributes(s: LdapSettings): string[] {
  const a = s.attrs;
  const list = [a.id, a.username, a.email, a.firstName, a.lastName, a.nickname, a.position, ...s.loginAttributes];
  if (s.checks.uac) list.push('userAccountControl');
  if (s.checks.expires) list.push('accountExpires');
  if (s.checks.ppolicy) list.push('pwdAccountLockedTime');
  return [...new Set(list.filter((x): x is string => Boolean(x)))];
}

/** Why an account may not sign in, or undefined when it may. */
export function disabledReason(s: LdapSettings, entry: Entry, nowMs: number): string | undefined {
  if (s.checks.uac && isUacDisabled(first(entry, 'userAccountControl'))) return 'userAccountControl ACCOUNTDISABLE is set';
  if (s.checks.expires && isAccountExpired(first(entry, 'accountExpires'), nowMs)) return 'accountExpires is in the past';
  if (s.checks.ppolicy && first(entry, 'pwdAccountLockedTime')) return 'ppolicy pwdAccountLockedTime is set';
  return undefined;
}

export interface DirectoryUser {
  dn: string;
  /** normalizeDn(dn), for membership matching. */
  dnKey: string;
  id: string;
  username: string;
  email: string;
  firstName?: string;
  lastName?: string;
  nickname?: string;
  position?: string;
  disabled?: string;
}

/** A user entry as the gateway sees it, or a reason it cannot be used. */
export function toDirectoryUser(s: LdapSettings, entry: Entry, nowMs: number): DirectoryUser | { skip: string; dn: string } {
  const id = stableId(entry, s.attrs.id);
  if (!id) return { skip: `no ${s.attrs.id}`, dn: entry.dn };
  const username = first(entry, s.attrs.username);
  const email = first(entry, s.attrs.email);
  if (!username) return { skip: `no ${s.attrs.username}`, dn: entry.dn };
  const user: DirectoryUser = { dn: entry.dn, dnKey: normalizeDn(entry.dn), id, username, email: (email ?? '').toLowerCase() };
  const opt = (k: 'firstName' | 'lastName' | 'nickname' | 'position') => {
    const v = first(entry, s.attrs[k]);
    if (v !== undefined) user[k] = v;
  };
  opt('firstName'); opt('lastName'); opt('nickname'); opt('position');
  const disabled = disabledReason(s, entry, nowMs);
  if (disabled) user.disabled = disabled;
  return user;
}

export function isSkipped(u: DirectoryUser | { skip: string }): u is { skip: string; dn: string } {
  return 'skip' in u;
}


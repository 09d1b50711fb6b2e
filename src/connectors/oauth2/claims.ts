/**
 * From user-info JSON to identity fields by dotted paths (`data.user.id`), and the admin/guest
 * `path=value` rules. A value is read, never coerced from an object: a path that lands on an
 * object or array where a string is wanted counts as absent.
 */
import type { OAuth2Context } from './context.js';
import { refuse } from './context.js';

/** Follow a dotted path through plain objects (own properties only, so `__proto__` finds nothing). */
export function readPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function readString(root: unknown, path: string | undefined): string | undefined {
  if (!path) return undefined;
  const v = readPath(root, path);
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A stable subject: a non-empty string, or an integer (GitHub and GitLab ids are numbers). */
export function readSubject(ctx: OAuth2Context, root: unknown, path: string, what: string): string {
  const v = readPath(root, path);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && v.trim()) return v.trim();
  return refuse(ctx, `${what} has no usable id at "${path}" (found ${v === undefined ? 'nothing' : typeof v})`);
}

export function readGroups(root: unknown, path: string | undefined): string[] {
  if (!path) return [];
  const v = readPath(root, path);
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((g): g is string | number => typeof g === 'string' || typeof g === 'number').map(String);
}

/** Mattermost's rule for GitLab: the first word of `name` is the first name, the rest the last. */
export function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return {};
  return { firstName: words[0], ...(words.length > 1 ? { lastName: words.slice(1).join(' ') } : {}) };
}

/** `path=value`: true when the value at path equals it, or is an array containing it. */
export function matchesRule(root: unknown, rule: string | undefined, extra: Record<string, unknown> = {}): boolean {
  if (!rule) return false;
  const at = rule.indexOf('=');
  const path = rule.slice(0, at);
  const wanted = rule.slice(at + 1);
  const v = Object.hasOwn(extra, path) ? extra[path] : readPath(root, path);
  const list = Array.isArray(v) ? v : [v];
  return list.some((x) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') && String(x) === wanted);
}

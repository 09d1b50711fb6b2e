/**
 * Load the configuration once: file, then `GATEHOUSE_*` environment overrides, validated together so
 * every problem is reported at once (with its key and a fix), then deep-frozen. The only module that
 * reads `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema, type Config, type ConfigInput } from './schema.js';

/** Short environment names that acceptance checks and operators rely on. */
const ENV_ALIASES: Record<string, string> = {
  GATEHOUSE_PORT: 'listen.port',
  GATEHOUSE_HOST: 'listen.host',
  GATEHOUSE_CHAT_PORT: 'chat.port',
  GATEHOUSE_CHAT_URL: 'chat.url',
  GATEHOUSE_DATA_DIR: 'dataDir',
  GATEHOUSE_DATABASE_URL: 'database.url',
  GATEHOUSE_CHAT_DATABASE_URL: 'chat.databaseUrl',
  GATEHOUSE_REDIS_URL: 'redis.url',
  GATEHOUSE_SITE_URL: 'siteUrl',
  GATEHOUSE_ADMIN_EMAIL: 'admin.email',
  GATEHOUSE_ADMIN_PASSWORD: 'admin.password',
  GATEHOUSE_ADMIN_USERNAME: 'admin.username',
  GATEHOUSE_LOG_LEVEL: 'logging.level',
  GATEHOUSE_SECRET_KEY: 'secretKey',
};
/** Variables that are not config keys. */
const NOT_KEYS = new Set(['GATEHOUSE_CONFIG']);

export interface ConfigProblem {
  /** Dotted key, e.g. `sessions.idleTimeoutMinutes`, with where it came from. */
  key: string;
  message: string;
  fix: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${p.key}: ${p.message}. Fix: ${p.fix}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Path of a JSON config file; default `GATEHOUSE_CONFIG`, else `./gatehouse.json` when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (tests, CLI flags). */
  overrides?: ConfigInput;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const file = options.file ?? env.GATEHOUSE_CONFIG ?? (existsSync('gatehouse.json') ? 'gatehouse.json' : undefined);
  const fromFile = file ? readConfigFile(file, problems) : {};
  const sources = new Map<string, string>();
  const merged = deepMerge(deepMerge(fromFile, envOverrides(env, sources, problems)), options.overrides ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) problems.push(...result.error.issues.map((i) => describeIssue(i, sources, file)));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

function readConfigFile(file: string, problems: ConfigProblem[]): object {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
    problems.push({ key: file, message: 'the file must hold one JSON object', fix: 'wrap the settings in { … }' });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(err as Error).message})`;
    problems.push({ key: file, message: reason, fix: 'point GATEHOUSE_CONFIG or --config at a readable JSON file' });
  }
  return {};
}

/** `GATEHOUSE_SESSIONS__IDLE_TIMEOUT_MINUTES` → `sessions.idleTimeoutMinutes`. */
function envOverrides(env: NodeJS.ProcessEnv, sources: Map<string, string>, problems: ConfigProblem[]): object {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('GATEHOUSE_') || NOT_KEYS.has(name) || value === undefined || value === '') continue;
    const path = ENV_ALIASES[name] ?? name.slice('GATEHOUSE_'.length).split('__').map(camelCase).join('.');
    if (!path || path.split('.').some((p) => p === '')) {
      problems.push({ key: name, message: 'not a Gatehouse setting', fix: 'remove it, or see the configuration reference in README.md' });
      continue;
    }
    sources.set(path, name);
    setPath(out, path.split('.'), value);
  }
  return out;
}

function camelCase(snake: string): string {
  return snake.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function describeIssue(issue: z.core.$ZodIssue, sources: Map<string, string>, file: string | undefined): ConfigProblem {
  const key = issue.path.map(String).join('.') || '(root)';
  const source = sources.get(key) ?? (file ? `${file}` : 'defaults');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (key === '(root)' ? k : `${key}.${k}`));
    const named = keys.map((k) => `${k} (${sources.get(k) ?? file ?? 'overrides'})`);
    return { key: named.join(', '), message: 'unknown setting', fix: 'check the spelling against the configuration reference in README.md' };
  }
  return { key: `${key} (${source})`, message: issue.message, fix: fixFor(issue) };
}

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return `give a ${issue.expected}`;
    case 'too_small': return `use a value of at least ${String(issue.minimum)}`;
    case 'too_big': return `use a value of at most ${String(issue.maximum)}`;
    case 'invalid_value': return `use one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format': return issue.format === 'regex' ? 'use a URL of the kind named' : `give a valid ${issue.format}`;
    default: return 'see the configuration reference in README.md';
  }
}

function deepMerge(base: object, extra: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepFreeze<T>(value: T): T {
  if (isPlainObject(value) || Array.isArray(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

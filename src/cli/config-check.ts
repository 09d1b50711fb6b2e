/** `gatehouse config check`: the configuration as the server sees it, secrets hidden. */
import type { Config } from '../config/schema.js';
import type { CliIo } from './run.js';

/** Keys whose values are secrets: `password`, `bindPassword`, `clientSecret`, `secretKey`, … (not the `…File` paths). */
const SECRET_KEY = /(password|secret|secretkey)$/i;

function redact(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return '[set]';
    return value.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:[redacted]@');
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return value;
}

export function runConfigCheck(rest: string[], config: Config, io: CliIo): number {
  if (rest[0] !== 'check') {
    io.err('usage: gatehouse config check [--config FILE]\n');
    return 2;
  }
  io.out(`Configuration is valid.\n${JSON.stringify(redact(config), null, 2)}\n`);
  return 0;
}

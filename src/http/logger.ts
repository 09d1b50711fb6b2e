/** pino JSON logs, snake_case keys; credentials are redacted wherever they might appear. */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization', 'cookie', 'password', 'token', 'secret', 'csrf_token', 'SAMLResponse', 'code',
  '*.authorization', '*.cookie', '*.password', '*.token', '*.secret', '*.csrf_token', '*.SAMLResponse', '*.code',
  'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie',
];

export function createLogger(options: { level: string; name?: string }, destination?: DestinationStream): Logger {
  return pino({
    name: options.name ?? 'gatehouse',
    level: options.level,
    base: { service: options.name ?? 'gatehouse' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  }, destination);
}

/** A pino logger writing to memory, so security tests can read the log line a refusal wrote; and a fake clock. */
import pino, { type Logger } from 'pino';

export interface LogSink {
  lines: Array<Record<string, unknown>>;
  /** Lines at warn (40) or above. */
  warnings(): Array<Record<string, unknown>>;
  text(): string;
}

export function createLogSink(): { logger: Logger; sink: LogSink } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const sink: LogSink = {
    lines,
    warnings: () => lines.filter((l) => typeof l.level === 'number' && l.level >= 40),
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
  };
  return { logger, sink };
}

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function createFakeClock(start = Date.now()): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

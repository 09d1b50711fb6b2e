/**
 * Command-line options shared by the benches: `--rounds N --seconds S` plus a few named choices
 * per bench. Every option is validated; a bad one stops the bench with the list of what it takes.
 */

export interface ChoiceOption {
  values: readonly string[];
  default: string;
  help: string;
}

export interface ArgSpec {
  rounds: number;
  seconds: number;
  /** What one `--seconds` buys in this bench (shown in --help). */
  secondsHelp: string;
  choices?: Record<string, ChoiceOption>;
}

export interface BenchArgs {
  rounds: number;
  seconds: number;
  choice(name: string): string;
  help: boolean;
}

export class BenchArgError extends Error {
  override readonly name = 'BenchArgError';
}

export function parseBenchArgs(argv: readonly string[], spec: ArgSpec): BenchArgs {
  const chosen = new Map<string, string>();
  let rounds = spec.rounds;
  let seconds = spec.seconds;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new BenchArgError(`${flag} needs a value`);
    if (flag === '--rounds') rounds = boundedNumber(flag, value, 1, 50, true);
    else if (flag === '--seconds') seconds = boundedNumber(flag, value, 0.2, 60, false);
    else chosen.set(choiceName(flag, value, spec), value);
  }
  return {
    rounds, seconds, help,
    choice: (name) => chosen.get(name) ?? spec.choices?.[name]?.default ?? '',
  };
}

function boundedNumber(flag: string, raw: string, min: number, max: number, integer: boolean): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new BenchArgError(`${flag} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}

function choiceName(flag: string, value: string, spec: ArgSpec): string {
  const name = flag.replace(/^--/, '');
  const option = spec.choices?.[name];
  if (!flag.startsWith('--') || !option) throw new BenchArgError(`unknown option ${flag}`);
  if (!option.values.includes(value)) throw new BenchArgError(`--${name} takes ${option.values.join(' | ')} (got "${value}")`);
  return name;
}

export function usage(bench: string, summary: string, spec: ArgSpec): string {
  const lines = [
    `npm run bench -- ${bench} [options]`, '', summary, '',
    `  --rounds N     interleaved rounds, median reported (default ${spec.rounds})`,
    `  --seconds S    ${spec.secondsHelp} (default ${spec.seconds})`,
  ];
  for (const [name, option] of Object.entries(spec.choices ?? {})) {
    lines.push(`  --${name} ${option.values.join('|')}`.padEnd(17) + `  ${option.help} (default ${option.default})`);
  }
  return lines.join('\n');
}

/** The `gatehouse` command line. Exit codes: 0 ok, 1 failure (message printed), 2 usage error. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../http/logger.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { runServe } from './serve.js';
import { runMigrate } from './migrate.js';
import { runConfigCheck } from './config-check.js';
import { runUser } from './user.js';
import { runKeys } from './keys.js';
import { runSaml } from './saml.js';
import { runImportMattermost } from './import-mattermost.js';
import { runIdpImport } from './idp.js';
import { runLdap } from './ldap.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STD_IO: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function runCli(argv: string[], io: CliIo = STD_IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, email: { type: 'string' }, username: { type: 'string' },
        password: { type: 'string' }, admin: { type: 'boolean' }, guest: { type: 'boolean' }, force: { type: 'boolean' },
        page: { type: 'string' }, 'per-page': { type: 'string' }, out: { type: 'string' }, cn: { type: 'string' }, days: { type: 'string' }, id: { type: 'string' }, preset: { type: 'string' },
        user: { type: 'string' }, 'dry-run': { type: 'boolean' }, full: { type: 'boolean' }, search: { type: 'string' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${MAIN_HELP}`);
    return 2;
  }
  const [command = 'serve', ...rest] = parsed.positionals;
  if (parsed.values.help && parsed.positionals.length === 0) {
    io.out(MAIN_HELP);
    return 0;
  }
  if (parsed.values.help || command === 'help') {
    io.out(COMMAND_HELP[command === 'help' ? (rest[0] ?? '') : command] ?? MAIN_HELP);
    return 0;
  }
  if (command === 'import') return runImportMattermost(rest, io);
  if (command === 'idp') return runIdpImport(rest, parsed.values, io);
  if (!['serve', 'gateway', 'chat', 'migrate', 'config', 'user', 'keys', 'saml', 'ldap'].includes(command)) {
    io.err(`unknown command "${command}"\n\n${MAIN_HELP}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(parsed.values.config ? { file: parsed.values.config } : {});
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`${err.message}\n`);
    return 1;
  }
  const logger = createLogger({ level: config.logging.level });
  switch (command) {
    case 'serve': case 'gateway': case 'chat': return runServe(command, config, logger, io);
    case 'migrate': return runMigrate(config, logger, io);
    case 'config': return runConfigCheck(rest, config, io);
    case 'user': return runUser(rest, parsed.values, config, logger, io);
    case 'saml': return runSaml(rest, parsed.values, config, logger, io);
    case 'ldap': return runLdap(rest, parsed.values, config, logger, io);
    default: return runKeys(rest, parsed.values, config, logger, io);
  }
}

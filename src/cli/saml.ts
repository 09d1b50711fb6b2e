/** `gatehouse saml keygen | metadata`. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { generateSpKeyPair } from '../connectors/saml/keygen.js';
import { COMMAND_HELP } from './help.js';
import { withOfflineGateway } from './offline-gateway.js';
import { runSamlTest } from './idp.js';
import type { CliIo } from './run.js';

export async function runSaml(rest: string[], flags: { out?: string; cn?: string; days?: string }, config: Config, logger: Logger, io: CliIo): Promise<number> {
  const [sub, target] = rest;
  if (sub === 'keygen') {
    const dir = resolve(flags.out ?? '.');
    const days = Number(flags.days ?? 730);
    if (!Number.isInteger(days) || days < 1 || days > 3650) { io.err('--days must be a whole number of days between 1 and 3650\n'); return 2; }
    const keyFile = join(dir, 'saml-sp-key.pem');
    const certFile = join(dir, 'saml-sp-cert.pem');
    const existing = [keyFile, certFile].filter((f) => existsSync(f));
    if (existing.length > 0) { io.err(`refusing to overwrite ${existing.join(' and ')}; move them away or choose another --out\n`); return 1; }
    const commonName = flags.cn ?? new URL(config.siteUrl).hostname;
    const { privateKeyPem, certificatePem } = await generateSpKeyPair({ commonName, days });
    mkdirSync(dir, { recursive: true });
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600, flag: 'wx' });
    writeFileSync(certFile, certificatePem, { flag: 'wx' });
    io.out(`wrote ${keyFile} (private, mode 0600) and ${certFile}\nset sp.privateKeyFile and sp.certificateFile of your SAML connector to these paths\n`);
    return 0;
  }
  if (sub === 'metadata') {
    return withOfflineGateway(config, logger, async ({ ctx }) => {
      const connector = target ? ctx.connectors.saml(target) : ctx.connectors.defaultSaml();
      io.out(`${connector.metadata()}\n`);
      return 0;
    });
  }
  if (sub === 'test') return runSamlTest(target, config, logger, io);
  io.err(COMMAND_HELP.saml!);
  return 2;
}

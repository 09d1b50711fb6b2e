/** `gatehouse keys rotate`. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { KEYS_ROTATED_CHANNEL } from '../app.js';
import { KeyRotationTooSoonError } from '../keys/signing-keys.js';
import { COMMAND_HELP } from './help.js';
import { withOfflineGateway } from './offline-gateway.js';
import type { CliIo } from './run.js';

/** The JWKS is served with max-age 300: a next key younger than that may be unknown to a verifier. */
const MIN_PUBLISHED_MS = 5 * 60_000;

export async function runKeys(rest: string[], flags: { force?: boolean }, config: Config, logger: Logger, io: CliIo): Promise<number> {
  if (rest[0] !== 'rotate') { io.err(COMMAND_HELP.keys!); return 2; }
  try {
    return await withOfflineGateway(config, logger, async ({ ctx }) => {
      const kid = await ctx.signingKeys.rotate({ force: flags.force ?? false, minPublishedMs: MIN_PUBLISHED_MS });
      await ctx.store.publish(KEYS_ROTATED_CHANNEL, kid);
      await ctx.audit.record('keys.rotated', { subjectId: kid });
      io.out(`signing key ${kid} is now active; a new next key is published. Running nodes pick it up within a minute${config.redis.url ? ' (notified now over Redis)' : ''}.\n`);
      return 0;
    });
  } catch (err) {
    if (!(err instanceof KeyRotationTooSoonError)) throw err;
    io.err(`${err.message}\n`);
    return 1;
  }
}

/** A gateway built for a CLI command: same storage and context as the server, never listening. */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createAuthorizer } from '../../policies/authorizer.js';
import { createSealer, loadSecretKey } from '../keys/seal.js';
import { openGatewayStorage } from '../server.js';
import { createGateway, type Gateway } from '../app.js';

export async function withOfflineGateway<T>(config: Config, logger: Logger, fn: (gateway: Gateway) => Promise<T>): Promise<T> {
  const { sql, store } = await openGatewayStorage(config, logger);
  try {
    const sealer = createSealer(loadSecretKey(config.secretKey, join(resolve(config.dataDir), 'secret.key')));
    const gateway = await createGateway(config, { logger, db: sql.db, dialect: sql.dialect, store, authorizer: await createAuthorizer(), sealer });
    try {
      return await fn(gateway);
    } finally {
      await gateway.close();
    }
  } finally {
    await store.close();
    await sql.close();
  }
}

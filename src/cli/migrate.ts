/** `gatehouse migrate`: apply both services' migrations and exit. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { openSql } from '../store/sql/connect.js';
import { migrateGateway } from '../store/sql/migrations.js';
import { gatewaySqlTarget } from '../server.js';
import { migrateChat } from './chat-launcher.js';
import type { CliIo } from './run.js';

export async function runMigrate(config: Config, _logger: Logger, io: CliIo): Promise<number> {
  const sql = openSql(gatewaySqlTarget(config));
  try {
    const gateway = await migrateGateway(sql.db, sql.dialect);
    io.out(`gateway (${sql.dialect}): ${gateway.applied.length ? `applied ${gateway.applied.join(', ')}` : 'up to date'}\n`);
  } finally {
    await sql.close();
  }
  const chat = await migrateChat(config);
  io.out(`chat-core: ${chat.applied.length ? `applied ${chat.applied.join(', ')}` : 'up to date'}\n`);
  return 0;
}

/** `gatehouse serve | gateway | chat`: run until SIGINT/SIGTERM, then drain and exit. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { startGateway } from '../server.js';
import { startChat } from './chat-launcher.js';
import type { CliIo } from './run.js';

export async function runServe(mode: 'serve' | 'gateway' | 'chat', config: Config, logger: Logger, io: CliIo): Promise<number> {
  const closers: (() => Promise<void>)[] = [];
  try {
    let chat: Awaited<ReturnType<typeof startChat>> | undefined;
    if (mode !== 'gateway') {
      chat = await startChat(config, logger);
      const running = chat;
      closers.push(() => running.close());
      logger.info({ url: `http://${config.chat.host}:${config.chat.port}` }, 'chat-core listening');
    }
    if (mode !== 'chat') {
      // chat-core runs right here and no other address was configured: hand it requests in-process.
      const local = chat && !config.chat.url && !config.chat.urls ? { localChat: chat.core } : {};
      const gw = await startGateway(config, logger, local);
      closers.unshift(() => gw.close());
      logger.info({ url: gw.url, site_url: config.siteUrl }, 'gateway listening');
      if (gw.bootstrap.kind === 'setup-link') {
        io.out(`\nNo administrator exists yet. Open this link within one hour to create one (it works once):\n\n  ${gw.bootstrap.url}\n\n`);
      } else if (gw.bootstrap.kind === 'created') {
        logger.info({ user_id: gw.bootstrap.userId }, 'first system admin created from GATEHOUSE_ADMIN_EMAIL');
      }
    }
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'failed to start');
    io.err(`gatehouse: could not start: ${(err as Error).message}\n`);
    for (const close of closers) await close().catch(() => {});
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => { logger.info({ signal }, 'shutting down: draining requests'); resolve(); };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  for (const close of closers) await close();
  logger.info('stopped');
  return 0;
}

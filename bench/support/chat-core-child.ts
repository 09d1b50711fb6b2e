/**
 * chat-core in a process of its own (the cluster layout), for bench/proxy. The parent sends the
 * chat-core config over IPC; this process answers with the port it listens on (127.0.0.1:0),
 * closes gracefully on "close" and exits if the parent goes away.
 */
import pino from 'pino';
import { startChatCore, type RunningChatCore } from '../../chat-core/src/main.js';
import type { ChatCoreConfig } from '../../chat-core/src/config.js';

let running: RunningChatCore | undefined;

async function start(config: ChatCoreConfig): Promise<void> {
  running = await startChatCore({ config, logger: pino({ level: 'silent' }), host: '127.0.0.1', port: 0 });
  const address = running.server.address() as { port: number };
  process.send?.({ port: address.port });
}

async function stop(): Promise<void> {
  await running?.close();
  process.exit(0);
}

process.on('message', (message: { config?: ChatCoreConfig } | 'close') => {
  if (message === 'close') void stop();
  else if (message.config) start(message.config).catch((err: Error) => { process.send?.({ error: err.message }); process.exit(1); });
});
process.on('disconnect', () => process.exit(0));

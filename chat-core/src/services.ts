/** What every chat-core handler is handed: config, stores, policy, clock, logger, websocket hub. */
import type { Logger } from 'pino';
import type { Authorizer } from '../../policies/authorizer.js';
import type { ChatCoreConfig } from './config.js';
import type { FileStore } from './files/file-store.js';
import type { ChatDatabase } from './store/database.js';
import type { UserMirror } from './users/user-mirror.js';
import type { WebsocketHub } from './websocket/hub.js';

export interface ChatServices {
  config: ChatCoreConfig;
  db: ChatDatabase;
  /** Uploaded files and emoji images. */
  files: FileStore;
  authz: Authorizer;
  mirror: UserMirror;
  hub: WebsocketHub;
  now: () => number;
  logger: Logger;
}

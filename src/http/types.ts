import type { Logger } from 'pino';
import type { Principal } from '../sessions/principal.js';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    log: Logger;
    /** Set by the authentication middleware for routes that need a signed-in user. */
    principal?: Principal;
  }
}

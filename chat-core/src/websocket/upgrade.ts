/**
 * GET /api/v4/websocket upgrades, authenticated by the assertion the gateway attaches to the
 * upgrade request. A refused upgrade gets a plain HTTP answer on the raw socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CHAT_WEBSOCKET_PATH } from '../../contract.js';
import { AssertionError } from '../auth/assertion-error.js';
import type { UserAuthenticator } from '../auth/authenticate.js';
import type { ChatServices } from '../services.js';
import { newId } from '../store/ids.js';
import { SERVER_VERSION } from '../version.js';
import { handleClientMessage } from './client-actions.js';
import { helloEvent } from './events.js';

const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function createUpgradeHandler(services: ChatServices, authenticator: UserAuthenticator, isClosing: () => boolean): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const requestId = newId();
    const log = services.logger.child({ request_id: requestId });
    const refuse = (status: number, id: string, message: string) => refuseUpgrade(socket, requestId, status, id, message);
    if (pathOf(req.url) !== CHAT_WEBSOCKET_PATH) return refuse(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
    if (isClosing()) return refuse(503, 'api.context.shutting_down.app_error', 'The server is shutting down.');
    authenticator.authenticate(req.headers.authorization).then(
      (claims) => wss.handleUpgrade(req, socket, head, (ws) => {
        // Shutdown may have begun while the assertion was being verified.
        if (isClosing()) return ws.close(1001, 'server shutting down');
        const connection = services.hub.add(claims.sub, ws);
        ws.on('message', (raw) => handleClientMessage(services, connection, raw));
        connection.send(helloEvent(connection.id, claims.sub, SERVER_VERSION));
        log.info({ user_id: claims.sub, connection_id: connection.id }, 'websocket connected');
      }),
      (error: unknown) => {
        if (error instanceof AssertionError) {
          log.warn({ reason: error.reason, detail: error.detail, path: CHAT_WEBSOCKET_PATH }, 'assertion refused');
          return refuse(401, 'invalid_token', 'Invalid or expired session, please login again.');
        }
        log.error({ err: error }, 'websocket upgrade failed');
        return refuse(500, 'api.context.server_error.app_error', 'An internal error occurred.');
      },
    );
  };
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function refuseUpgrade(socket: Duplex, requestId: string, status: number, id: string, message: string): void {
  const body = JSON.stringify({ id, message, detailed_error: '', request_id: requestId, status_code: status });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

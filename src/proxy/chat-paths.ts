import { CHAT_ROUTE_PATTERNS, CHAT_ROUTE_PREFIXES } from '../../chat-core/contract.js';
import { WEBSOCKET_PATH } from './forward-websocket.js';

/**
 * The one route-table entry for everything proxied: any signed-in user may reach chat-core, which
 * enforces channel-level rules with the same policy files.
 */
export const PROXY_ACCESS = { kind: 'authenticated' } as const;

/** True for `/api/v4` paths that chat-core owns (matched on whole path segments). */
export function isChatPath(url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  for (const prefix of CHAT_ROUTE_PREFIXES) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return true;
  }
  if (path === WEBSOCKET_PATH) return true;
  for (const pattern of CHAT_ROUTE_PATTERNS) if (pattern.test(path)) return true;
  return false;
}

/**
 * Who a caller may see: members with `view_members` see everyone; a guest sees themself and the
 * people they share a live channel with (chat-core answers; no answer means no one); anyone else
 * sees only themself. Every users endpoint filters through here.
 */
import type { GatewayContext } from '../context.js';
import { decide } from '../authz/decide.js';
import type { Principal } from '../sessions/principal.js';
import type { UserRow } from './users.js';

export async function visibleUsers(ctx: GatewayContext, p: Principal, rows: UserRow[]): Promise<UserRow[]> {
  if (decide(ctx.authorizer, p, 'view_members')) return rows;
  if (!p.access.guest) return rows.filter((u) => u.id === p.userId);
  const others = rows.filter((u) => u.id !== p.userId).map((u) => u.id);
  const peers = others.length > 0 ? await ctx.chat.sharedWith(p.userId, others) : new Set<string>();
  return rows.filter((u) => u.id === p.userId || peers.has(u.id));
}

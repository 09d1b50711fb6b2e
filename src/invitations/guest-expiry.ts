/**
 * Guest accounts with an end date (`guests.accountDays`): a timer on every node deactivates those
 * past it — sessions and tokens end everywhere, chat-core is told — and audits each. Idempotent,
 * so nodes racing each other do no harm.
 */
import type { GatewayContext } from '../context.js';
import { deactivateUser } from '../directory/user-routes.js';

const SWEEP_MS = 60_000;

export async function deactivateExpiredGuests(ctx: GatewayContext): Promise<number> {
  const due = await ctx.db.selectFrom('users').select('id').where('expires_at', '>', 0).where('expires_at', '<=', ctx.now()).where('delete_at', '=', 0).limit(1000).execute();
  for (const u of due) {
    await deactivateUser(ctx, u.id, '');
    await ctx.audit.record('guest.expired', { subjectId: u.id });
  }
  if (due.length > 0) ctx.logger.info({ guests: due.length }, 'deactivated guests past their end date');
  return due.length;
}

export function startGuestExpiry(ctx: GatewayContext): () => void {
  const timer = setInterval(() => {
    deactivateExpiredGuests(ctx).catch((err: Error) => ctx.logger.error({ err: err.message }, 'guest expiry sweep failed'));
  }, SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `guests.enabled: false` turns guest access off (Mattermost's rule): at start every active guest
 * is deactivated — sessions and tokens end — and guests cannot sign in or be made until it is on again.
 */
export async function deactivateGuestsWhenDisabled(ctx: GatewayContext): Promise<number> {
  if (ctx.config.guests.enabled) return 0;
  const guests = await ctx.db.selectFrom('users').select('id').where('roles', '=', 'system_guest').where('delete_at', '=', 0).execute();
  for (const g of guests) await deactivateUser(ctx, g.id, '');
  if (guests.length > 0) ctx.logger.warn({ guests: guests.length }, 'guest access is off (guests.enabled: false): deactivated every guest account');
  return guests.length;
}

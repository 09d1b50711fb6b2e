/**
 * One measured round of bench/ldap-sync in a process of its own, so its peak RSS is that of a
 * gateway process that starts and syncs — not of a bench process still holding the seeding, the
 * baseline reads and earlier rounds' garbage. The parent sends `{ cfg, want }` over IPC; this
 * process answers `{ result }` or `{ error }` and exits; it also exits if the parent goes away.
 */
import type { LdapConnectorInput } from '../../src/connectors/ldap/config-schema.js';
import { syncRound, type Expected, type RoundLegs } from './ldap-sync-legs.js';
import { startRssSampler } from './peak-rss.js';

export interface ChildRound extends RoundLegs {
  samplerBytes: number;
}

export type ChildRequest = { cfg: LdapConnectorInput; want: Expected };
export type ChildAnswer = { result: ChildRound } | { error: string };

async function measure(req: ChildRequest): Promise<ChildRound> {
  const sampler = await startRssSampler();
  try {
    return { samplerBytes: sampler.samplerBytes, ...(await syncRound(req.cfg, sampler, req.want)) };
  } finally {
    await sampler.close();
  }
}

function answer(message: ChildAnswer, code: number): void {
  process.send?.(message, () => process.exit(code));
}

process.once('message', (req: ChildRequest) => {
  measure(req).then((result) => answer({ result }, 0), (err: Error) => answer({ error: err.stack ?? err.message }, 1));
});
process.on('disconnect', () => process.exit(0));

/**
 * Pushing directory changes to chat-core's provisioning endpoint, authenticated by a provisioning
 * assertion. Access is enforced at the gateway whatever happens here: a push that fails leaves
 * chat-core's display mirror stale, never grants anything, and is logged for the operator.
 */
import type { Logger } from 'pino';
import { PROVISION_PATH, type ProvisionEvent } from '../../chat-core/contract.js';

export interface ChatProvisioner {
  push(events: ProvisionEvent[]): Promise<boolean>;
}

const ATTEMPTS = 3;

export function createChatProvisioner(deps: { chatUrl: string; assertion: () => Promise<string>; logger: Logger; fetch?: typeof fetch }): ChatProvisioner {
  const doFetch = deps.fetch ?? fetch;
  return {
    async push(events) {
      if (events.length === 0) return true;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
        try {
          const res = await doFetch(`${deps.chatUrl}${PROVISION_PATH}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${await deps.assertion()}` },
            body: JSON.stringify({ events }),
            signal: AbortSignal.timeout(5000),
          });
          if (res.ok) return true;
          deps.logger.warn({ status: res.status, attempt, events: events.map((e) => e.type) }, 'chat-core refused a provisioning push');
          if (res.status < 500) return false;
        } catch (err) {
          deps.logger.warn({ err: (err as Error).message, attempt }, 'provisioning push to chat-core failed');
        }
      }
      return false;
    },
  };
}

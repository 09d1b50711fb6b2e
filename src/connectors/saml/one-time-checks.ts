/**
 * The checks that hold across gateway nodes because they live in the shared ephemeral store:
 * InResponseTo consumed exactly once, and the assertion-id replay cache (profiles §4.1.4.5: the SP
 * must keep an assertion's ID until it expires and refuse it again).
 */
import type { EphemeralStore } from '../../store/ephemeral/contract.js';
import { XmlGuardError } from './xml-guards.js';

/** How long an AuthnRequest / LogoutRequest id may be answered. */
export const REQUEST_TTL_MS = 10 * 60_000;

export const requestKey = (connectorId: string, id: string) => `saml-request:${connectorId}:${id}`;
export const logoutRequestKey = (connectorId: string, id: string) => `saml-logout-request:${connectorId}:${id}`;
export const assertionKey = (connectorId: string, id: string) => `saml-assertion:${connectorId}:${id}`;

/** Keep a request id; the value is the RelayState sent with it, returned when the answer arrives. */
export async function rememberRequest(store: EphemeralStore, key: string, relayState: string): Promise<void> {
  await store.set(key, JSON.stringify({ relayState }), REQUEST_TTL_MS);
}

function relayStateOf(stored: string): string {
  try {
    const v = JSON.parse(stored) as { relayState?: unknown };
    return typeof v.relayState === 'string' ? v.relayState : '';
  } catch {
    return '';
  }
}

/**
 * Resolve which request the response answers. The Response's InResponseTo may be unsigned; the
 * signed SubjectConfirmationData's wins and the two must agree when both are present.
 * Returns whether the response is unsolicited, and the RelayState stored with our request.
 */
export async function consumeInResponseTo(
  store: EphemeralStore,
  connectorId: string,
  ids: { response: string | null; assertion: string | null },
  allowIdpInitiated: boolean,
): Promise<{ unsolicited: boolean; relayState: string }> {
  if (ids.response && ids.assertion && ids.response !== ids.assertion) {
    throw new XmlGuardError(`InResponseTo mismatch: Response says ${ids.response}, assertion says ${ids.assertion}`);
  }
  const id = ids.assertion ?? ids.response;
  if (!id) {
    if (!allowIdpInitiated) throw new XmlGuardError('unsolicited response (no InResponseTo) and allowIdpInitiated is false');
    return { unsolicited: true, relayState: '' };
  }
  // consume = atomic get+delete: of two concurrent deliveries of one response, exactly one passes.
  const stored = await store.consume(requestKey(connectorId, id));
  if (stored === null) throw new XmlGuardError(`InResponseTo ${id} is unknown, expired or already used`);
  return { unsolicited: false, relayState: relayStateOf(stored) };
}

/** Record the assertion id until it expires (+ skew); a second sighting anywhere is a replay. */
export async function recordAssertionOnce(
  store: EphemeralStore,
  connectorId: string,
  assertionId: string,
  notOnOrAfterMs: number,
  nowMs: number,
  skewMs: number,
): Promise<void> {
  const ttl = Math.max(1000, Math.ceil(notOnOrAfterMs + skewMs - nowMs));
  if (!(await store.setIfAbsent(assertionKey(connectorId, assertionId), '1', ttl))) {
    throw new XmlGuardError(`assertion ${assertionId} was already used (replay)`);
  }
}

/**
 * The InResponseTo and assertion-id checks live in the shared ephemeral store, so a response
 * accepted by one gateway node is refused by every other (issue 3: "a replayed assertion, also
 * across two gateway instances sharing Redis").
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EphemeralStore } from '../../../src/store/ephemeral/contract.js';
import { createRedisStore } from '../../../src/store/ephemeral/redis.js';
import { REDIS_URL, uniqueRedisPrefix } from '../../support/databases.js';
import { ALICE, createFakeClock, createSamlHarness, expectRefused } from './harness.js';

const alice = { nameId: ALICE.uid, attributes: ALICE };
let stores: EphemeralStore[] = [];
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});

async function twoNodes(config: { allowIdpInitiated?: boolean } = {}) {
  const keyPrefix = uniqueRedisPrefix('saml');
  const clock = createFakeClock();
  const [storeA, storeB] = await Promise.all([createRedisStore({ url: REDIS_URL, keyPrefix }), createRedisStore({ url: REDIS_URL, keyPrefix })]);
  stores.push(storeA, storeB);
  const a = await createSamlHarness({ store: storeA, clock, config });
  const b = await createSamlHarness({ store: storeB, clock, config });
  return { a, b };
}

describe('replay across two gateway nodes sharing Redis', () => {
  it('refuses on node B an IdP-initiated assertion node A already accepted', async () => {
    const { a, b } = await twoNodes({ allowIdpInitiated: true });
    const samlResponse = a.idp.response(alice);
    expect((await a.connector.finishLogin(samlResponse)).identity.subject).toBe(ALICE.uid);
    await expectRefused(b, b.connector.finishLogin(samlResponse), /replay|already used/, 'SAML_INVALID_RESPONSE', samlResponse);
  });

  it('accepts on node B a response to a login node A started, exactly once', async () => {
    const { a, b } = await twoNodes();
    const samlResponse = await a.solicited(alice);
    expect((await b.connector.finishLogin(samlResponse)).identity.subject).toBe(ALICE.uid);
    await expectRefused(a, a.connector.finishLogin(samlResponse), /InResponseTo|already used|replay/, 'SAML_INVALID_RESPONSE', samlResponse);
  });

  it('lets exactly one of two concurrent deliveries of one response through', async () => {
    const { a, b } = await twoNodes({ allowIdpInitiated: true });
    const samlResponse = a.idp.response(alice);
    const outcomes = await Promise.allSettled([a.connector.finishLogin(samlResponse), b.connector.finishLogin(samlResponse)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, BACKENDS, startHarness, type Harness } from '../../support/gateway-harness.js';

describe.each(BACKENDS)('operations endpoints (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(backend); });
  afterAll(async () => { await h?.close(); });

  it('answers liveness and readiness with the state of the database and the store', async () => {
    expect((await apiClient(h.url).request('GET', '/healthz')).json).toEqual({ status: 'OK' });
    const ready = await apiClient(h.url).request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toEqual({ database: 'ok', ephemeral_store: 'ok' });
    expect(ready.json.dependencies).toEqual({ chat_core: 'ok' });
  });

  it('reports an unreachable chat-core without calling the gateway unready', async () => {
    const lonely = await startHarness('embedded', { config: { chat: { url: 'http://127.0.0.1:1' } } });
    try {
      const ready = await apiClient(lonely.url).request('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json.dependencies).toEqual({ chat_core: 'unreachable' });
    } finally {
      await lonely.close();
    }
  });

  it('exposes Prometheus metrics for requests, logins and assertions', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    await c.login(ADMIN.username, 'wrong');
    await c.request('GET', '/api/v4/channels/nope');
    const text = (await c.request('GET', '/metrics')).text;
    expect(text).toMatch(/gatehouse_login_attempts_total\{result="succeeded"\} [1-9]/);
    expect(text).toMatch(/gatehouse_login_attempts_total\{result="failed"\} [1-9]/);
    expect(text).toMatch(/gatehouse_assertions_minted_total [1-9]/);
    expect(text).toContain('gatehouse_http_request_duration_seconds_bucket');
    expect(text).toContain('gatehouse_proxy_duration_seconds_bucket');
  });

  it("counts chat-core's assertion verifications on its internal /metrics", async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    await c.request('GET', '/api/v4/channels/nope');
    await fetch(`${h.chatUrl}/api/v4/channels/nope`, { headers: { authorization: 'Bearer not.a.token' } });
    const text = await (await fetch(`${h.chatUrl}/metrics`)).text();
    expect(text).toMatch(/chat_core_assertions_verified_total\{result="ok"\} [1-9]/);
    expect(text).toMatch(/chat_core_assertions_verified_total\{result="assertion_malformed"\} [1-9]/);
    expect(text).toContain('chat_core_http_request_duration_seconds_bucket');
  });

  it('serves the JWKS with caching headers and answers a matching ETag with 304', async () => {
    const r = await fetch(`${h.url}/.well-known/jwks.json`);
    expect(r.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const etag = r.headers.get('etag')!;
    const jwks = (await r.json()) as { keys: { kid: string; alg: string; d?: string }[] };
    expect(jwks.keys.length).toBe(2); // active + next
    for (const k of jwks.keys) { expect(k.alg).toBe('EdDSA'); expect(k.d).toBeUndefined(); }
    const again = await fetch(`${h.url}/.well-known/jwks.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('keeps serving chat after a key rotation, with the new key signing new assertions', async () => {
    const c = apiClient(h.url);
    await c.login(ADMIN.username, ADMIN.password);
    const team = (await c.request('POST', '/api/v4/teams', { body: { name: `rot-${backend}`, display_name: 'R', type: 'O' } })).json;
    expect((await c.request('POST', '/api/v4/channels', { body: { team_id: team.id, name: 'before', display_name: 'B', type: 'O' } })).status).toBe(201);
    const before = h.gw.gateway.ctx.keySet().active.kid;
    await h.gw.gateway.ctx.signingKeys.rotate({ force: true });
    await h.gw.gateway.reloadKeys();
    expect(h.gw.gateway.ctx.keySet().active.kid).not.toBe(before);
    // The cached assertion (old key, still published) and fresh sessions (new key) both work.
    expect((await c.request('GET', `/api/v4/teams/${team.id}/channels`)).status).toBe(200);
    const fresh = apiClient(h.url);
    await fresh.login(ADMIN.username, ADMIN.password);
    expect((await fresh.request('GET', `/api/v4/teams/${team.id}/channels`)).status).toBe(200);
  });
});

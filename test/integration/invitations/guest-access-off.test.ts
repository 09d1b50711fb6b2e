/**
 * Guest access switched off (`guests.enabled: false`): at start every guest is deactivated; guests
 * cannot sign in (password or SSO), be made by role change or demotion, nor be invited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, apiClient, startHarness, type Harness } from '../../support/gateway-harness.js';
import { FIXTURE, seedStandardDirectory } from '../../support/ldap-fixture.js';
import { startTestSlapd } from '../../support/ldap-server.js';
import { ldapConfig } from '../ldap/harness.js';

const PASSWORD = 'a long enough password 1';

describe('guest access off', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-guests-off-'));
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('deactivates existing guests at start and lets no guest in or made', async () => {
    // First run with guests on: make a guest.
    const on = await startHarness('embedded', { config: { dataDir, guests: { enabled: true } } });
    const a = apiClient(on.url);
    await a.login(ADMIN.email, ADMIN.password);
    const gus = (await a.request('POST', '/api/v4/users', { body: { email: 'gus@example.com', username: 'gus', password: PASSWORD } })).json;
    expect((await a.request('PUT', `/api/v4/users/${gus.id}/roles`, { body: { roles: 'system_guest' } })).status).toBe(200);
    expect((await apiClient(on.url).login('gus', PASSWORD)).status).toBe(200);
    await on.close();

    // Same data, guests off.
    h = await startHarness('embedded', { config: { dataDir, guests: { enabled: false } } });
    const user = await h.gw.gateway.ctx.users.require(gus.id);
    expect(user.delete_at).toBeGreaterThan(0);
    expect((await apiClient(h.url).login('gus', PASSWORD)).status).toBe(401);
    const admin = apiClient(h.url);
    await admin.login(ADMIN.email, ADMIN.password);
    const ivy = (await admin.request('POST', '/api/v4/users', { body: { email: 'ivy@example.com', username: 'ivy', password: PASSWORD } })).json;
    const role = await admin.request('PUT', `/api/v4/users/${ivy.id}/roles`, { body: { roles: 'system_guest' } });
    expect(role.status).toBe(403);
    expect(role.json.id).toBe('api.team.invite_guests.disabled.error');
    expect((await admin.request('POST', `/api/v4/users/${ivy.id}/demote`)).status).toBe(403);
    const team = (await admin.request('POST', '/api/v4/teams', { body: { name: 'acme', display_name: 'Acme', type: 'I' } })).json.id;
    expect((await admin.request('POST', `/api/v4/teams/${team}/invite-guests/email`, { body: { emails: ['g@example.com'], channels: ['x'] } })).status).toBe(403);
  });

  it('refuses an SSO / directory identity that maps to a guest, and makes no account', async () => {
    const slapd = await startTestSlapd();
    try {
      await seedStandardDirectory(slapd);
      const local = await startHarness('embedded', { config: { guests: { enabled: false }, connectors: [ldapConfig(slapd, { guestGroups: [FIXTURE.groups.designers.dn] })] } });
      try {
        const res = await apiClient(local.url).login('erin', FIXTURE.users.erin.password);
        expect(res.status).toBe(403);
        expect(res.json.id).toBe('api.team.invite_guests.disabled.error');
        expect(await local.gw.gateway.ctx.users.findByLoginId('erin')).toBeUndefined();
        // A non-guest of the same directory signs in as usual.
        expect((await apiClient(local.url).login('alice', FIXTURE.users.alice.password)).status).toBe(200);
      } finally {
        await local.close();
      }
    } finally {
      await slapd.stop();
    }
  });
});

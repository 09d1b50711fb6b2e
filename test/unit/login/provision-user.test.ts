import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/connectors/contract.js';
import type { GatewayContext } from '../../../src/context.js';
import { pickUsername, rolesFor } from '../../../src/login/sso/provision-user.js';

const identity = (over: Partial<Identity>): Identity => ({ connectorId: 'c', subject: 's', email: 'grace@example.com', emailVerified: true, groups: [], amr: ['saml'], raw: {}, ...over });
const ctxWith = (taken: string[]) => ({ users: { usernameTaken: async (u: string) => taken.includes(u) } }) as unknown as GatewayContext;

describe('provisioning a user from an identity', () => {
  it('turns a UPN or e-mail username into a valid Mattermost username', async () => {
    expect(await pickUsername(ctxWith([]), identity({ username: 'Grace.Hopper@contoso.onmicrosoft.com' }))).toBe('grace.hopper');
    expect(await pickUsername(ctxWith([]), identity({ username: undefined, email: 'ada+chat@example.com' }))).toBe('ada-chat');
    expect(await pickUsername(ctxWith([]), identity({ username: '42 Douglas' }))).toBe('douglas');
  });

  it('resolves collisions predictably with a numeric suffix', async () => {
    expect(await pickUsername(ctxWith(['grace', 'grace-2']), identity({ username: 'grace' }))).toBe('grace-3');
  });

  it('keeps roles unless the connector maps admin or guest, and lets guest win a conflict', () => {
    expect(rolesFor(identity({}), ['system_admin', 'system_user'])).toEqual(['system_admin', 'system_user']);
    expect(rolesFor(identity({ isAdmin: false }), ['system_admin', 'system_user'])).toEqual(['system_user']);
    expect(rolesFor(identity({ isAdmin: true }), ['system_user'])).toEqual(['system_admin', 'system_user']);
    expect(rolesFor(identity({ isGuest: true }), ['system_user'])).toEqual(['system_guest']);
    expect(rolesFor(identity({ isGuest: true, isAdmin: true }), [])).toEqual(['system_guest']);
  });
});

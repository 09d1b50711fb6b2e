/**
 * The bot permission rules themselves, decided by the real Casbin policy: the shipped model and
 * default scheme, plus roles a deployment might add (the default scheme grants bot permissions to
 * system_admin only, so the owner-versus-others split is exercised through these).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, DEFAULT_SCHEME_PATH, type Authorizer } from '../../../policies/authorizer.js';
import { botAccess } from '../../../src/bots/bot-access.js';

const EXTRA_ROLES = [
  'p, bot_keeper, read_bots', 'p, bot_keeper, manage_bots',
  'p, bot_watcher, read_bots', 'p, bot_watcher, read_others_bots',
  'p, bot_warden, manage_others_bots',
].join('\n');

describe('who may read and manage a bot', () => {
  let dir: string;
  let authorizer: Authorizer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-bot-policy-'));
    const scheme = join(dir, 'scheme.csv');
    writeFileSync(scheme, `${readFileSync(DEFAULT_SCHEME_PATH, 'utf8')}\n${EXTRA_ROLES}\n`);
    authorizer = await createAuthorizer({ schemePath: scheme });
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  const caller = (roles: string[]) => ({ userId: 'me', access: { username: 'me', name: 'me', roles, teams: {}, guest: false, deactivated: false, version: 'v' } });
  const mine = { owner_id: 'me' };
  const theirs = { owner_id: 'someone-else' };

  it.each([
    [['system_admin', 'system_user'], 'manage', 'manage'],
    [['system_user'], 'none', 'none'],
    [['system_guest'], 'none', 'none'],
    [['system_user', 'bot_keeper'], 'manage', 'none'],
    [['system_user', 'bot_watcher'], 'read', 'read'],
    [['system_user', 'bot_warden'], 'none', 'manage'],
  ] as const)('roles %j: own bot %s, another\'s %s', (roles, own, other) => {
    expect(botAccess(authorizer, caller([...roles]), mine)).toBe(own);
    expect(botAccess(authorizer, caller([...roles]), theirs)).toBe(other);
  });
});

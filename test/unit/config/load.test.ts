import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loading the configuration', () => {
  it('runs on embedded defaults with no file and no environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8065 });
    expect(config.chat.port).toBe(8066);
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
  });

  it('takes the documented GATEHOUSE_* variables', () => {
    const config = loadConfig({
      env: {
        GATEHOUSE_PORT: '9000', GATEHOUSE_CHAT_PORT: '9001', GATEHOUSE_DATA_DIR: '/tmp/gh', GATEHOUSE_DATABASE_URL: 'postgres://db/gw',
        GATEHOUSE_CHAT_DATABASE_URL: 'postgresql://db/chat', GATEHOUSE_REDIS_URL: 'redis://r:6379', GATEHOUSE_SITE_URL: 'https://chat.example.com/',
        GATEHOUSE_ADMIN_EMAIL: 'a@example.com', GATEHOUSE_ADMIN_PASSWORD: 'pw', GATEHOUSE_SESSIONS__IDLE_TIMEOUT_MINUTES: '15',
      },
    });
    expect(config.listen.port).toBe(9000);
    expect(config.chat.port).toBe(9001);
    expect(config.dataDir).toBe('/tmp/gh');
    expect(config.database.url).toBe('postgres://db/gw');
    expect(config.chat.databaseUrl).toBe('postgresql://db/chat');
    expect(config.redis.url).toBe('redis://r:6379');
    expect(config.siteUrl).toBe('https://chat.example.com');
    expect(config.admin).toMatchObject({ email: 'a@example.com', password: 'pw' });
    expect(config.sessions.idleTimeoutMinutes).toBe(15);
  });

  it('reports every problem at once, each with its key, source and a fix', () => {
    const problems = problemsOf(() => loadConfig({
      env: { GATEHOUSE_PORT: 'eighty', GATEHOUSE_DATABASE_URL: 'mysql://x', GATEHOUSE_LOGIN__MAX_ATTEMPTS: '0', GATEHOUSE_TYPO_KEY: '1' },
    }));
    const keys = problems.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining([
      'listen.port (GATEHOUSE_PORT)', 'database.url (GATEHOUSE_DATABASE_URL)', 'login.maxAttempts (GATEHOUSE_LOGIN__MAX_ATTEMPTS)', 'typoKey (GATEHOUSE_TYPO_KEY)',
    ]));
    expect(problems).toHaveLength(4);
    for (const p of problems) expect(p.fix.length).toBeGreaterThan(5);
  });

  it('reports a config file that is not JSON together with other problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-config-'));
    const file = join(dir, 'gatehouse.json');
    writeFileSync(file, '{ "listen": { "port": 80 }, ');
    const problems = problemsOf(() => loadConfig({ file, env: { GATEHOUSE_PORT: 'x' } }));
    expect(problems.map((p) => p.key)).toEqual([file, 'listen.port (GATEHOUSE_PORT)']);
    expect(problems[0]!.message).toMatch(/not valid JSON/);
  });

  it('lets the environment override the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-config-'));
    const file = join(dir, 'gatehouse.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 7000 }, login: { maxAttempts: 3 } }));
    const config = loadConfig({ file, env: { GATEHOUSE_PORT: '7001' } });
    expect(config.listen.port).toBe(7001);
    expect(config.login.maxAttempts).toBe(3);
  });

  it('rejects unknown keys in the file rather than ignoring a typo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-config-'));
    const file = join(dir, 'gatehouse.json');
    writeFileSync(file, JSON.stringify({ sessions: { idleTimeoutMinutse: 5 } }));
    const problems = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems[0]!.key).toContain('sessions.idleTimeoutMinutse');
  });

  it('freezes the result', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sessions)).toBe(true);
    expect(() => { (config.sessions as { lengthHours: number }).lengthHours = 1; }).toThrow(TypeError);
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf(() => loadConfig({ env: { GATEHOUSE_SECRET_KEY: 'hunter2-not-base64', GATEHOUSE_ADMIN_EMAIL: 'not-an-email' } }));
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

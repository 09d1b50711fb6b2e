/** `npm start`'s path: the build (tsc + data files) and the compiled server under plain Node, on embedded defaults. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/gateway-harness.js';

const ROOT = join(import.meta.dirname, '../..');

describe('the compiled build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-build-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds, serves the login page and the API without a TypeScript loader, and drains on SIGTERM', async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { encoding: 'utf8', timeout: 120_000 });
    expect(build.status, build.stderr).toBe(0);
    const [port, chatPort] = [await freePort(), await freePort()];
    const env = { PATH: process.env.PATH ?? '', GATEHOUSE_PORT: String(port), GATEHOUSE_CHAT_PORT: String(chatPort), GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'info' };
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      let up = false;
      for (let i = 0; i < 150 && !up; i += 1) {
        up = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up, output).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(200);
      // Presets and policies were copied next to the code: the authorizer and connectors load.
      expect((await fetch(`http://127.0.0.1:${port}/api/v4/users/me`)).status).toBe(401);
      expect(output).toContain('/setup?token=');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(output).toContain('stopped');
  }, 150_000);
});

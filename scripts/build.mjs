#!/usr/bin/env node
/**
 * Compile the TypeScript to plain JavaScript for production (`npm run build` → dist/) or for the
 * memory benchmark (`--bench` → dist-bench/, bench and test support included), then copy the data
 * files the code reads next to itself (providers/*.json, policies/*.conf|csv). Plain Node runs the
 * result: no TypeScript loader in the process (tsx costs ~60 MB of resident memory).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bench = process.argv.includes('--bench');
const out = join(root, bench ? 'dist-bench' : 'dist');
rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, bench ? 'tsconfig.bench.json' : 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const copy = (dir, keep) => {
  mkdirSync(join(out, dir), { recursive: true });
  for (const f of readdirSync(join(root, dir))) if (keep.test(f)) copyFileSync(join(root, dir, f), join(out, dir, f));
};
copy('providers', /\.json$/);
copy('policies', /\.(conf|csv)$/);
console.log(`built ${out}`);

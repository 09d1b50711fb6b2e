/** DESIGN.md: chat-core imports nothing from src/; the gateway imports only chat-core's contract. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** The process launcher may start chat-core; nothing else in src/ may reach past the contract. */
const LAUNCHER = 'src/cli/chat-launcher.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(dirname(join(ROOT, file)), s)).replace(/\.js$/, '.ts'));
}

describe('import boundaries', () => {
  it('keeps chat-core free of gateway imports', () => {
    const offenders = tsFiles('chat-core').flatMap((f) => importsOf(f).filter((i) => i.startsWith('src/')).map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('lets the gateway import only chat-core/contract.ts', () => {
    const offenders = tsFiles('src').filter((f) => f !== LAUNCHER)
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith('chat-core/') && i !== 'chat-core/contract.ts').map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('finds imports at all (the scan is not vacuous)', () => {
    expect(importsOf('src/keys/assertions.ts')).toContain('chat-core/contract.ts');
    expect(importsOf(LAUNCHER)).toContain('chat-core/src/main.ts');
  });
});

/**
 * A quiet install: every installed dependency that has an install script (or a binding.gyp, which pnpm
 * builds implicitly) is named in `pnpm-workspace.yaml`, either allowed (`onlyBuiltDependencies`) or
 * skipped on purpose (`ignoredBuiltDependencies`); otherwise pnpm prints its "Ignored build scripts"
 * box. `@tensorflow/tfjs-node` is skipped: its libtensorflow download fails with a long stack trace
 * wherever the network does not reach it (README: how to enable it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './fixtures/cli/cli-harness.js';

/** The names listed under `key:` in pnpm-workspace.yaml (a block list of scalars). */
function yamlList(text: string, key: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    const m = /^\s+-\s+["']?([^"'\s]+)["']?\s*$/.exec(line);
    if (!m) break;
    names.push(m[1]);
  }
  return names;
}

/** Installed packages (pnpm's virtual store) that would run a script at install. */
function packagesWithInstallScripts(): string[] {
  const store = path.join(repoRoot, 'node_modules', '.pnpm');
  const found = new Set<string>();
  for (const entry of readdirSync(store)) {
    const nm = path.join(store, entry, 'node_modules');
    if (!existsSync(nm)) continue;
    for (const name of readdirSync(nm)) {
      const dirs = name.startsWith('@') ? readdirSync(path.join(nm, name)).map((n) => path.join(nm, name, n)) : [path.join(nm, name)];
      for (const dir of dirs) {
        const manifest = path.join(dir, 'package.json');
        if (!existsSync(manifest)) continue;
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
        const s = pkg.scripts ?? {};
        if (s.preinstall || s.install || s.postinstall || existsSync(path.join(dir, 'binding.gyp'))) found.add(pkg.name);
      }
    }
  }
  return [...found].sort();
}

const storeMissing = !existsSync(path.join(repoRoot, 'node_modules', '.pnpm'));
if (storeMissing) console.warn('skipping the install-scripts test: node_modules/.pnpm is missing (run pnpm install)');

describe.skipIf(storeMissing)('pnpm-workspace.yaml install scripts', () => {
  const yaml = readFileSync(path.join(repoRoot, 'pnpm-workspace.yaml'), 'utf8');
  const allowed = yamlList(yaml, 'onlyBuiltDependencies');
  const ignored = yamlList(yaml, 'ignoredBuiltDependencies');

  it('names every dependency with an install script (no "Ignored build scripts" box)', () => {
    const scripted = packagesWithInstallScripts();
    expect(scripted.length).toBeGreaterThan(0);
    expect(scripted.filter((name) => !allowed.includes(name) && !ignored.includes(name))).toEqual([]);
  });

  it("skips tfjs-node's libtensorflow download (no stack trace where it cannot download)", () => {
    expect(allowed).not.toContain('@tensorflow/tfjs-node');
    expect(ignored).toContain('@tensorflow/tfjs-node');
  });
});

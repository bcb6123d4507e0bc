import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    // Test code (unit tests, shared suites, fixtures) may reach into test/ and dev dependencies.
    const isTestCode = /(\.test|-contract|fixtures)\.tsx?$/.test(entry.name);
    return /\.tsx?$/.test(entry.name) && !isTestCode ? [path] : [];
  });
}

/** Each source file's imports: `{ file, target }`, target a src-relative path or a package name. */
function imports(): { file: string; target: string }[] {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => {
      const spec = m[1]!;
      const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)) : spec;
      return { file: relative(SRC, file), target };
    });
  });
}

const layer = (path: string) => path.split('/')[0]!;

/** Which layers each layer may import (STYLE.md's dependency direction). */
const ALLOWED: Record<string, string[]> = {
  model: ['model'],
  query: ['model', 'query'],
  analysis: ['model', 'analysis'],
  sampling: ['model', 'sampling'],
  ingest: ['model', 'ingest'],
  store: ['model', 'query', 'store'],
  api: ['model', 'ingest', 'query', 'analysis', 'api'],
};

describe('architecture', () => {
  const all = imports();

  it('keeps every layer to the imports it is allowed', () => {
    const violations = all.filter(({ file, target }) => {
      const allowed = ALLOWED[layer(file)];
      return allowed &&
        !target.startsWith('node:') &&
        target.includes('/') &&
        !target.startsWith('@')
        ? !allowed.includes(layer(target))
        : false;
    });
    assert.deepEqual(violations, []);
  });

  it('keeps model, query, analysis and sampling free of node: modules and packages', () => {
    const pure = ['model', 'query', 'analysis', 'sampling'];
    const violations = all.filter(
      ({ file, target }) =>
        pure.includes(layer(file)) && (target.startsWith('node:') || !target.includes('.ts')),
    );
    assert.deepEqual(violations, []);
  });

  it('lets only the cli import the composition root', () => {
    const violations = all.filter(
      ({ file, target }) => target === 'app.ts' && layer(file) !== 'cli',
    );
    assert.deepEqual(violations, []);
  });
});

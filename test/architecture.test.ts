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
/** A src-relative source path, as opposed to a package (`react-dom/client`) or `node:` module. */
const isSource = (target: string) => /\.tsx?$/.test(target);

/** Which layers each layer may import (STYLE.md's dependency direction). */
const ALLOWED: Record<string, string[]> = {
  model: ['model'],
  query: ['model', 'query'],
  analysis: ['model', 'analysis'],
  sampling: ['model', 'sampling'],
  ingest: ['model', 'ingest'],
  store: ['model', 'query', 'store'],
  api: ['model', 'ingest', 'query', 'analysis', 'api'],
  // The distro runs inside users' processes: it must not drag the server along.
  instrument: ['instrument'],
  ui: ['model', 'analysis', 'ingest', 'ui'],
};

/** What the web UI may use from ingest: the OTLP/JSON codec, to read and write traces. */
const UI_CODEC = ['ingest/otlp/decode-json.ts', 'ingest/otlp/encode-json.ts'];

describe('architecture', () => {
  const all = imports();

  it('keeps every layer to the imports it is allowed', () => {
    const violations = all.filter(({ file, target }) => {
      const allowed = ALLOWED[layer(file)];
      return allowed &&
        !target.startsWith('node:') &&
        target.includes('/') &&
        !target.startsWith('@') &&
        isSource(target)
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

  it('keeps the web UI to model, analysis and the OTLP JSON codec: no node: modules, no server layers', () => {
    const violations = all.filter(
      ({ file, target }) =>
        layer(file) === 'ui' &&
        (target.startsWith('node:') ||
          (isSource(target) &&
            !['model', 'analysis', 'ui'].includes(layer(target)) &&
            !UI_CODEC.includes(target))),
    );
    assert.deepEqual(violations, []);
  });

  it('keeps every source file the web UI bundles free of node: modules', () => {
    const targetsOf = new Map<string, string[]>();
    for (const { file, target } of all)
      targetsOf.set(file, [...(targetsOf.get(file) ?? []), target]);
    const reached = new Set(all.filter(({ file }) => layer(file) === 'ui').map(({ file }) => file));
    for (const file of reached) {
      for (const target of targetsOf.get(file) ?? []) if (isSource(target)) reached.add(target);
    }
    const violations = [...reached].flatMap((file) =>
      (targetsOf.get(file) ?? [])
        .filter((target) => target.startsWith('node:'))
        .map((target) => ({ file, target })),
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

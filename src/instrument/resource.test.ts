import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findAppPackage, serviceAttributes } from './resource.ts';

const root = mkdtempSync(join(tmpdir(), 'tracehound-resource-'));
after(() => rmSync(root, { recursive: true, force: true }));

function app(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'app-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('findAppPackage', () => {
  it('finds the nearest package.json with a name, above nameless ones and broken ones', () => {
    const dir = app({
      'package.json': JSON.stringify({ name: 'shop', version: '1.0.0' }),
      'dist/package.json': JSON.stringify({ type: 'module' }),
      'dist/server/package.json': '{ not json',
    });
    mkdirSync(join(dir, 'dist/server/routes'), { recursive: true });
    assert.deepEqual(findAppPackage(join(dir, 'dist/server/routes')), {
      path: join(dir, 'package.json'),
      name: 'shop',
      version: '1.0.0',
    });
  });
});

describe('serviceAttributes', () => {
  const dir = app({
    'package.json': JSON.stringify({ name: '@acme/checkout-api', version: '2.3.4' }),
    'src/server.js': '',
  });

  it("names the service after the app's package, without its scope, with its version", () => {
    assert.deepEqual(serviceAttributes({}, 'src/server.js', dir), {
      'service.name': 'checkout-api',
      'service.version': '2.3.4',
    });
  });

  it('lets OTEL_SERVICE_NAME name the service', () => {
    assert.equal(
      serviceAttributes({ OTEL_SERVICE_NAME: 'billing' }, 'src/server.js', dir)['service.name'],
      'billing',
    );
  });

  it('starts from the working directory when there is no entry script (node -e, a REPL)', () => {
    assert.equal(serviceAttributes({}, undefined, dir)['service.name'], 'checkout-api');
  });

  it('leaves the name to the SDK default when nothing names the app', () => {
    const bare = mkdtempSync(join(tmpdir(), 'tracehound-bare-'));
    try {
      const attributes = serviceAttributes({}, undefined, bare);
      // A package.json above the temp directory would name it; none is expected there.
      if (findAppPackage(bare) === undefined) assert.deepEqual(attributes, {});
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** What the application's package.json says about it. */
export interface AppPackage {
  readonly name?: string;
  readonly version?: string;
  /** The package.json file these came from. */
  readonly path: string;
}

/**
 * Finds the package.json nearest to `startDir` that names a package, walking up to the file
 * system root. Files that do not parse, or that have no `name` (nested `{"type": "module"}`
 * markers), are skipped. Returns undefined when there is none.
 */
export function findAppPackage(startDir: string): AppPackage | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const path = join(dir, 'package.json');
    const found = readPackage(path);
    if (found?.name !== undefined) return found;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readPackage(path: string): AppPackage | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const json: unknown = JSON.parse(text);
    if (json === null || typeof json !== 'object') return undefined;
    const { name, version } = json as Record<string, unknown>;
    return {
      path,
      ...(typeof name === 'string' && name !== '' ? { name } : {}),
      ...(typeof version === 'string' && version !== '' ? { version } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The service identity to put on the resource: `service.name` from `OTEL_SERVICE_NAME`, else the
 * application's package name (a scope like `@shop/` dropped, as service names rarely carry it);
 * `service.version` from the package. `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` still
 * win over these, through the SDK's environment detector; this only fills what they leave out.
 *
 * @param entryScript the script node was asked to run (`process.argv[1]`); its directory is where
 *   the search for package.json starts, else `cwd`.
 */
export function serviceAttributes(
  env: Readonly<Record<string, string | undefined>>,
  entryScript: string | undefined,
  cwd: string,
): Record<string, string> {
  const pkg = findAppPackage(entryScript ? dirname(resolve(cwd, entryScript)) : cwd);
  const attributes: Record<string, string> = {};
  const fromEnv = env.OTEL_SERVICE_NAME?.trim();
  const fromPackage = pkg?.name?.replace(/^@[^/]+\//, '');
  const name = fromEnv || fromPackage;
  if (name) attributes['service.name'] = name;
  if (pkg?.version !== undefined) attributes['service.version'] = pkg.version;
  return attributes;
}

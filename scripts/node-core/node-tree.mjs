/**
 * What the node-core scripts read from a Node source tree (a release's top directory, or the
 * copy vendor.mjs makes): which tests make compat's conformance suite, and the tree's version.
 * Shared by the runner, the vendoring script and the CI test, so they agree on both.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `test/parallel/test-net-*` and `test-http-*` (http2 is another protocol: `test-http2-*` does
 * not match).
 */
export const SELECT = /^test-(net|http)-.*\.(js|mjs|cjs)$/;

/**
 * The tree's version, e.g. `v22.22.2`: from the VERSION file vendor.mjs writes, else from Node's
 * `src/node_version.h`; null when the tree has neither.
 */
export function treeVersion(tree) {
  const file = join(tree, 'VERSION');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const header = join(tree, 'src', 'node_version.h');
  if (!existsSync(header)) return null;
  const h = readFileSync(header, 'utf8');
  const part = (name) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(h)?.[1];
  return `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
}

/** The major of a version string like `v22.22.2`, or null. */
export function majorOf(version) {
  return /^v(\d+)\./.exec(version ?? '')?.[1] ?? null;
}

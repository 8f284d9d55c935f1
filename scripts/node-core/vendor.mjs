#!/usr/bin/env node
/**
 * Vendor Node's net/http tests into the repository, so `npm run test:node-core` runs on a fresh
 * clone with nothing to fetch:
 *
 *   node scripts/node-core/vendor.mjs --from <Node source tree> [--to vendor/node-test]
 *
 * Copies, from a Node source tree (a release tarball's top directory: LICENSE, test/):
 * - every `test/parallel/test-net-*` and `test-http-*` (the harness's selection),
 * - all of `test/common` (the helpers those tests require, and what those require),
 * - the `test/fixtures` files the copied tests name (scanned for `fixtures.path(...)`,
 *   `readKey(...)`, `readSync(...)` and `utf8TestText`),
 * - Node's LICENSE, which covers the tests (MIT), beside them,
 * and writes VERSION (the tree's version, from `src/node_version.h`) and a package.json that makes
 * the `.js` files CommonJS, as they are in Node's tree. The previous copy is
 * replaced whole. The tree in use is the upstream tarball of Debian's source package `nodejs`
 * (vendor/README.md): the npm registry and Debian's packages are what this project's machines
 * reach, and the npm registry has no Node source.
 * @module
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SELECT, treeVersion } from './node-tree.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: { from: { type: 'string' }, to: { type: 'string', default: join(here, '..', '..', 'vendor', 'node-test') } },
});
if (!opt.from || !existsSync(join(opt.from, 'test', 'parallel'))) {
  console.error('usage: node scripts/node-core/vendor.mjs --from <Node source tree with test/parallel> [--to DIR]');
  process.exit(2);
}
const from = resolve(opt.from);
const to = resolve(opt.to);

/** Fixture paths named in `source`, relative to test/fixtures. */
function fixturesNamed(source) {
  const found = new Set();
  for (const m of source.matchAll(/readKey\(\s*['"]([^'"]+)['"]/g)) found.add(join('keys', m[1]));
  for (const m of source.matchAll(/(?:fixtures\.path|fixtures\.readSync|readSync)\(\s*['"]\/?([^'"]+)['"]\s*[,)]/g)) found.add(m[1]);
  if (/utf8TestText|utf8TestTextPath/.test(source)) found.add('utf8_test_text.txt');
  return found;
}

const tests = readdirSync(join(from, 'test', 'parallel')).filter((f) => SELECT.test(f));
rmSync(to, { recursive: true, force: true });
mkdirSync(join(to, 'test', 'parallel'), { recursive: true });
const fixtures = new Set();
for (const name of tests) {
  cpSync(join(from, 'test', 'parallel', name), join(to, 'test', 'parallel', name));
  for (const f of fixturesNamed(readFileSync(join(from, 'test', 'parallel', name), 'utf8'))) fixtures.add(f);
}
cpSync(join(from, 'test', 'common'), join(to, 'test', 'common'), { recursive: true });
for (const f of fixtures) {
  const src = join(from, 'test', 'fixtures', f);
  if (!existsSync(src)) continue; // a name built at run time, not a file
  mkdirSync(dirname(join(to, 'test', 'fixtures', f)), { recursive: true });
  cpSync(src, join(to, 'test', 'fixtures', f));
}
cpSync(join(from, 'LICENSE'), join(to, 'LICENSE'));
const version = treeVersion(from);
writeFileSync(join(to, 'VERSION'), `${version}\n`);
// Node's .js tests are CommonJS; without this, the repository's "type": "module" would make them ES
// modules (Node's own tree has no package.json above its tests).
writeFileSync(join(to, 'package.json'), `${JSON.stringify({ private: true, type: 'commonjs' }, null, 2)}\n`);
console.log(`vendor: Node ${version}: ${tests.length} tests, test/common, ${fixtures.size} fixtures, LICENSE → ${to}`);

// Builds the parker addon (parker.c) at install time. Never fails the install: without a compiler
// the runtime still works (koffi's poll handle, with a warning in workers; see src/parker.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = ['rebuild'];
// Node's own headers when installed next to it (nodesource .deb, official tarballs): no download.
const includes = resolve(dirname(process.execPath), '..', 'include', 'node');
if (existsSync(join(includes, 'node_api.h')) && existsSync(join(includes, 'uv.h'))) args.push(`--nodedir=${resolve(includes, '..', '..')}`);
// npm puts its bundled node-gyp on PATH for install scripts; otherwise use the one npm ships.
const npmGyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const [cmd, pre] = process.env.npm_config_node_gyp ? [process.execPath, [process.env.npm_config_node_gyp]]
  : existsSync(npmGyp) ? [process.execPath, [npmGyp]] : ['node-gyp', []];
const r = spawnSync(cmd, [...pre, ...args], { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status === 0) {
  console.log('@rentio/core: parker addon built');
} else {
  console.warn(`@rentio/core: the parker addon did not build (${r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' | ')}).`);
  console.warn('@rentio/core: runtimes still work; a worker_threads worker with a runtime must not be stopped from outside. Needs g++, make, python3.');
}

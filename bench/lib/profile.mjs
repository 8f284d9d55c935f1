/**
 * What a profile shows, in a few lines: a V8 CPU profile (node --cpu-prof) folded into self
 * time per function and per module (rentio core, a driver, compat, Node internals, GC, native),
 * plus the user/system split. Used for rows that miss a target.
 * @module
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Which part of the stack a script URL belongs to. */
function moduleOf(url, name) {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'native (FFI, syscalls, V8)';
  if (name === '(idle)') return 'idle';
  if (!url) return 'native (FFI, syscalls, V8)';
  if (url.includes('/packages/core/')) return 'rentio core';
  if (url.includes('/packages/driver-uring/')) return 'driver-uring';
  if (url.includes('/packages/driver-epoll/')) return 'driver-epoll';
  if (url.includes('/packages/compat/')) return 'compat';
  if (url.includes('koffi')) return 'koffi';
  if (url.includes('/bench/')) return 'bench workload';
  if (url.startsWith('node:')) return 'Node internals';
  return 'other JS';
}

/**
 * Fold a .cpuprofile (`file`, else the largest in `dir`: worker threads write their own) into
 * { total_ms, modules: [[name, share]], top: [[fn, share]] }.
 */
export function summarizeCpuProfile(dir, file) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  if (!file && !files.length) return null;
  file ??= files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const mods = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const mod = moduleOf(url, functionName);
    mods.set(mod, (mods.get(mod) ?? 0) + us);
    const where = url ? `${url.replace(/^file:\/\/.*?\/(packages|bench)\//, '$1/').replace(/^node:/, 'node:')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const share = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / total]);
  return { total_ms: total / 1000, modules: share(mods).slice(0, 8), top: share(fns).slice(0, 8) };
}

/** One paragraph of Markdown for a profile summary. */
export function describeProfile(p, cpu) {
  if (!p) return 'no profile was written.';
  const pc = (x) => `${(x * 100).toFixed(0)}%`;
  const split = cpu && Number.isFinite(cpu.sys_share) ? `CPU ${pc(1 - cpu.sys_share)} user / ${pc(cpu.sys_share)} kernel; ` : '';
  return (
    `${split}JS-thread time by module: ${p.modules.map(([k, v]) => `${k} ${pc(v)}`).join(', ')}. ` +
    `Hottest functions (self time): ${p.top
      .slice(0, 6)
      .map(([k, v]) => `\`${k}\` ${pc(v)}`)
      .join(', ')}.`
  );
}

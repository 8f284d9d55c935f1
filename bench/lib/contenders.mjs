/**
 * How each runtime is started, and why one is skipped. A scenario names its contenders by
 * these ids; the command builders keep the flags for each runtime in one place.
 * @module
 */
import path from 'node:path';
import { WORKLOADS } from './env.mjs';

/** Display order and chart colours of the contender families. */
export const FAMILY = {
  'rentio-uring': { color: '#d9480f' },
  'rentio-epoll': { color: '#f59f00' },
  node: { color: '#5c7cfa' },
  bun: { color: '#ae3ec9' },
  deno: { color: '#12b886' },
  ref: { color: '#495057' },
};

/** A workload script's path. */
export const workload = (name) => path.join(WORKLOADS, name);

/**
 * The command that runs `script` under `runtime` ('node' | 'bun' | 'deno').
 * @param {object} ctx runner context (tools)
 * @param {{ nodeFlags?: string[], gc?: boolean }} [opts] nodeFlags: profiler flags; gc: expose gc()
 */
export function command(ctx, runtime, script, args, opts = {}) {
  const { tools } = ctx;
  if (runtime === 'node') {
    return { cmd: tools.node, args: [...(opts.gc ? ['--expose-gc'] : []), ...(opts.nodeFlags ?? []), workload(script), ...args] };
  }
  if (runtime === 'bun') return { cmd: tools.bun, args: [workload(script), ...args] };
  if (runtime === 'deno') {
    return {
      cmd: tools.deno,
      args: ['run', '-A', '--quiet', '--no-prompt', ...(opts.gc ? ['--v8-flags=--expose-gc'] : []), workload(script), ...args],
    };
  }
  throw new Error(`unknown runtime ${runtime}`);
}

/** Environment every child gets: no update checks, no colour. */
export const CHILD_ENV = { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', FORCE_COLOR: '0' };

/** Why a contender cannot run here (null: it can). */
export function skipReason(ctx, id) {
  const { tools, rentio, built } = ctx;
  switch (id) {
    case 'rentio-uring':
      return rentio.uring && `rentio uring driver unavailable: ${rentio.uring}`;
    case 'rentio-epoll':
      return rentio.epoll && `rentio epoll driver unavailable: ${rentio.epoll}`;
    case 'compat-uring':
      return rentio.compat ? `@rentio/compat unavailable: ${rentio.compat}` : rentio.uring && `rentio uring driver unavailable: ${rentio.uring}`;
    case 'compat-epoll':
      return rentio.compat ? `@rentio/compat unavailable: ${rentio.compat}` : rentio.epoll && `rentio epoll driver unavailable: ${rentio.epoll}`;
    case 'bun':
      return tools.bun ? null : 'bun not installed (npm install in bench/)';
    case 'deno':
      return tools.deno ? null : 'deno not installed (npm install in bench/)';
    case 'fio':
      return tools.fio ? null : 'fio not installed';
    case 'wrk':
      return tools.wrk ? null : 'wrk not installed';
    case 'strace':
      return tools.strace ? null : 'strace not installed';
    default:
      if (id.startsWith('c:')) {
        const b = built[id.slice(2)];
        return typeof b === 'string' ? null : `${id.slice(2)} not built: ${b?.error ?? 'unknown'}`;
      }
      return null;
  }
}

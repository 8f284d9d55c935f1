/**
 * One 'abort' listener per AbortSignal, however many ops share it.
 *
 * A listener per op would pile up on a signal shared by many concurrent ops (one
 * `AbortSignal.timeout()` for a whole batch, an app-wide shutdown controller): Node warns past 10
 * (MaxListenersExceededWarning) and each add/remove walks the signal's listener list. Instead the
 * ops waiting on a signal sit in a set, and the signal's single listener cancels them all.
 * @module
 */
import type { Op } from './op.js';

const waiting = new WeakMap<AbortSignal, Set<Op>>();

/** Cancel `op` (with the signal's reason) when `signal` aborts. */
export function watch(signal: AbortSignal, op: Op): void {
  let ops = waiting.get(signal);
  if (!ops) {
    const set = new Set<Op>();
    ops = set;
    waiting.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const o of set) o.handleEvent();
        set.clear();
      },
      { once: true },
    );
  }
  ops.add(op);
}

/** `op` settled: stop watching `signal` for it. */
export function unwatch(signal: AbortSignal, op: Op): void {
  waiting.get(signal)?.delete(op);
}

/**
 * Stream sends gathered per turn and made back to back.
 *
 * Why: a loopback `send(2)` runs the peer's receive path inside the call and wakes the peer's
 * thread. Made one at a time, each between the JavaScript that produced it (an HTTP response per
 * request, an echo per message), every send finds a peer that went back to sleep since the last
 * one and pays that wake-up again. Queued, and made together once the JavaScript that queued them
 * is done — a `process.nextTick` after the microtasks that queued them, as the uring driver
 * flushes its SQEs — one wake-up serves the burst. Measured on node:http over compat against the
 * build without it (paired, 10 reps): median ~5% less CPU per request, ~5% more requests per
 * second; echo at 1 and 64 connections level (4 reps each).
 *
 * Order: sends on one fd go in the order they were submitted. An op on an fd with queued sends
 * that is not a read (a shutdown, a close, another kind of write) flushes the queue first, so
 * it never overtakes them; a read may go first (it does not touch what is being sent).
 * @module
 */
import type { Op } from '@rentio/core/driver';

export class SendBatch {
  #queue: Op[] = [];
  /** The other array: the flush swaps them, so a send queued while flushing is made after the ones before it, in the same flush. */
  #spare: Op[] = [];
  #scheduled = false;
  readonly #run: (op: Op) => void;
  readonly #flushCb = (): void => this.flush();

  /** @param run makes one queued send (attempts it; completes it or waits for writability) */
  constructor(run: (op: Op) => void) {
    this.#run = run;
  }

  /** Queue a send for this turn's flush. */
  add(op: Op): void {
    this.#queue.push(op);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // nextTick, not a microtask: it runs after the microtasks that queue sends, so one flush
    // takes all of them; and before any I/O callback, so no other event overtakes them.
    process.nextTick(this.#flushCb);
  }

  /** Whether a send on `fd` is queued. */
  has(fd: number): boolean {
    const q = this.#queue;
    for (let i = 0; i < q.length; i++) if (q[i]!.fd === fd) return true;
    return false;
  }

  /** Make every queued send now, in order. */
  flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const q = this.#queue;
      this.#queue = this.#spare;
      this.#spare = q;
      for (let i = 0; i < q.length; i++) this.#run(q[i]!);
      q.length = 0;
    }
  }
}

/**
 * All cores: one worker thread per core, each with its own runtime running a user module,
 * typically a server listening with `reusePort` so the kernel spreads connections among them
 * (thread-per-core, as monoio and glommio run). The pool forwards the workers' errors, sums their
 * stats, and shuts them down gracefully on SIGINT/SIGTERM.
 * @module
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { DriverOptions } from './driver.js';
import { InvalidArgTypeError } from './errors.js';
import type { Runtime, RuntimeStats } from './runtime.js';
import type { DriverName } from './select.js';
import { checkInt, checkOptions, checkSignal } from './validate.js';

/** What each worker's main function receives. */
export interface AllCoresContext<D = unknown> {
  /** This worker's own runtime (closed by the pool after main has finished). */
  rt: Runtime;
  /** 0 .. workers-1. */
  workerId: number;
  /** The pool's `workerData`, cloned into this worker. */
  workerData: D;
  /**
   * Aborted when the pool closes (explicit `close()`, SIGINT/SIGTERM, or the pool's `signal`):
   * close your listeners then, let in-flight requests finish, and return from main.
   */
  signal: AbortSignal;
  /** Tell the pool this worker is serving (otherwise: when main returns). */
  ready(): void;
}

/**
 * The function a worker module exports (as `default`, or as `main`). Its promise is the worker's
 * work: return once your listeners are closed and their connections done.
 */
export type AllCoresMain<D = unknown> = (ctx: AllCoresContext<D>) => unknown;

/** Options of {@link runOnAllCores}. */
export interface AllCoresOptions<D = unknown> {
  /** How many worker threads. Default `os.availableParallelism()`. */
  workers?: number;
  /** Driver of every worker's runtime (default: `RENTIO_DRIVER` or `'auto'`). */
  driver?: DriverName;
  /** Passed to each runtime's driver. */
  driverOptions?: DriverOptions;
  /** Handed (cloned) to every worker's main as `workerData`. */
  workerData?: D;
  /** Aborting it closes the pool, as `close()`. */
  signal?: AbortSignal;
  /** Signals that close the pool gracefully (a second one terminates at once). Default `['SIGINT', 'SIGTERM']`; `false` for none. */
  signals?: NodeJS.Signals[] | false;
  /** Node options of the worker threads (as `new Worker`'s; default: the process's `execArgv`, less `--input-type`). */
  execArgv?: string[];
  /** Milliseconds `close()` waits for workers to finish before terminating them. Default 10000. */
  shutdownTimeout?: number;
}

/** What {@link CorePool.stats} returns. */
export interface AllCoresStats {
  /** Workers running now. */
  workers: number;
  /** Every numeric counter of the workers' `rt.stats()`, summed. */
  total: Record<string, number>;
  /** Each running worker's `rt.stats()`, with its `workerId`. */
  perWorker: (RuntimeStats & { workerId: number })[];
}

/** @internal what a worker is started with */
export interface WorkerBoot {
  moduleUrl: string;
  workerId: number;
  execArgv?: string[];
  driver?: DriverName;
  driverOptions?: DriverOptions;
  workerData: unknown;
  /** the worker's end of its channel to the pool (ready, closed, stats) */
  port?: MessagePort;
}

/** @internal pool → worker */
export type ToWorker = { type: 'stop' } | { type: 'stats'; seq: number };
/** @internal worker → pool */
export type ToPool = { type: 'ready' } | { type: 'closed' } | { type: 'stats'; seq: number; stats: RuntimeStats | null };

const entryUrl = new URL('./worker-entry.js', import.meta.url);

/** One worker of the pool and what the pool waits on. */
interface Member {
  id: number;
  worker: Worker;
  exited: Promise<void>;
  alive: boolean;
  pendingStats: Map<number, (s: RuntimeStats | null) => void>;
}

/**
 * N worker threads, each running the module given to {@link runOnAllCores} on its own runtime.
 * Emits `'error'` (an error thrown in a worker, with its `workerId`) and `'exit'`
 * (`workerId, exitCode`).
 *
 * @example
 * ```ts
 * const pool = await runOnAllCores(new URL('./server.mjs', import.meta.url))
 * pool.on('error', (err) => console.error(`worker ${err.workerId}:`, err))
 * setInterval(async () => console.log((await pool.stats()).total.completed), 1000).unref()
 * ```
 */
export class CorePool extends EventEmitter {
  readonly #members: Member[] = [];
  #closing: Promise<void> | null = null;
  #seq = 0;
  #timeout: number;
  #unhook: () => void = () => {};
  /** Errors of workers that were ready before runOnAllCores returned: emitted once it has. */
  #held: Error[] | null = [];

  /** @internal made by runOnAllCores */
  constructor(shutdownTimeout: number) {
    super();
    this.#timeout = shutdownTimeout;
  }

  /** How many workers are running. */
  get size(): number {
    return this.#members.filter((m) => m.alive).length;
  }

  /** True once `close()` was called (or a signal asked for it). */
  get closing(): boolean {
    return this.#closing !== null;
  }

  /**
   * Every worker's `rt.stats()`, and their numeric counters summed.
   *
   * @example
   * ```ts
   * const { total, perWorker } = await pool.stats()
   * console.log(total.completed, perWorker.map((w) => w.completed))
   * ```
   */
  async stats(): Promise<AllCoresStats> {
    const got = await Promise.all(this.#members.filter((m) => m.alive).map((m) => this.#askStats(m)));
    const perWorker = got.filter((s): s is RuntimeStats & { workerId: number } => s !== null);
    const total: Record<string, number> = {};
    for (const s of perWorker) for (const [k, v] of Object.entries(s)) if (typeof v === 'number' && k !== 'workerId') total[k] = (total[k] ?? 0) + v;
    return { workers: perWorker.length, total, perWorker };
  }

  /**
   * Stop gracefully: abort every worker's `signal` (its main closes its listeners and lets
   * in-flight requests finish), wait for main to return, close each runtime, and wait for the
   * threads to end; a worker not done after `shutdownTimeout` ms is terminated. Idempotent.
   *
   * @example
   * ```ts
   * await pool.close()
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Terminate every worker now, without waiting for their work (a second SIGINT does this). */
  async terminate(): Promise<void> {
    await Promise.all(this.#members.filter((m) => m.alive).map((m) => m.worker.terminate()));
  }

  async #close(): Promise<void> {
    for (const m of this.#members) if (m.alive) m.worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void this.terminate(), this.#timeout);
    await Promise.all(this.#members.map((m) => m.exited));
    clearTimeout(timer);
    this.#unhook();
  }

  /** @internal start worker `id` on `boot`; resolves once it is ready */
  _spawn(boot: WorkerBoot): Promise<void> {
    // Worker → pool messages go over a channel of their own, not parentPort: an error thrown
    // right after ready() travels on the worker's internal port, and Node gives no order between
    // two ports, so the error could be seen first. With our own port1, the 'error' and 'exit'
    // handlers drain it synchronously (receiveMessageOnPort) and see every earlier message.
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(entryUrl, { workerData: { ...boot, port: port2 }, transferList: [port2], execArgv: boot.execArgv });
    const m: Member = { id: boot.workerId, worker, alive: true, pendingStats: new Map(), exited: Promise.resolve() };
    this.#members.push(m);
    let started: (err?: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      started = (err) => (err ? reject(err) : resolve());
    });
    m.exited = new Promise((resolve) => {
      worker.on('exit', (code) => {
        drain();
        port1.close();
        m.alive = false;
        for (const r of m.pendingStats.values()) r(null);
        m.pendingStats.clear();
        started(new Error(`worker ${m.id} exited with code ${code} before it was ready`));
        this.emit('exit', m.id, code);
        resolve();
      });
    });
    let ok = false;
    const onMessage = (msg: ToPool): void => {
      if (msg.type === 'ready') {
        ok = true;
        started();
      } else if (msg.type === 'stats') {
        m.pendingStats.get(msg.seq)?.(msg.stats && Object.assign(msg.stats, { workerId: m.id }));
        m.pendingStats.delete(msg.seq);
      }
    };
    const drain = (): void => {
      for (let got = receiveMessageOnPort(port1); got; got = receiveMessageOnPort(port1)) onMessage(got.message as ToPool);
    };
    port1.on('message', onMessage);
    worker.on('error', (err: Error & { workerId?: number }) => {
      drain();
      if (err !== null && typeof err === 'object') err.workerId = m.id;
      // Before every worker is ready, the error rejects runOnAllCores; after, it is the pool's.
      if (!ok) started(err);
      else if (this.#held) this.#held.push(err);
      else this.emit('error', err);
    });
    return ready;
  }

  /**
   * @internal runOnAllCores has returned the pool: errors held since then are emitted on the next
   * turn, once the caller's code after `await runOnAllCores()` could add its 'error' listener.
   */
  _release(): void {
    setImmediate(() => {
      const held = this.#held ?? [];
      this.#held = null;
      for (const err of held) this.emit('error', err);
    });
  }

  /** @internal close on these signals until the pool is closed */
  _hookSignals(signals: NodeJS.Signals[], abort: AbortSignal | null): void {
    const onSignal = (): void => {
      if (this.#closing) void this.terminate();
      else void this.close();
    };
    const onAbort = (): void => void this.close();
    for (const s of signals) process.on(s, onSignal);
    abort?.addEventListener('abort', onAbort, { once: true });
    this.#unhook = () => {
      for (const s of signals) process.off(s, onSignal);
      abort?.removeEventListener('abort', onAbort);
    };
  }

  #askStats(m: Member): Promise<(RuntimeStats & { workerId: number }) | null> {
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      m.pendingStats.set(seq, resolve as (s: RuntimeStats | null) => void);
      m.worker.postMessage({ type: 'stats', seq } satisfies ToWorker);
    });
  }
}

/**
 * Start `workers` worker threads (default: one per available CPU), each with its own runtime,
 * each running the default export (or `main`) of `module` with `{ rt, workerId, workerData,
 * signal, ready }`. Resolves with the pool once every worker called `ready()` or returned from
 * main; rejects with the first worker's error (with its `workerId`), after stopping the others.
 * SIGINT/SIGTERM (unless `signals: false`) close the pool gracefully: each worker's `signal`
 * is aborted, main closes its listeners and finishes its in-flight requests, then every runtime
 * is closed and the threads end; `shutdownTimeout` later, stragglers are terminated.
 *
 * @example
 * ```ts
 * // server.mjs — runs on every core; the kernel spreads connections among the listeners
 * export default async function ({ rt, signal, ready }) {
 *   const l = await rt.listen({ port: 8080, reusePort: true })
 *   signal.addEventListener('abort', () => l.close())
 *   ready()
 *   const conns = []
 *   for await (const s of l) conns.push(echo(s))
 *   await Promise.all(conns)   // in-flight connections finish before the runtime closes
 * }
 *
 * // main.mjs
 * import { runOnAllCores } from '@rentio/core'
 * const pool = await runOnAllCores(new URL('./server.mjs', import.meta.url))
 * ```
 */
export async function runOnAllCores<D = unknown>(module: string | URL, options?: AllCoresOptions<D>): Promise<CorePool> {
  const opts = checkOptions<AllCoresOptions<D>>(options);
  const moduleUrl = moduleHref(module);
  const n = checkInt('workers', opts.workers ?? availableParallelism(), 1, 1024);
  const timeout = checkInt('shutdownTimeout', opts.shutdownTimeout ?? 10_000, 0, 2 ** 31 - 1);
  const signal = checkSignal(opts.signal);
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM'];
  if (signals !== false && !Array.isArray(signals)) throw new InvalidArgTypeError('signals', 'an array of signal names or false', signals);
  // --input-type (of a `node -e` main) is refused by a Worker, whose entry is a file.
  const execArgv = opts.execArgv ?? process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const pool = new CorePool(timeout);
  pool._hookSignals(signals || [], signal);
  const started = Array.from({ length: n }, (_, workerId) =>
    pool._spawn({ moduleUrl, workerId, driver: opts.driver, driverOptions: opts.driverOptions, workerData: opts.workerData, execArgv }),
  );
  const all = await Promise.allSettled(started);
  const failed = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await pool.close();
    throw failed.reason;
  }
  if (signal?.aborted) await pool.close();
  pool._release();
  return pool;
}

/** The module as an import()able URL: a URL, a file: or data: URL string, or a path (relative to the working directory). */
function moduleHref(module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) throw new InvalidArgTypeError('module', 'a URL or a path string', module);
  if (/^(file|data):/.test(module)) return module;
  return pathToFileURL(resolvePath(module)).href;
}

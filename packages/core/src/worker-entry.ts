/**
 * Inside one worker thread of {@link runOnAllCores}: make the worker's runtime, import the user's
 * module and run its main with `{ rt, workerId, workerData, signal, ready }`; on the pool's stop,
 * abort `signal`, wait for main to finish (the user closes listeners, in-flight work ends), then
 * close the runtime and let the thread end.
 * @module
 */
import { parentPort, workerData as data } from 'node:worker_threads';
import { createRuntime, type Runtime } from './runtime.js';
import type { AllCoresMain, ToPool, ToWorker, WorkerBoot } from './workers.js';

const boot = data as WorkerBoot;
const port = parentPort!;
// INVARIANT: the pool always passes its channel's port (workers.ts, _spawn).
const toPool = boot.port!;
const stop = new AbortController();
const send = (m: ToPool): void => toPool.postMessage(m);
let rt: Runtime | null = null;
let readySent = false;
const ready = (): void => {
  if (readySent) return;
  readySent = true;
  send({ type: 'ready' });
};

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') stop.abort(new Error('the pool is closing'));
  else if (m.type === 'stats') send({ type: 'stats', seq: m.seq, stats: rt ? { ...rt.stats() } : null });
});

try {
  rt = await createRuntime({ driver: boot.driver, driverOptions: boot.driverOptions });
  const mod = (await import(boot.moduleUrl)) as { default?: unknown; main?: unknown };
  const main = (typeof mod.default === 'function' ? mod.default : mod.main) as AllCoresMain | undefined;
  if (typeof main !== 'function') throw new TypeError(`${boot.moduleUrl} exports no default (or "main") function to run on each core`);
  await main({ rt, workerId: boot.workerId, workerData: boot.workerData, signal: stop.signal, ready });
  // A main that returned before the stop (it started servers and left them running) counts as
  // ready; its runtime stays open until the pool stops.
  ready();
  if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  await rt.close();
  send({ type: 'closed' });
  // Nothing of ours is left on the loop: the thread ends once the user's own timers (if any) do.
  port.close();
  toPool.close();
} catch (err) {
  // The runtime's sockets and files are closed before the error ends this thread: a worker that
  // failed leaks no fd into the process that goes on running.
  await rt?.close().catch(() => {});
  throw err;
}

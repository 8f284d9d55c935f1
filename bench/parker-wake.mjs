// Wake round trip of core's Parker: an eventfd written from JS turns readable, Node's loop calls
// the parker back, which reads it and writes it again. Mean time per round, on the main thread
// and in a worker_threads worker. `RENTIO_PARKER=koffi node bench/parker-wake.mjs` measures the
// koffi fallback. Usage: node bench/parker-wake.mjs [rounds=200000]
import { isMainThread, Worker, workerData, parentPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { Parker } from '@rentio/core/driver';

const rounds = Number(isMainThread ? (process.argv[2] ?? 200_000) : workerData.rounds);

function measure() {
  const libc = koffi.load('libc.so.6');
  const eventfd = libc.func('int eventfd(unsigned int initval, int flags)');
  const read = libc.func('long read(int fd, _Out_ uint64_t *buf, size_t n)');
  const write = libc.func('long write(int fd, uint64_t *buf, size_t n)');
  const EFD_NONBLOCK = 0o4000;
  const fd = eventfd(0, EFD_NONBLOCK);
  const one = [1n];
  const out = [0n];
  return new Promise((resolve) => {
    let n = 0;
    let t0 = 0n;
    const p = new Parker(fd, () => {
      read(fd, out, 8);
      if (++n === rounds) {
        const ns = Number(process.hrtime.bigint() - t0);
        p.close();
        resolve({ mechanism: mech, usPerRound: ns / rounds / 1000 });
        return;
      }
      write(fd, one, 8);
    });
    const mech = p.mechanism;
    p.busy(true);
    t0 = process.hrtime.bigint();
    write(fd, one, 8);
  });
}

if (isMainThread) {
  const main = await measure();
  const worker = await new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { rounds } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  console.log(
    `parker wake round trip (${rounds} rounds): main ${main.usPerRound.toFixed(2)} µs [${main.mechanism}], worker ${worker.usPerRound.toFixed(2)} µs [${worker.mechanism}]`,
  );
} else {
  parentPort.postMessage(await measure());
}

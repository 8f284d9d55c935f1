// One side of bench-read.mjs: 4 KiB random reads at queue depth QD for SECONDS, prints IOPS as JSON.
// Usage: node|bun read-worker.mjs <rentio|fs> <file> [setupFlags comma list]
const [mode, file, flags] = process.argv.slice(2);
const QD = Number(process.env.QD || 64);
const SECONDS = Number(process.env.SECONDS_PER_RUN || 3);
const WARMUP = 0.5;
const { size } = await import('node:fs').then((fs) => fs.statSync(file));
const blocks = Math.floor(size / 4096);

let count = 0;
let stop = false;
let rng = 0x9e3779b9;
function nextBlock() {
  rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
  return (rng >>> 0) % blocks;
}

let read;
let close;
let extra = () => ({});
if (mode === 'rentio') {
  const { createRuntime, alloc } = await import('@rentio/core');
  const driverOptions = flags ? { setupFlags: flags === 'none' ? [] : flags.split(',') } : {};
  const rt = await createRuntime({ driver: 'uring', driverOptions });
  const f = await rt.open(file, 'r');
  read = async () => {
    let buf = alloc(4096);
    while (!stop) {
      const r = await f.read(buf, { position: nextBlock() * 4096 });
      buf = r[1];
      count++;
    }
  };
  close = async () => { await f.close(); await rt.close(); };
  extra = () => { const s = rt.stats(); return { setupFlags: s.setupFlags, syscalls: s.syscalls, submits: s.submits, wakeups: s.wakeups }; };
} else {
  const fsp = await import('node:fs/promises');
  const fh = await fsp.open(file, 'r');
  read = async () => {
    const buf = Buffer.alloc(4096);
    while (!stop) {
      await fh.read(buf, 0, 4096, nextBlock() * 4096);
      count++;
    }
  };
  close = () => fh.close();
}
const workers = Array.from({ length: QD }, read);
await new Promise((r) => setTimeout(r, WARMUP * 1000));
const c0 = count, t0 = performance.now();
const s0 = extra();
const u0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const c1 = count, t1 = performance.now();
const s1 = extra();
const u1 = process.cpuUsage(u0);
stop = true;
await Promise.all(workers);
await close();
const ops = c1 - c0;
// CPU time of every thread of the process (Node's and Bun's thread pools included) per op.
const out = { iops: Math.round(ops / ((t1 - t0) / 1000)), cpuUsPerOp: +((u1.user + u1.system) / ops).toFixed(2) };
if (s1.syscalls !== undefined) Object.assign(out, { setupFlags: s1.setupFlags, syscallsPerOp: +((s1.syscalls - s0.syscalls) / ops).toFixed(3), opsPerSubmit: +(ops / (s1.submits - s0.submits)).toFixed(1), wakeups: s1.wakeups - s0.wakeups });
console.log(JSON.stringify(out));

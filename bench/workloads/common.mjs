/**
 * What every workload shares, written to run unchanged under Node, Bun and Deno: `--key value`
 * arguments, one JSON object per stdout line (the runner's protocol), stdin commands, a seeded
 * offset table, and a measurement window that starts after a warm-up.
 * @module
 */
import process from 'node:process';

/** `--key value` pairs into an object; numeric strings become numbers. */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    const key = argv[i].slice(2);
    const v = i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    out[key] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** Write one protocol line. */
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/**
 * Call `handler(line)` for each stdin line; `onEnd()` when the runner closes stdin (it does
 * so to end a server). Returns nothing; the listener keeps the process alive.
 */
export function onCommands(handler, onEnd = () => process.exit(0)) {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i).trim();
      pending = pending.slice(i + 1);
      if (line) Promise.resolve(handler(line)).catch((err) => fail(err));
    }
  });
  process.stdin.on('end', onEnd);
  process.on('SIGTERM', onEnd);
}

/** Report a failure on stdout and stderr and exit non-zero. */
export function fail(err) {
  const message = err && err.stack ? err.stack : String(err);
  process.stderr.write(message + '\n');
  emit({ error: String(err && err.message ? err.message : err), code: err && err.code });
  process.exit(1);
}

/**
 * `count` block-aligned offsets into a file of `fileSize` bytes, from a fixed seed so every
 * contender reads the same pattern. xorshift32: cheap and identical in every runtime.
 */
export function randomOffsets(fileSize, blockSize, count = 1 << 16, seed = 0x9e3779b9) {
  const blocks = Math.floor(fileSize / blockSize);
  const out = new Float64Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x % blocks) * blockSize;
  }
  return out;
}

/** CPU time of this process in microseconds (user, system). */
export function cpuTime() {
  const u = process.cpuUsage();
  return { user: u.user, system: u.system };
}

/**
 * Run `lanes` concurrent loops of `op(lane, i)` until the window closes. The window opens
 * `warmup` ms after the start and lasts `duration` ms; with `count > 0` it instead covers
 * exactly `count` ops from the start (the strace runs, where time is meaningless).
 * `snapshot()` is taken at the window's edges (driver counters). Resolves the window's ops,
 * seconds, CPU and the snapshot difference.
 */
export async function measure({ lanes, op, warmup = 300, duration = 2000, count = 0, snapshot = () => ({}) }) {
  let ops = 0;
  let issued = 0;
  let stop = false;
  let w0 = null;
  let w1 = null;
  const mark = () => ({ t: performance.now(), ops, cpu: cpuTime(), snap: snapshot() });
  const timers = [];
  if (count > 0) {
    w0 = mark();
  } else {
    timers.push(
      setTimeout(() => {
        w0 = mark();
      }, warmup),
    );
    timers.push(
      setTimeout(() => {
        w1 = mark();
        stop = true;
      }, warmup + duration),
    );
  }
  const lane = async (l) => {
    while (!stop) {
      if (count > 0 && issued++ >= count) break;
      await op(l);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  for (const t of timers) clearTimeout(t);
  w1 ??= mark();
  w0 ??= w1;
  const diff = {};
  for (const [k, v] of Object.entries(w1.snap)) if (typeof v === 'number' && typeof w0.snap[k] === 'number') diff[k] = v - w0.snap[k];
  return {
    ops: w1.ops - w0.ops,
    seconds: (w1.t - w0.t) / 1000,
    cpu_user_us: w1.cpu.user - w0.cpu.user,
    cpu_sys_us: w1.cpu.system - w0.cpu.system,
    counters: diff,
  };
}

/** Numeric fields of `rt.stats()` only (what can be differenced). */
export function numericStats(stats) {
  const out = {};
  for (const [k, v] of Object.entries(stats)) if (typeof v === 'number') out[k] = v;
  return out;
}

/**
 * Zero-copy send, op deadlines and sendFile, measured side by side in one run (issue 13):
 * - `send-zc`: one connection writes 128 MiB in writes of 4 KiB … 1 MiB to a C sink
 *   (c/sink.c) — uring plain send, uring IORING_OP_SEND_ZC (threshold 1 byte), epoll send; MB/s.
 * - `deadline`: 64-byte ping-pong between two streams of one runtime; each read plain, with
 *   `{ timeout }` (the kernel's timer) or with `{ signal: AbortSignal.timeout() }`; round trips/s.
 * - `sendfile`: a page-cached file to the C sink — rentio `sendFile`, rentio read+writeAll with a
 *   1 MiB buffer, Node `fs.createReadStream().pipe(socket)`; MB/s.
 * Each row is the median of `--reps` runs (default 3), rows interleaved per repetition.
 *
 *   node bench/zc-splice.mjs [--reps N] [--file-mib N] [--quick]
 * @module
 */
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { alloc, createRuntime, own } from '@rentio/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const quick = args.includes('--quick');
const REPS = opt('reps', quick ? 1 : 3);
const TOTAL = (quick ? 16 : 128) << 20;
const FILE_MIB = opt('file-mib', quick ? 32 : 256);
const ROUND_TRIPS = quick ? 2000 : 20000;

function sinkPath() {
  const bin = path.join(here, 'build', 'sink');
  if (!existsSync(bin)) execFileSync('gcc', ['-O2', '-o', bin, path.join(here, 'c', 'sink.c')]);
  return bin;
}

async function startSink() {
  const child = spawn(sinkPath(), ['0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const msg = JSON.parse(String(line)); // {"ready":true,"port":N}; a sink built before that printed N
  return { port: typeof msg === 'number' ? msg : msg.port, stop: () => child.kill() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Send `TOTAL` bytes in writes of `size` through rentio, then wait for the sink's EOF. */
async function rentioSend(rt, port, size) {
  const s = await rt.connect({ host: '127.0.0.1', port });
  let buf = alloc(size);
  const t0 = performance.now();
  for (let sent = 0; sent < TOTAL; sent += size) buf = await s.writeAll(buf);
  await s.shutdown();
  await s.read(alloc(1));
  const ms = performance.now() - t0;
  await s.close();
  return TOTAL / 1048576 / (ms / 1000);
}

async function pingPong(rt, mode) {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  const opts = () => (mode === 'timeout' ? { timeout: 10_000 } : mode === 'signal' ? { signal: AbortSignal.timeout(10_000) } : undefined);
  let cb = own(new Uint8Array(64));
  let sb = alloc(64);
  const t0 = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) {
    cb = await c.writeAll(cb);
    let n;
    [n, sb] = await s.read(sb, opts());
    sb = await s.writeAll(sb, { length: n });
    [, cb] = await c.read(cb, opts());
  }
  const ms = performance.now() - t0;
  await Promise.all([c.close(), s.close(), l.close()]);
  return ROUND_TRIPS / (ms / 1000);
}

async function rentioFile(rt, port, file, size, how) {
  const s = await rt.connect({ host: '127.0.0.1', port });
  const f = await rt.open(file);
  const t0 = performance.now();
  if (how === 'sendFile') {
    await s.sendFile(f);
  } else {
    let buf = alloc(1 << 20);
    for (let pos = 0; pos < size;) {
      let n;
      [n, buf] = await f.read(buf, { position: pos });
      if (n === 0) break;
      buf = await s.writeAll(buf, { length: n });
      pos += n;
    }
  }
  await s.shutdown();
  await s.read(alloc(1));
  const ms = performance.now() - t0;
  await Promise.all([s.close(), f.close()]);
  return size / 1048576 / (ms / 1000);
}

async function nodePipe(port, file, size) {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const t0 = performance.now();
  const done = once(sock, 'close');
  sock.resume();
  createReadStream(file).pipe(sock);
  await done;
  return size / 1048576 / ((performance.now() - t0) / 1000);
}

async function main() {
  const sink = await startSink();
  const uring = await createRuntime({ driver: 'uring' });
  const uringZc = await createRuntime({ driver: 'uring', driverOptions: { sendZcThreshold: 1 } });
  const epoll = await createRuntime({ driver: 'epoll' });
  const out = [];
  try {
    // --- send vs send_zc ---
    out.push(
      '### send vs SEND_ZC (loopback, 128 MiB per run, MB/s)\n',
      '| write size | uring send | uring SEND_ZC | epoll send | ZC copied / ZC sends |',
      '|---|---|---|---|---|',
    );
    for (const size of [4096, 16384, 65536, 262144, 1 << 20]) {
      const rows = { u: [], z: [], e: [] };
      const zc0 = uringZc.stats();
      for (let r = 0; r < REPS; r++) {
        rows.u.push(await rentioSend(uring, sink.port, size));
        rows.z.push(await rentioSend(uringZc, sink.port, size));
        rows.e.push(await rentioSend(epoll, sink.port, size));
      }
      const zc1 = uringZc.stats();
      out.push(
        `| ${size >= 1 << 20 ? size >> 20 : size >> 10} ${size >= 1 << 20 ? 'MiB' : 'KiB'} | ${median(rows.u).toFixed(0)} | ${median(rows.z).toFixed(0)} | ${median(rows.e).toFixed(0)} | ${zc1.zcCopied - zc0.zcCopied} / ${zc1.zcSends - zc0.zcSends} |`,
      );
      console.error(out.at(-1));
    }
    // --- deadlines ---
    out.push(
      '',
      '### Op deadlines: 64-byte ping-pong, round trips/s (two reads per round trip carry the option)\n',
      '| driver | no deadline | `{ timeout }` | `{ signal: AbortSignal.timeout() }` |',
      '|---|---|---|---|',
    );
    for (const [name, rt] of [
      ['uring', uring],
      ['epoll', epoll],
    ]) {
      const rows = { none: [], timeout: [], signal: [] };
      for (let r = 0; r < REPS; r++) for (const mode of ['none', 'timeout', 'signal']) rows[mode].push(await pingPong(rt, mode));
      out.push(`| ${name} | ${median(rows.none).toFixed(0)} | ${median(rows.timeout).toFixed(0)} | ${median(rows.signal).toFixed(0)} |`);
      console.error(out.at(-1));
    }
    // --- sendFile ---
    const dir = mkdtempSync(path.join(tmpdir(), 'rentio-bench-'));
    const file = path.join(dir, 'static.bin');
    const size = FILE_MIB << 20;
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131) & 255;
    writeFileSync(file, Buffer.concat(Array.from({ length: FILE_MIB }, () => chunk)));
    try {
      out.push('', `### A ${FILE_MIB} MiB page-cached file to a socket, MB/s\n`, '| contender | MB/s |', '|---|---|');
      const rows = new Map();
      const add = (k, v) => rows.set(k, [...(rows.get(k) ?? []), v]);
      await nodePipe(sink.port, file, size); // warm the page cache
      for (let r = 0; r < REPS; r++) {
        add('rentio uring `sendFile` (splice via pipe)', await rentioFile(uring, sink.port, file, size, 'sendFile'));
        add('rentio epoll `sendFile` (sendfile(2))', await rentioFile(epoll, sink.port, file, size, 'sendFile'));
        add('rentio uring read + writeAll (1 MiB buffer)', await rentioFile(uring, sink.port, file, size, 'rw'));
        add('rentio epoll read + writeAll (1 MiB buffer)', await rentioFile(epoll, sink.port, file, size, 'rw'));
        add('Node `fs.createReadStream().pipe(socket)`', await nodePipe(sink.port, file, size));
      }
      for (const [k, v] of rows) out.push(`| ${k} | ${median(v).toFixed(0)} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await Promise.all([uring.close(), uringZc.close(), epoll.close()]);
    sink.stop();
  }
  console.log(out.join('\n'));
}

await main();

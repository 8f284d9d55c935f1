/**
 * Bulk send to the C sink (c/sink.c): one connection writes `--total` bytes in `--size`-byte
 * writes, shuts down its write side and waits for the sink's EOF (the moment every byte arrived).
 *   --impl net                                 node:net, `socket.write()` honouring back-pressure
 *   --impl rentio --driver D [--zc-threshold N|off]   rentio `writeAll` of one rented buffer; on
 *                                              uring, N sets driverOptions.sendZcThreshold (writes
 *                                              of at least N bytes go as IORING_OP_SEND_ZC)
 * A `--warmup`-byte connection goes first, unmeasured. Prints one JSON line: {"bytes","ms",
 * "cpu_user_us","cpu_sys_us" (this process, the measured connection only),"zcSends","zcCopied"
 * (rentio's counters over it)}.
 * --port N [--host 127.0.0.1] --total BYTES --size BYTES [--warmup BYTES]
 * @module
 */
import { cpuTime, emit, fail, parseArgs } from './common.mjs';

const a = parseArgs();
const host = a.host ?? '127.0.0.1';
const size = a.size ?? 1 << 20;
const total = a.total ?? 256 << 20;

async function netSender() {
  const net = await import('node:net');
  const { once } = await import('node:events');
  const buf = Buffer.alloc(size, 0x61);
  return async (bytes) => {
    const s = net.connect(a.port, host);
    await once(s, 'connect');
    const closed = once(s, 'close');
    s.resume(); // the sink sends nothing; reading lets 'end' and then 'close' come
    for (let sent = 0; sent < bytes; sent += size) if (!s.write(buf)) await once(s, 'drain');
    s.end();
    await closed;
  };
}

async function rentioSender() {
  const { createRuntime, alloc } = await import('@rentio/core');
  // 'off' is Infinity (stated, so RENTIO_SEND_ZC_THRESHOLD in the environment cannot turn it on)
  const zc = a['zc-threshold'];
  const driverOptions = zc === undefined ? undefined : { sendZcThreshold: zc === 'off' ? Infinity : zc };
  const rt = await createRuntime({ driver: a.driver, driverOptions });
  let buf = alloc(size).fill(0x61);
  let eof = alloc(1);
  const send = async (bytes) => {
    const s = await rt.connect({ host, port: a.port });
    for (let sent = 0; sent < bytes; sent += size) buf = await s.writeAll(buf);
    await s.shutdown();
    let n;
    [n, eof] = await s.read(eof);
    if (n !== 0) throw new Error(`the sink sent ${n} bytes`);
    await s.close();
  };
  send.stats = () => rt.stats();
  return send;
}

async function main() {
  const send = a.impl === 'net' ? await netSender() : a.impl === 'rentio' ? await rentioSender() : fail(new Error(`unknown --impl ${a.impl}`));
  if (a.warmup) await send(a.warmup);
  const s0 = send.stats?.();
  const c0 = cpuTime();
  const t0 = performance.now();
  await send(total);
  const ms = performance.now() - t0;
  const c1 = cpuTime();
  const s1 = send.stats?.();
  emit({
    bytes: total,
    ms,
    cpu_user_us: c1.user - c0.user,
    cpu_sys_us: c1.system - c0.system,
    // null where the driver has no such counter (epoll, node:net)
    zcSends: typeof s1?.zcSends === 'number' ? s1.zcSends - s0.zcSends : null,
    zcCopied: typeof s1?.zcCopied === 'number' ? s1.zcCopied - s0.zcCopied : null,
  });
  process.exit(0);
}

main().catch(fail);

// The main demo (`npm start`): an echo server and client, then a file copy, over the driver
// RENTIO_DRIVER selects (uring | epoll | auto), printing what ran and what it cost.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alloc, createRuntime, own } from '@rentio/core';

const rt = await createRuntime();
console.log(`driver: ${rt.driver.name} (${rt.driver.model})${rt.fallbackReason ? ` — auto fell back: ${rt.fallbackReason}` : ''}`);

// Echo: the server rents one buffer per connection and hands it from read to write and back.
const listener = await rt.listen({ port: 0, host: '127.0.0.1' });
const server = (async () => {
  const s = await listener.accept();
  let buf = alloc(16 * 1024);
  for (;;) {
    const [n, b] = await s.read(buf);
    if (n === 0) break;
    buf = await s.writeAll(b, { length: n });
  }
  await s.close();
})();

const client = await rt.connect({ host: '127.0.0.1', port: listener.address().port, noDelay: true });
const messages = 1000;
let rbuf = alloc(1024);
let wbuf = own('x'.repeat(1024));
const t0 = process.hrtime.bigint();
for (let i = 0; i < messages; i++) {
  wbuf = await client.writeAll(wbuf);
  let got = 0;
  while (got < 1024) {
    const [n, b] = await client.read(rbuf, { offset: got });
    rbuf = b;
    got += n;
  }
}
const echoMs = Number(process.hrtime.bigint() - t0) / 1e6;
await client.shutdown();
await server;
await client.close();
await listener.close();
console.log(`echo: ${messages} round trips of 1 KiB in ${echoMs.toFixed(1)} ms (${Math.round(messages / (echoMs / 1000))} msg/s on one connection)`);

// File copy: read and write in 128 KiB blocks, one buffer handed back and forth.
const dir = mkdtempSync(join(tmpdir(), 'rentio-demo-'));
const src = join(dir, 'src.bin');
const dst = join(dir, 'dst.bin');
const data = randomBytes(16 * 1024 * 1024);
writeFileSync(src, data);
const t1 = process.hrtime.bigint();
const from = await rt.open(src, 'r');
const to = await rt.open(dst, 'w');
let buf = alloc(128 * 1024);
let pos = 0;
for (;;) {
  const [n, b] = await from.read(buf, { position: pos });
  if (n === 0) break;
  buf = await to.writeAll(b, { length: n, position: pos });
  pos += n;
}
await Promise.all([from.close(), to.close()]);
const copyMs = Number(process.hrtime.bigint() - t1) / 1e6;
const same =
  createHash('sha256').update(data).digest('hex') ===
  createHash('sha256')
    .update(await rt.readFile(dst))
    .digest('hex');
rmSync(dir, { recursive: true, force: true });
console.log(`copy: ${(pos / 1048576).toFixed(0)} MiB in ${copyMs.toFixed(1)} ms, byte-exact: ${same}`);

const { submitted, completed, inFlight, syscalls, parks, wakeups } = rt.stats();
console.log(`stats: submitted ${submitted}, completed ${completed}, in flight ${inFlight}, syscalls ${syscalls}, parks ${parks}, wakeups ${wakeups}`);
await rt.close();
if (!same) process.exit(1);

// stream.pipeline over compat: rentio file streams and sockets chained, byte-exact, and errors
// that propagate and leave nothing in flight.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import t from 'tap';
import { connect, createReadStream, createWriteStream, toDuplex } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { closed, settled, sha256, slabsLent } from './_helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rentio-compat-pipeline-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const SIZE = 64 * 1024 * 1024;
const src = join(dir, 'src.bin');
const srcData = randomBytes(SIZE);
writeFileSync(src, srcData);
const srcSha = sha256(srcData);

/** A connected pair: a compat client from connect() and the accepted side via toDuplex(). */
async function pair(rt) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const accepted = l.accept();
  const client = connect({ host: '127.0.0.1', port: l.address().port, runtime: rt });
  const server = toDuplex(await accepted);
  await l.close();
  return { client, server };
}

/** Nothing of the runtime left busy: no op in flight, no handle open, every slab back. */
async function quiet(t, rt, what) {
  t.ok(await settled(rt, () => rt.stats().handles === 0 && slabsLent(rt) === 0), `${what}: nothing in flight, no handle open, slabs back`);
}

await eachDriver(t, 'pipeline: file → socket → socket → file copies 64 MiB byte-exact', async (t, rt) => {
  const dst = join(dir, `dst-${rt.driver.name}.bin`);
  const { client, server } = await pair(rt);
  await Promise.all([pipeline(createReadStream(src, { runtime: rt }), client), pipeline(server, createWriteStream(dst, { runtime: rt }))]);
  t.equal(sha256(readFileSync(dst)), srcSha, '64 MiB arrived byte-exact');
  t.equal(client.bytesWritten, SIZE, 'client.bytesWritten');
  t.equal(server.bytesRead, SIZE, 'server.bytesRead');
  // As with net.Socket, the client's readable side ends (and the socket closes) once read.
  client.resume();
  await Promise.all([closed(client), closed(server)]);
  await quiet(t, rt, 'after the copy');
  rmSync(dst);
});

await eachDriver(t, 'createReadStream: start, end, highWaterMark; createWriteStream: start, flags', async (t, rt) => {
  const chunks = [];
  for await (const c of createReadStream(src, { start: 1000, end: 300_000, highWaterMark: 10_000, runtime: rt })) chunks.push(c);
  t.ok(
    chunks.every((c) => c.length <= 10_000),
    'chunks no larger than highWaterMark',
  );
  t.ok(Buffer.concat(chunks).equals(srcData.subarray(1000, 300_001)), 'start..end inclusive');

  const big = [];
  for await (const c of createReadStream(src, { end: 1_000_000, highWaterMark: 256 * 1024, runtime: rt })) big.push(c);
  t.equal(big[0].length, 256 * 1024, 'highWaterMark larger than a slab reads that much at once');
  t.ok(Buffer.concat(big).equals(srcData.subarray(0, 1_000_001)), 'no start: from 0 to end');

  const f = join(dir, `w-${rt.driver.name}.bin`);
  writeFileSync(f, 'aaaaaaaaaa');
  const w = createWriteStream(f, { flags: 'r+', start: 3, runtime: rt });
  w.write('XY');
  w.end(Buffer.from('Z'));
  await closed(w);
  t.equal(readFileSync(f, 'utf8'), 'aaaXYZaaaa', "flags 'r+' with start writes in place");
  const a = createWriteStream(f, { flags: 'a', runtime: rt });
  a.end('!!');
  await closed(a);
  t.equal(readFileSync(f, 'utf8'), 'aaaXYZaaaa!!', "flags 'a' appends");
  t.equal(a.bytesWritten, 2);
  const x = createWriteStream(f, { flags: 'wx', runtime: rt });
  const [err] = await new Promise((resolve) => x.once('error', (e) => resolve([e])));
  t.equal(err.code, 'EEXIST', "flags 'wx' on an existing file fails with EEXIST");
  await quiet(t, rt, 'after the file streams');
});

await eachDriver(t, 'pipeline: a missing source file rejects and destroys the socket', async (t, rt) => {
  const { client, server } = await pair(rt);
  const err = await pipeline(createReadStream(join(dir, 'missing'), { runtime: rt }), client).catch((e) => e);
  t.equal(err.code, 'ENOENT');
  t.ok(client.destroyed, 'the socket was destroyed');
  server.destroy();
  await Promise.all([closed(client), closed(server)]);
  await quiet(t, rt, 'after ENOENT');
});

await eachDriver(t, 'pipeline: an unwritable destination rejects and destroys the socket', async (t, rt) => {
  const { client, server } = await pair(rt);
  client.write('some bytes');
  const err = await pipeline(server, createWriteStream(join(dir, 'no-such-dir', 'x'), { runtime: rt })).catch((e) => e);
  t.equal(err.code, 'ENOENT');
  t.ok(server.destroyed, 'the socket was destroyed');
  client.destroy();
  await Promise.all([closed(client), closed(server)]);
  await quiet(t, rt, 'after the failed open');
});

await eachDriver(t, 'pipeline: the peer resetting mid-transfer rejects and destroys the file stream', async (t, rt) => {
  const { client, server } = await pair(rt);
  const rs = createReadStream(src, { runtime: rt });
  let got = 0;
  server.on('data', (c) => {
    got += c.length;
    // Close with unread bytes queued: the kernel answers the client's next segments with RST.
    if (got > 4 * 1024 * 1024) server.destroy();
  });
  const err = await pipeline(rs, client).catch((e) => e);
  t.ok(err instanceof Error, `pipeline rejected (${err.code})`);
  // RST (the server closed with bytes unread): ECONNRESET or EPIPE. FIN (it had read them all):
  // as net.Socket, the socket ends in reply, and a write after that is EPIPE — or, when no write
  // came in between, the socket closed before the source ended (premature close).
  t.ok(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(err.code), 'with the socket error that caused it');
  t.ok(rs.destroyed && client.destroyed, 'both sides destroyed');
  await Promise.all([closed(rs), closed(client), closed(server)]);
  await quiet(t, rt, 'after the reset');
});

// File edges (issue 6, case 9): short reads at EOF, 0-byte reads and writes, reads past EOF,
// positions beyond 2^32 as numbers and BigInts, positions the filesystem refuses, sparse files and
// holes. Bytes outside the window a read reported are never touched. Results the filesystem
// decides (EFBIG, allocated blocks) are compared with node:fs on the same filesystem.
import t from 'tap';
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { tmpDir } from '../helpers/util.mjs';
import { CANARY, canariesBroken, canaryBuffer, settled } from '../helpers/reliability.mjs';

const PAD = 8;
const text = (buf, off, n) => Buffer.from(buf.subarray(off, off + n)).toString('latin1');

await eachDriver(t, 'short read at EOF, reads past EOF, 0-byte reads and writes', async (t, rt) => {
  const path = join(tmpDir(t), 'ten');
  writeFileSync(path, 'abcdefghij');
  const f = await rt.open(path, 'r+');
  let [n, buf] = await f.read(canaryBuffer(16, PAD), { offset: PAD, length: 16, position: 4 });
  t.equal(n, 6, 'a read across EOF is short');
  t.equal(text(buf, PAD, 6), 'efghij');
  t.ok(
    buf.subarray(PAD + 6, PAD + 16).every((b) => b === 0),
    'the window past the bytes read is untouched',
  );
  t.equal(canariesBroken(buf, 16, PAD), 0, 'canaries intact');
  for (const position of [10, 11, 4096, 2 ** 32, 2n ** 40n]) {
    [n, buf] = await f.read(canaryBuffer(8, PAD), { offset: PAD, length: 8, position });
    t.equal(n, 0, `read at ${position} (at or past EOF) gives 0`);
    t.ok(buf.subarray(PAD, PAD + 8).every((b) => b === 0) && !canariesBroken(buf, 8, PAD), 'and touches nothing');
  }
  [n, buf] = await f.read(alloc(0), { position: 0 });
  t.same([n, buf.byteLength], [0, 0], 'a 0-byte buffer reads 0');
  [n, buf] = await f.read(canaryBuffer(0, PAD), { offset: PAD, length: 0, position: 0 });
  t.equal(n, 0, 'a 0-length window reads 0');
  t.equal(buf.filter((b) => b !== CANARY).length, 0, 'and touches nothing');
  [n, buf] = await f.write(alloc(0), { position: 3 });
  t.same([n, buf.byteLength], [0, 0], 'a 0-byte write writes 0');
  [n] = await f.write(own('XYZ'), { position: 3, offset: 1, length: 0 });
  t.equal(n, 0, 'a 0-length window writes 0');
  t.equal(readFileSync(path, 'latin1'), 'abcdefghij', 'the file is unchanged');
  await f.close();

  // The current position: reads advance it, a short read stops at EOF, then 0 for ever.
  const g = await rt.open(path, 'r');
  const seen = [];
  for (let i = 0; i < 5; i++) {
    const [k, b] = await g.read(alloc(4), { position: i % 2 ? null : undefined });
    seen.push(text(b, 0, k));
  }
  t.same(seen, ['abcd', 'efgh', 'ij', '', ''], 'reads at the current position walk the file, then give 0');
  await g.close();
});

await eachDriver(t, 'positions beyond 2^32, as numbers and BigInts', async (t, rt) => {
  const path = join(tmpDir(t), 'far');
  const f = await rt.open(path, 'w+');
  const cases = [
    [2 ** 32 - 2, 'lo'], // the last two bytes below 2^32
    [2 ** 32, 'four'],
    [2n ** 32n + 5n, 'plus5'],
    [2 ** 40 + 3, 'tera'],
    [2n ** 43n, 'far'], // ext4's limit is 2^44
  ];
  for (const [position, word] of cases) {
    const [n] = await f.write(own(word), { position });
    t.equal(n, word.length, `write at ${position} (${typeof position})`);
  }
  for (const [position, word] of cases) {
    // Read back with the other type: number ↔ bigint address the same byte.
    const other = typeof position === 'bigint' ? Number(position) : BigInt(position);
    const [n, buf] = await f.read(canaryBuffer(word.length, PAD), { offset: PAD, length: word.length, position: other });
    t.equal(text(buf, PAD, n), word, `read back at ${other} (${typeof other})`);
    t.equal(canariesBroken(buf, word.length, PAD), 0);
  }
  const [k, across] = await f.read(alloc(6), { position: 2n ** 32n - 2n });
  t.equal(text(across, 0, k), 'lofour', 'one read across the 2^32 boundary');
  const st = await f.stat();
  t.equal(st.size, 2 ** 43 + 3, 'size is past 2^43');
  t.equal(st.size, statSync(path).size, 'as node:fs sees it');
  // 2^32 + 4 holds the byte before 'plus5': a hole, read as a zero.
  const [n, buf] = await f.read(alloc(6), { position: 2 ** 32 + 4 });
  t.equal(n, 6);
  t.same([...buf], [0, ...Buffer.from('plus5')], 'the hole before a far write reads as zeros');
  await f.close();
});

await eachDriver(t, 'positions the filesystem refuses fail like node:fs, with the buffer', async (t, rt) => {
  const dir = tmpDir(t);
  const path = join(dir, 'huge');
  const f = await rt.open(path, 'w+');
  const fd = openSync(join(dir, 'node'), 'w+');
  t.teardown(() => closeSync(fd));
  for (const position of [Number.MAX_SAFE_INTEGER, 2 ** 52]) {
    let nodeCode = 'ok';
    try {
      writeSync(fd, Buffer.from('Z'), 0, 1, position);
    } catch (e) {
      nodeCode = e.code;
    }
    const r = await settled(f.write(own('Z'), { position }));
    t.equal(r.error?.code ?? 'ok', nodeCode, `write at ${position}: ${nodeCode}, as node:fs`);
    t.equal(r.buf?.byteLength, 1, 'the buffer is handed back');
    const tr = await settled(f.truncate(position));
    let nodeTrunc = 'ok';
    try {
      ftruncateSync(fd, position);
    } catch (e) {
      nodeTrunc = e.code;
    }
    t.equal(tr.error?.code ?? 'ok', nodeTrunc, `truncate to ${position}: ${nodeTrunc}, as node:fs`);
  }
  const [n] = await f.read(alloc(1), { position: Number.MAX_SAFE_INTEGER });
  t.equal(n, 0, 'a read at 2^53 - 1 is EOF');
  await f.close();
});

await eachDriver(t, 'sparse files: holes read as zeros, and take no blocks', async (t, rt) => {
  const dir = tmpDir(t);
  const path = join(dir, 'sparse');
  const MiB = 1 << 20;
  const f = await rt.open(path, 'w+');
  await f.write(own('head'), { position: 0 });
  await f.write(own('tail'), { position: 64 * MiB });
  await f.truncate(128 * MiB); // extend with a second hole
  const st = await f.stat();
  t.equal(st.size, 128 * MiB, 'truncate extends the size');
  // node:fs does the same on the same filesystem: the blocks allocated must match.
  const npath = join(dir, 'node');
  const fd = openSync(npath, 'w+');
  writeSync(fd, Buffer.from('head'), 0, 4, 0);
  writeSync(fd, Buffer.from('tail'), 0, 4, 64 * MiB);
  ftruncateSync(fd, 128 * MiB);
  const nst = fstatSync(fd);
  closeSync(fd);
  t.equal(st.blocks, nst.blocks, `blocks allocated as node:fs's (${st.blocks})`);
  t.ok(st.blocks * 512 < MiB, 'far fewer than the size: the holes take no space');
  for (const position of [4, MiB, 64 * MiB - 1, 64 * MiB + 4, 128 * MiB - 4096]) {
    const [n, buf] = await f.read(canaryBuffer(4096, PAD, 0x77), { offset: PAD, length: 4096, position });
    const want = Math.min(4096, 128 * MiB - position);
    t.equal(n, want, `read in the hole at ${position}`);
    const window = buf.subarray(PAD, PAD + n);
    const expectTail = position === 64 * MiB - 1;
    t.ok(expectTail ? window[0] === 0 && text(window, 1, 4) === 'tail' : window.every((b) => b === 0), 'zeros (and the data written there)');
    t.equal(canariesBroken(buf, 4096, PAD), 0);
  }
  const [n, buf] = await f.read(alloc(8), { position: 128 * MiB - 4 });
  t.same([n, [...buf.subarray(0, 4)]], [4, [0, 0, 0, 0]], 'the truncate-extended tail reads zeros up to EOF');
  await f.close();
});

// Unit tests of compat's Stager: write() bytes copied into pooled slabs at once, packed, and turned
// back into whole rentable slabs (or fresh copies) when Writable hands them over.
import { Buffer } from 'node:buffer';
import t from 'tap';
import { StagingPool } from '../../packages/compat/dist/pool.js';
import { Stager } from '../../packages/compat/dist/stager.js';

const SLAB = 64;
const fresh = () => {
  const pool = new StagingPool(SLAB, 16);
  return { pool, stager: new Stager(pool) };
};
const bytes = (s) => Buffer.from(s);
/** The bytes the segments would write, in order. */
const written = (segs) => Buffer.concat(segs.map((s) => s.slab.subarray(0, s.len))).toString();

t.test('stage() copies at once: the caller may reuse its buffer', async (t) => {
  const { stager } = fresh();
  const mine = bytes('hello');
  const view = stager.stage(mine, undefined);
  mine.fill(0);
  t.equal(view.toString(), 'hello', 'the staged view kept the bytes');
  t.equal(stager.pending, 5);
});

t.test('consecutive writes pack into one slab, rented whole when all are handed over', async (t) => {
  const { pool, stager } = fresh();
  const a = stager.stage(bytes('GET / '), undefined);
  const b = stager.stage('HTTP/1.1\r\n', 'latin1');
  t.equal(a.buffer, b.buffer, 'same slab');
  t.equal(pool.size, 1, 'one slab taken');
  const segs = stager.segments([a, b]);
  t.equal(segs.length, 1, 'one segment');
  t.equal(segs[0].slab.buffer, a.buffer, 'the packed slab itself, no copy');
  t.equal(written(segs), 'GET / HTTP/1.1\r\n');
  t.equal(stager.pending, 0);
});

t.test('a partial hand-over copies and keeps the packed slab attached for the rest', async (t) => {
  const { pool, stager } = fresh();
  const a = stager.stage(bytes('aaaa'), undefined);
  const b = stager.stage(bytes('bbbb'), undefined);
  const first = stager.segments([a]);
  t.not(first[0].slab.buffer, a.buffer, 'copied into a fresh slab');
  t.equal(written(first), 'aaaa');
  t.equal(b.toString(), 'bbbb', 'the view still queued is intact (its slab was not rented)');
  t.equal(stager.pending, 4);
  const second = stager.segments([b]);
  t.equal(written(second), 'bbbb');
  t.equal(stager.pending, 0);
  for (const s of [...first, ...second]) pool.give(s.slab);
  t.equal(pool.free, pool.size, 'every slab back in the pool');
});

t.test('a chunk larger than a slab becomes several views, written in order', async (t) => {
  const { stager } = fresh();
  const big = Buffer.alloc(SLAB * 2 + 10);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  stager.stage(bytes('x'), undefined);
  const views = stager.stage(big, undefined);
  t.ok(Array.isArray(views) && views.length === 3, 'three views');
  t.equal(views[0].length, SLAB - 1, "the first fills the current slab's room");
  const segs = stager.segments([bytes('x'), ...views]);
  const out = Buffer.concat(segs.map((s) => s.slab.subarray(0, s.len)));
  t.ok(out.subarray(1).equals(big), 'bytes intact and in order');
});

t.test('empty chunks stage to an empty view and no segment; foreign chunks are copied', async (t) => {
  const { pool, stager } = fresh();
  t.equal(stager.stage('', 'utf8').length, 0);
  t.equal(stager.stage(new Uint8Array(0), undefined).length, 0);
  t.equal(pool.size, 0, 'no slab taken');
  const segs = stager.segments([new Uint8Array(0), bytes('foreign')]);
  t.equal(segs.length, 1);
  t.equal(written(segs), 'foreign', 'a chunk not staged here is copied');
});

t.test('strings in other encodings are staged as their bytes', async (t) => {
  const { stager } = fresh();
  const v = stager.stage('68656c6c6f', 'hex');
  t.equal(v.toString(), 'hello');
  const w = stager.stage('héllo', 'utf8');
  t.equal(w.length, 6);
});

t.test('clear() gives every packing slab back', async (t) => {
  const { pool, stager } = fresh();
  stager.stage(bytes('a'.repeat(40)), undefined);
  stager.stage(bytes('b'.repeat(40)), undefined);
  t.equal(pool.size, 2);
  stager.clear();
  t.equal(pool.free, 2);
  t.equal(stager.pending, 0);
});

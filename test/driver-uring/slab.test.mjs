// The uring driver's op slab (packages/driver-uring/src/slab.ts): a slot's generation changes
// each time it is freed, so a late CQE carrying the old (slot, generation) pair finds no op and
// can never settle the op that reuses the slot; only ops in the kernel are found; growing keeps
// every existing slot's scratch memory where it was (the kernel may hold its address).
import t from 'tap';
import { Op, OpCode } from '@rentio/core/driver';
import { FREE, IN_KERNEL, QUEUED, SCRATCH_SIZE, Slab } from '../../packages/driver-uring/dist/slab.js';

const op = () => new Op(OpCode.READ);

t.test('alloc gives a slot to the op, lookup finds it only while in the kernel', async (t) => {
  const slab = new Slab(4);
  const a = op();
  const slot = slab.alloc(a, QUEUED);
  t.equal(a.slot, slot, 'the op knows its slot');
  t.equal(slab.used, 1);
  const gen = slab.gen[slot];
  t.equal(slab.lookup(slot, gen), null, 'a queued op has no SQE yet: no CQE can name it');
  slab.state[slot] = IN_KERNEL;
  t.equal(slab.lookup(slot, gen), a);
  t.equal(slab.lookup(slot, gen + 1), null, 'another generation is not this op');
  t.equal(slab.lookup(slab.ops.length + 5, 0), null, 'a slot beyond the slab is nobody');
});

t.test('release: a new generation, so a stale CQE never settles the next op in the slot', async (t) => {
  const slab = new Slab(1);
  const a = op();
  const slot = slab.alloc(a, IN_KERNEL);
  const oldGen = slab.gen[slot];
  slab.release(slot);
  t.equal(a.slot, -1, 'the released op is told');
  t.equal(slab.state[slot], FREE);
  t.equal(slab.used, 0);
  t.equal(slab.lookup(slot, oldGen), null, 'the late CQE of the freed op finds nothing');
  // Take every slot until the freed one comes back.
  let reused = null;
  for (let i = 0; i < slab.ops.length && reused === null; i++) {
    const b = op();
    if (slab.alloc(b, IN_KERNEL) === slot) reused = b;
  }
  t.ok(reused, 'the slot is reused');
  t.not(slab.gen[slot], oldGen, 'under a new generation');
  t.equal(slab.lookup(slot, oldGen), null, 'the old CQE still finds nothing');
  t.equal(slab.lookup(slot, slab.gen[slot]), reused, 'the new op is found under its own generation');
});

t.test('generations stay below 2^31 (the high word of user_data is never a reserved tag)', async (t) => {
  const slab = new Slab(1);
  const slot = slab.alloc(op(), IN_KERNEL);
  slab.gen[slot] = 0x7fffffff;
  slab.release(slot);
  t.equal(slab.gen[slot], 0, 'wraps to 0, not 2^31');
});

t.test('growing keeps old slots, their state and their scratch addresses', async (t) => {
  const slab = new Slab(1);
  const first = slab.ops.length;
  const ops = Array.from({ length: first }, () => op());
  const slots = ops.map((o) => slab.alloc(o, IN_KERNEL));
  const addrs = slots.map((s) => slab.scratchAddress(s));
  t.equal(new Set(slots).size, first, 'distinct slots');
  const extra = op();
  const slot = slab.alloc(extra, QUEUED); // full: grows
  t.ok(slab.ops.length > first, `grew to ${slab.ops.length}`);
  t.ok(
    slots.every((s, i) => slab.ops[s] === ops[i] && slab.state[s] === IN_KERNEL && slab.scratchAddress(s) === addrs[i]),
    'every old slot kept its op, state and scratch address',
  );
  t.equal(slab.ops[slot], extra);
  // Scratch of distinct slots never overlaps.
  const all = [...slots, slot].map((s) => slab.scratchAddress(s)).sort((x, y) => x - y);
  t.ok(
    all.every((a, i) => i === 0 || a - all[i - 1] >= SCRATCH_SIZE),
    'scratch areas are at least SCRATCH_SIZE apart',
  );
  // The chunk view and the word index address the same memory as scratchAddress.
  const s = slots[1];
  t.equal(slab.scratchChunk(s).length, (256 * SCRATCH_SIZE) / 4, 'a chunk holds 256 slots of scratch');
  t.equal(slab.scratchWord(s) * 4, slab.scratchAddress(s) - slab.scratchAddr[s >> 8]);
});

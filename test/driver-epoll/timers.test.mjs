// The epoll driver's timer heap (packages/driver-epoll/src/timers.ts): sleeps come out in
// deadline order, only once due, a cancelled one never comes out, and every op's heapIndex says
// where it is (-1 once out), which is what remove() relies on.
import t from 'tap';
import fc from 'fast-check';
import { Op, OpCode } from '@rentio/core/driver';
import { Timers } from '../../packages/driver-epoll/dist/timers.js';

const sleep = () => new Op(OpCode.TIMEOUT);

/** Pop everything due at `now`, in order. */
function drain(timers, now) {
  const out = [];
  for (let op = timers.popDue(now); op !== null; op = timers.popDue(now)) out.push(op);
  return out;
}

t.test('empty: next is Infinity, nothing is due', async (t) => {
  const timers = new Timers();
  t.equal(timers.size, 0);
  t.equal(timers.next, Infinity);
  t.equal(timers.popDue(Number.MAX_VALUE), null);
});

t.test('ops come out by deadline, and only once due', async (t) => {
  const timers = new Timers();
  const ops = [30, 10, 20, 10, 40].map((d) => [sleep(), d]);
  for (const [op, d] of ops) timers.push(op, d);
  t.equal(timers.next, 10, 'next is the earliest deadline');
  t.equal(timers.popDue(9), null, 'nothing before the earliest deadline');
  const due = drain(timers, 20);
  t.same(
    due.map((op) => ops.find(([o]) => o === op)[1]),
    [10, 10, 20],
    'the three due by 20, earliest first',
  );
  for (const op of due) t.equal(op.heapIndex, -1, 'a popped op is marked out of the heap');
  t.equal(timers.size, 2);
  t.equal(timers.next, 30);
});

t.test('remove takes a waiting op out (a cancel) and only that one', async (t) => {
  const timers = new Timers();
  const [a, b, c] = [sleep(), sleep(), sleep()];
  timers.push(a, 5);
  timers.push(b, 1);
  timers.push(c, 3);
  t.ok(timers.remove(c), 'c was waiting');
  t.equal(c.heapIndex, -1);
  t.notOk(timers.remove(c), 'removing it twice finds nothing');
  t.notOk(timers.remove(sleep()), 'an op never pushed is not there');
  t.same(drain(timers, 10), [b, a], 'the others still come out in order');
});

t.test('an op whose heapIndex names another op is not removed in its place', async (t) => {
  const timers = new Timers();
  const [a, b] = [sleep(), sleep()];
  timers.push(a, 1);
  timers.push(b, 2);
  const stray = sleep();
  stray.heapIndex = 0; // as if stale: slot 0 holds a
  t.notOk(timers.remove(stray));
  t.equal(timers.size, 2);
});

t.test('property: any pushes and removes, then a drain, give the survivors sorted', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean()), { maxLength: 200 }), (plan) => {
      const timers = new Timers();
      const entries = plan.map(([d, cancel]) => ({ op: sleep(), d, cancel }));
      for (const e of entries) timers.push(e.op, e.d);
      for (const e of entries) if (e.cancel && !timers.remove(e.op)) return false;
      // Every op still in the heap knows its own index.
      for (const e of entries) if (!e.cancel && e.op.heapIndex < 0) return false;
      const out = drain(timers, Infinity);
      const expect = entries.filter((e) => !e.cancel).map((e) => e.d);
      const got = out.map((op) => entries.find((e) => e.op === op).d);
      return timers.size === 0 && got.length === expect.length && got.every((d, i) => i === 0 || got[i - 1] <= d);
    }),
  );
  t.pass('heap order held for every generated plan');
});

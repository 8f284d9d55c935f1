// The fd-indexed tables drivers keep per-connection state in (core/src/fd-table.ts).
import t from 'tap';
import { FdMap, FdSet } from '@rentio/core/driver';

t.test('FdMap: get/set/delete/size, values in fd order, deleting while iterating', async (t) => {
  const m = new FdMap();
  t.equal(m.size, 0);
  t.equal(m.get(5), undefined);
  t.equal(m.delete(5), false);
  m.set(9, 'nine').set(3, 'three').set(70000, 'far');
  t.equal(m.size, 3);
  t.equal(m.get(3), 'three');
  t.equal(m.get(4), undefined);
  m.set(3, 'THREE');
  t.equal(m.size, 3, 'replacing an entry does not grow the count');
  const seen = [];
  for (const v of m.values()) {
    seen.push(v);
    m.delete(70000);
  }
  t.same(seen, ['THREE', 'nine']);
  t.equal(m.delete(9), true);
  t.equal(m.size, 1);
  t.same([...m.values()], ['THREE']);
});

t.test('FdSet: has/add/delete across growth', async (t) => {
  const s = new FdSet();
  t.equal(s.has(0), false);
  s.add(0).add(63).add(64).add(100000);
  for (const fd of [0, 63, 64, 100000]) t.equal(s.has(fd), true, `fd ${fd}`);
  for (const fd of [1, 65, 99999, 200000]) t.equal(s.has(fd), false, `fd ${fd}`);
  t.equal(s.delete(64), true);
  t.equal(s.delete(64), false);
  t.equal(s.has(64), false);
});

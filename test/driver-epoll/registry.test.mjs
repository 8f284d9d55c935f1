// The epoll driver's readiness registry (packages/driver-epoll/src/registry.ts), on a real epoll
// instance and a real FIFO: the registry registers the fd with the kernel on the first wait,
// retries waiting ops in order when readiness is reported and stops at the first that would
// block, caches "drained" so a read after a short read waits for the next edge, keeps a hang-up
// sticky, and takes a cancelled op out. The ops' syscall results are scripted (`attempt`), so
// each rule is checked on its own; the kernel's part is the registration.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { Op, OpCode } from '@rentio/core/driver';
import { EAGAIN, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP } from '../../packages/driver-epoll/dist/constants.js';
import { Registry } from '../../packages/driver-epoll/dist/registry.js';
import { Selector } from '../../packages/driver-epoll/dist/selector.js';
import { tmpDir } from '../helpers/util.mjs';

/** A registry over a real selector and FIFO; `results` scripts each op's next attempt. */
function setup(t) {
  const path = join(tmpDir(t), 'fifo');
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  const selector = new Selector();
  const results = new Map();
  const completed = [];
  const attempt = (op) => results.get(op)?.shift() ?? -EAGAIN;
  const registry = new Registry(selector, attempt, (op, res) => completed.push([op, res]));
  t.teardown(() => {
    registry.drop(fd);
    selector.close();
    closeSync(fd);
  });
  const op = (code, len = 16) => {
    const o = new Op(code);
    o.fd = fd;
    o.len = len;
    return o;
  };
  return { fd, selector, registry, results, completed, op };
}

t.test('the first wait registers the fd with epoll; a second registration of it fails EEXIST', async (t) => {
  const { fd, selector, registry, op } = setup(t);
  t.equal(registry.wait(op(OpCode.READ), false), 0);
  t.equal(registry.waiting, 1);
  t.equal(selector.add(fd, EPOLLIN), -17, 'the kernel already has it (EEXIST): the registry did register it');
  t.equal(registry.wait(op(OpCode.READ), false), 0, 'a second op on the fd does not register again');
  t.equal(registry.waiting, 2);
});

t.test('readable: waiting readers retried in order, stopping at the first that would block', async (t) => {
  const { fd, registry, results, completed, op } = setup(t);
  const [a, b, c] = [op(OpCode.READ), op(OpCode.READ), op(OpCode.READ)];
  for (const o of [a, b, c]) registry.wait(o, false);
  results.set(a, [16]);
  results.set(b, [-EAGAIN]);
  results.set(c, [16]);
  registry.ready(fd, EPOLLIN);
  t.same(completed, [[a, 16]], 'a completed; b would block, so c was not tried before it');
  t.equal(registry.waiting, 2);
  results.set(b, [5]);
  registry.ready(fd, EPOLLIN);
  t.same(completed.slice(1), [
    [b, 5],
    [c, 16],
  ]);
  t.equal(registry.waiting, 0);
});

t.test('writable readiness retries writers only', async (t) => {
  const { fd, registry, results, completed, op } = setup(t);
  const r = op(OpCode.READ);
  const w = op(OpCode.WRITE);
  registry.wait(r, false);
  registry.wait(w, true);
  results.set(r, [1]);
  results.set(w, [16]);
  registry.ready(fd, EPOLLOUT);
  t.same(completed, [[w, 16]], 'the reader still waits');
});

t.test('drained cache: a short read makes the next read wait for an edge; an edge clears it', async (t) => {
  const { fd, registry, results, op } = setup(t);
  t.ok(registry.mayRead(fd), 'an fd never seen may be read');
  const r = op(OpCode.READ, 16);
  registry.wait(r, false);
  results.set(r, [16]);
  registry.ready(fd, EPOLLIN);
  t.ok(registry.mayRead(fd), 'a full read leaves it readable');
  registry.read(op(OpCode.READ, 16), 3);
  t.notOk(registry.mayRead(fd), 'a short read drained it: the next read waits');
  registry.ready(fd, EPOLLIN);
  t.ok(registry.mayRead(fd), 'the next edge makes it readable again');
  registry.read(op(OpCode.READ, 16), -EAGAIN);
  t.notOk(registry.mayRead(fd), 'EAGAIN drains it too');
  registry.read(op(OpCode.WRITE, 16), 3);
  t.notOk(registry.mayRead(fd), 'a short write says nothing about reads');
});

t.test('drained cache: a pooled read shorter than a pool buffer drains the fd too', async (t) => {
  // Regression: RECV_POOL was left out of the rule, so every pooled read after a short one was a
  // recv(2) that only said EAGAIN (one per HTTP request over compat).
  const { fd, registry, results, op } = setup(t);
  const pooled = () => Object.assign(op(OpCode.RECV_POOL, 0), { pool: { size: 4096 } });
  const r = op(OpCode.READ, 16);
  registry.wait(r, false);
  results.set(r, [16]);
  registry.ready(fd, EPOLLIN);
  registry.read(pooled(), 4096);
  t.ok(registry.mayRead(fd), 'a pooled read that filled its buffer leaves it readable');
  registry.read(pooled(), 41);
  t.notOk(registry.mayRead(fd), 'a pooled read shorter than its buffer drained it');
  registry.ready(fd, EPOLLIN); // no reader waits: the edge only marks it readable
  registry.read(pooled(), -105 /* -ENOBUFS: no buffer, nothing read */);
  t.ok(registry.mayRead(fd), 'a pooled read that found no free buffer says nothing about the socket');
});

t.test('a hang-up is sticky: reads are always tried after it', async (t) => {
  const { fd, registry, op } = setup(t);
  registry.wait(op(OpCode.READ), false);
  registry.ready(fd, EPOLLIN | EPOLLRDHUP);
  registry.read(op(OpCode.READ, 16), -EAGAIN);
  t.ok(registry.mayRead(fd), 'no further edge follows a FIN, so a drained read does not wait');
  registry.ready(fd, EPOLLHUP);
  t.ok(registry.mayRead(fd));
});

t.test('remove takes a waiting op out; drop forgets the fd (and its kernel registration)', async (t) => {
  const { fd, selector, registry, results, completed, op } = setup(t);
  const [a, b] = [op(OpCode.READ), op(OpCode.WRITE)];
  registry.wait(a, false);
  registry.wait(b, true);
  t.ok(registry.remove(b), 'b was waiting');
  t.notOk(registry.remove(b), 'and is no longer');
  t.equal(registry.waiting, 1);
  results.set(b, [16]);
  registry.ready(fd, EPOLLOUT);
  t.same(completed, [], 'a removed op is never retried');
  registry.drop(fd);
  t.ok(registry.mayRead(fd), 'a dropped fd has no cached state');
  t.equal(selector.add(fd, EPOLLIN), 0, 'the kernel registration was deleted, so the fd can be added afresh');
  selector.delete(fd);
  registry.ready(fd, EPOLLIN);
  t.same(completed, [], 'readiness for a forgotten fd completes nothing');
});

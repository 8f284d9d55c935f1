// Gather writes: on a socket as IORING_OP_SENDMSG with MSG_NOSIGNAL (a peer that went away is
// EPIPE, never SIGPIPE); on a file at its current position, ENOTSOCK sends it again as WRITEV.
import t from 'tap';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime, own } from '@rentio/core';
import { Op, OpCode } from '@rentio/core/driver';
import { open } from '@rentio/driver-uring';
import { streamPair, tmpDir } from '../helpers/util.mjs';

t.test('socket writev to a closed peer: EPIPE with the buffers, no SIGPIPE', async (t) => {
  let sigpipes = 0;
  const onSig = () => sigpipes++;
  process.on('SIGPIPE', onSig);
  t.teardown(() => process.off('SIGPIPE', onSig));
  const rt = await createRuntime({ driver: 'uring' });
  t.teardown(() => rt.close());
  const [c, s, l] = await streamPair(rt);
  const [n, bufs] = await c.writev([own('ab'), own('cde')]);
  t.equal(n, 5);
  t.equal(bufs.length, 2);
  const [k, got] = await s.read(alloc(8));
  t.equal(Buffer.from(got.subarray(0, k)).toString(), 'abcde');
  await s.close();
  const errors = [];
  for (let i = 0; i < 4; i++) {
    errors.push(
      await c.writev([own('xx'), own('yy')]).then(
        () => null,
        (e) => e,
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
  }
  const last = errors.at(-1);
  t.equal(last?.code, 'EPIPE', 'writes after the RST fail with EPIPE');
  t.equal(last?.bufs?.length, 2, 'err.bufs hands the buffers back');
  t.equal(sigpipes, 0, 'no SIGPIPE was raised');
  await Promise.all([c.close(), l.close()]);
});

t.test('writev at the current position of a file: resubmitted as WRITEV after ENOTSOCK', async (t) => {
  const d = await open({});
  t.teardown(() => d.close());
  const path = join(tmpDir(t), 'gather');
  const fd = openSync(path, 'w');
  const run = (bufs) =>
    new Promise((resolve) => {
      const op = new Op(OpCode.WRITEV);
      op.fd = fd;
      op.bufs = bufs;
      op.pos = -1;
      op.resolve = resolve;
      op.reject = resolve;
      op.complete = function (res) {
        resolve(res);
      };
      d.submit(op);
    });
  t.equal(await run([own('hello '), own('gather')]), 12);
  t.equal(await run([own('!')]), 1, 'the position advanced');
  closeSync(fd);
  t.equal(readFileSync(path, 'utf8'), 'hello gather!');
});

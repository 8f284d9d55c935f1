// 10,000 aborts of pending socket reads. Each read gets a window inside a larger buffer whose
// bytes outside the window are canaries: after the op settled (cancelled, or completed because
// the abort came too late) no canary may have changed, and every byte sent is received once.
import t from 'tap';
import { alloc, createRuntime, own } from '@rentio/core';
import { readToEnd, streamPair } from '../helpers/util.mjs';

const TOTAL = 10_000;
const BATCH = 50;
const PAD = 24;
const WINDOW = 16;
const CANARY = 0xa5;
const DATA = 0x5a;

t.test('10,000 aborted reads: canaries intact, bytes neither lost nor duplicated', async (t) => {
  const rt = await createRuntime({ driver: 'uring' });
  t.teardown(() => rt.close());
  const [c, s, l] = await streamPair(rt);
  let sent = 0;
  let received = 0;
  let broken = 0;
  let cancelled = 0;
  let completed = 0;
  for (let round = 0; round < TOTAL / BATCH; round++) {
    const ac = new AbortController();
    const reads = [];
    for (let i = 0; i < BATCH; i++) {
      const buf = alloc(PAD + WINDOW + PAD);
      buf.fill(CANARY);
      buf.fill(0, PAD, PAD + WINDOW);
      reads.push(
        s.read(buf, { offset: PAD, length: WINDOW, signal: ac.signal }).then(
          ([n, b]) => ({ n, b }),
          (e) => ({ e, b: e.buf }),
        ),
      );
    }
    // Vary when the abort lands: before submission, in the kernel, racing incoming data.
    if (round % 3 === 1) await new Promise((r) => setImmediate(r));
    if (round % 3 === 2) {
      await c.writeAll(own(new Uint8Array(3).fill(DATA)));
      sent += 3;
      await new Promise((r) => setImmediate(r));
    }
    ac.abort();
    for (const r of await Promise.all(reads)) {
      const b = r.b;
      if (!b || b.byteLength !== PAD + WINDOW + PAD) {
        broken++;
        continue;
      }
      for (let i = 0; i < PAD; i++) if (b[i] !== CANARY || b[PAD + WINDOW + i] !== CANARY) broken++;
      if (r.e) {
        if (r.e.name !== 'AbortError') broken++;
        for (let i = PAD; i < PAD + WINDOW; i++) if (b[i] !== 0) broken++;
        cancelled++;
      } else {
        for (let i = PAD; i < PAD + r.n; i++) if (b[i] !== DATA) broken++;
        received += r.n;
        completed++;
      }
    }
  }
  // Whatever no read took is still in the socket.
  await c.shutdown();
  received += (await readToEnd(s, 4096)).length;
  t.equal(broken, 0, 'no canary or out-of-window byte changed, every error is an AbortError');
  t.equal(cancelled + completed, TOTAL, 'every read settled exactly once');
  t.ok(cancelled > TOTAL / 2, `most reads were cancelled (${cancelled})`);
  t.equal(received, sent, 'every byte sent was received exactly once');
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([c.close(), s.close(), l.close()]);
});

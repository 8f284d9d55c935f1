// 10,000 aborts racing completion, per driver (issue 6, case 6): socket reads with data arriving,
// socket writes, positioned file reads and sleeps, each aborted at a different moment (before
// submission, in the same turn, after the driver saw it, while it completes). Every op works in a
// window of a larger buffer with canary bytes around it: after it settled no canary may have
// changed, a cancelled op's window is untouched, and every byte moved is accounted for exactly once.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { readToEnd, streamPair, tmpDir } from '../helpers/util.mjs';
import { canariesBroken, canaryBuffer, settled, turn, warnings } from '../helpers/reliability.mjs';

const PAD = 16;

/** Abort `ac` at one of several moments relative to the op just started. */
async function abortAt(ac, moment) {
  switch (moment % 4) {
    case 0:
      ac.abort();
      break; // same tick: before the driver submitted anything
    case 1:
      await Promise.resolve();
      ac.abort();
      break; // a microtask later
    case 2:
      await turn();
      ac.abort();
      break; // after the driver's flush
    default:
      await turn();
      await turn();
      ac.abort(); // while a completion may be arriving
  }
}

const isAbort = (e) => e?.name === 'AbortError' && e.code === 'ABORT_ERR';

await eachDriver(t, '10,000 aborts racing completion: each op settles once, canaries intact, no byte lost', async (t, rt) => {
  const warned = warnings(t);
  const dir = tmpDir(t);
  let aborts = 0;
  const bad = [];

  // A. 5,000 socket reads in batches, while the peer sends now and then.
  {
    const WINDOW = 16;
    const [c, s, l] = await streamPair(rt);
    let sent = 0;
    let received = 0;
    for (let round = 0; round < 100; round++) {
      const ac = new AbortController();
      const reads = [];
      for (let i = 0; i < 50; i++) reads.push(settled(s.read(canaryBuffer(WINDOW, PAD), { offset: PAD, length: WINDOW, signal: ac.signal })));
      if (round % 3 === 2) {
        await c.writeAll(own(new Uint8Array(7).fill(0x5a)));
        sent += 7;
      }
      await abortAt(ac, round);
      aborts += 50;
      for (const r of await Promise.all(reads)) {
        if (r.buf?.byteLength !== PAD * 2 + WINDOW) {
          bad.push('read: buffer not handed back');
          continue;
        }
        if (canariesBroken(r.buf, WINDOW, PAD)) bad.push('read: canary changed');
        if (r.error) {
          if (!isAbort(r.error)) bad.push(`read: ${r.error.code}`);
          if (r.buf.subarray(PAD, PAD + WINDOW).some((b) => b !== 0)) bad.push('read: cancelled but its window was written');
        } else {
          received += r.value[0];
          if (r.buf.subarray(PAD, PAD + r.value[0]).some((b) => b !== 0x5a)) bad.push('read: wrong bytes');
        }
      }
    }
    await c.shutdown();
    received += (await readToEnd(s, 4096)).length;
    t.equal(received, sent, `socket reads: every byte sent was read exactly once (${sent})`);
    await Promise.all([c.close(), s.close(), l.close()]);
  }

  // B. 2,000 socket writes, one at a time on each of 10 streams, the peer reading everything.
  {
    const pairs = await Promise.all(Array.from({ length: 10 }, () => streamPair(rt)));
    const results = await Promise.all(
      pairs.map(async ([c, s], k) => {
        const drained = readToEnd(s);
        const expected = [];
        for (let i = 0; i < 200; i++) {
          const size = 1 + ((i * 7919 + k * 104729) % 8192);
          const fill = (i + k) & 0xff;
          const ac = new AbortController();
          const writing = settled(c.write(canaryBuffer(size, PAD, fill), { offset: PAD, length: size, signal: ac.signal }));
          await abortAt(ac, i + k);
          const r = await writing;
          if (r.buf?.byteLength !== PAD * 2 + size) {
            bad.push('write: buffer not handed back');
            continue;
          }
          if (canariesBroken(r.buf, size, PAD)) bad.push('write: canary changed');
          if (r.error && !isAbort(r.error)) bad.push(`write: ${r.error.code}`);
          if (!r.error) expected.push(Buffer.alloc(r.value[0], fill));
        }
        aborts += 200;
        await c.shutdown();
        const got = await drained;
        return Buffer.concat(expected).equals(got);
      }),
    );
    t.equal(results.filter(Boolean).length, 10, 'socket writes: each peer received exactly the bytes the resolved writes reported, in order');
    await Promise.all(pairs.flat().map((h) => h.close()));
  }

  // C. 2,000 positioned file reads, 100 a round: under epoll a page-cache read completes inside
  // its submit while the driver's in-turn budget (64) lasts, where no abort can reach it, so a
  // round of 100 sends at least 36 to the file threads, where aborts race their completion (50 a
  // round, as before, all completed inline whenever the loop's check phase ran between rounds).
  {
    const PER_ROUND = 100;
    const BLOCK = 512;
    const BLOCKS = 100;
    const path = join(dir, 'blocks');
    const data = Buffer.alloc(BLOCK * BLOCKS);
    for (let i = 0; i < BLOCKS; i++) data.fill(i + 1, i * BLOCK, (i + 1) * BLOCK);
    writeFileSync(path, data);
    const f = await rt.open(path, 'r');
    let completed = 0;
    for (let round = 0; round < 2000 / PER_ROUND; round++) {
      const ac = new AbortController();
      const reads = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const block = (round * PER_ROUND + i) % BLOCKS;
        reads.push(
          settled(f.read(canaryBuffer(BLOCK, PAD), { offset: PAD, length: BLOCK, position: block * BLOCK, signal: ac.signal })).then((r) => ({
            ...r,
            block,
          })),
        );
      }
      await abortAt(ac, round);
      aborts += PER_ROUND;
      for (const r of await Promise.all(reads)) {
        if (r.buf?.byteLength !== PAD * 2 + BLOCK) {
          bad.push('file read: buffer not handed back');
          continue;
        }
        if (canariesBroken(r.buf, BLOCK, PAD)) bad.push('file read: canary changed');
        const window = r.buf.subarray(PAD, PAD + BLOCK);
        if (r.error) {
          if (!isAbort(r.error)) bad.push(`file read: ${r.error.code}`);
          if (window.some((b) => b !== 0)) bad.push('file read: cancelled but its window was written');
        } else {
          completed++;
          if (r.value[0] !== BLOCK || window.some((b) => b !== r.block + 1)) bad.push('file read: wrong bytes');
        }
      }
    }
    t.ok(completed > 0 && completed < 2000, `file reads: both outcomes occurred (${completed} of 2,000 completed before their abort)`);
    await f.close();
  }

  // D. 1,000 sleeps of 0 or 1 ms.
  {
    let settledCount = 0;
    for (let round = 0; round < 20; round++) {
      const ac = new AbortController();
      const sleeps = Array.from({ length: 50 }, (_, i) => settled(rt.sleep(i % 2, { signal: ac.signal })));
      await abortAt(ac, round);
      aborts += 50;
      for (const r of await Promise.all(sleeps)) {
        settledCount++;
        if (r.error && !isAbort(r.error)) bad.push(`sleep: ${r.error.code}`);
      }
    }
    t.equal(settledCount, 1000, 'sleeps: every one settled');
  }

  t.equal(aborts, 10_000, '10,000 aborted ops');
  t.same(bad.slice(0, 10), [], `no broken canary, lost buffer, wrong byte or unexpected error (${bad.length})`);
  t.same(warned, [], 'no op completed twice');
  const st = rt.stats();
  t.equal(st.inFlight, 0, 'nothing left in flight');
  t.equal(st.completed, st.submitted, 'every op submitted completed');
});

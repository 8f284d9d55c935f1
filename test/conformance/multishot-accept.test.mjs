// Listeners: accept() and the async iterator on uring draw from one multishot accept
// (IORING_ACCEPT_MULTISHOT); closing the listener ends it cleanly — connections accepted by the
// kernel and never handed out are closed, so no fd leaks. Same assertions on epoll (plain
// accept4 on readiness), plus the uring counters that show the multishot path ran.
import t from 'tap';
import { alloc } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { fdCount } from '../helpers/util.mjs';

await eachDriver(t, 'accept() and the iterator take every connection, with its peer address', async (t, rt, driver) => {
  const before = fdCount();
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const port = l.address().port;
  const clients = await Promise.all(Array.from({ length: 20 }, () => rt.connect({ host: '127.0.0.1', port })));
  const first = await l.accept();
  const rest = [];
  for await (const s of l) {
    rest.push(s);
    if (rest.length === 19) break;
  }
  const accepted = [first, ...rest];
  t.equal(accepted.length, 20);
  t.same(accepted.map((s) => s.remotePort).sort(), clients.map((c) => c.localPort).sort(), 'each peer address is its client');
  t.ok(accepted.every((s) => s.remoteAddress === '127.0.0.1'));
  if (driver === 'uring') {
    const st = rt.stats();
    t.ok(st.multishotAccept, 'the kernel has multishot accept (5.19+)');
    t.ok(st.acceptArmed < 20, `20 accepts took ${st.acceptArmed} accept SQEs`);
  }
  await Promise.all([...accepted, ...clients, l].map((h) => h.close()));
  t.equal(rt.stats().inFlight, 0, 'nothing in flight');
  t.equal(fdCount(), before, 'fds back to the start');
});

await eachDriver(t, 'closing the listener during multishot accept closes connections never handed out', async (t, rt, driver) => {
  const before = fdCount();
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const port = l.address().port;
  const c0 = await rt.connect({ host: '127.0.0.1', port });
  const s0 = await l.accept(); // arms the carrier under uring
  // Connections nobody accepts: under uring the carrier takes them from the backlog at once.
  const late = await Promise.all(Array.from({ length: 5 }, () => rt.connect({ host: '127.0.0.1', port })));
  await rt.sleep(5);
  const pending = l.accept();
  const got = await pending; // one of them is handed out
  await l.close();
  if (driver === 'uring') t.ok(rt.stats().acceptClosedUnclaimed >= 1, `${rt.stats().acceptClosedUnclaimed} accepted but unclaimed fds closed`);
  // Every late client sees its connection end (EOF or reset), except the one accepted.
  let ended = 0;
  for (const c of late) {
    if (c.localPort === got.remotePort) continue;
    const r = await c.read(alloc(8)).then(
      ([n]) => n,
      (e) => e.code,
    );
    if (r === 0 || r === 'ECONNRESET') ended++;
    else t.fail(`client ${c.localPort} read ${r}`);
  }
  t.ok(ended >= 4, `${ended} of the unaccepted connections were closed with the listener`);
  await Promise.all([c0, s0, got, ...late].map((h) => h.close()));
  t.equal(rt.stats().inFlight, 0, 'nothing in flight');
  t.equal(fdCount(), before, 'no fd leaked');
});

await eachDriver(t, 'an aborted accept loses no connection; the iterator ends when the listener closes', async (t, rt) => {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const port = l.address().port;
  const ac = new AbortController();
  const aborted = l.accept({ signal: ac.signal });
  ac.abort();
  await t.rejects(aborted, { name: 'AbortError' });
  const c = await rt.connect({ host: '127.0.0.1', port });
  const s = await l.accept();
  t.equal(s.remotePort, c.localPort, 'the connection went to the next accept');
  const loop = (async () => {
    let n = 0;
    for await (const x of l) {
      n++;
      await x.close();
    }
    return n;
  })();
  await rt.sleep(1);
  await l.close();
  t.equal(await loop, 0, 'the iterator ended at close, without an error');
  await Promise.all([c.close(), s.close()]);
  t.equal(rt.stats().inFlight, 0);
});

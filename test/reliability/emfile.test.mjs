// EMFILE under a low fd limit (issue 6, case 8), in a child run with `ulimit -n 64`: open and
// accept fail with EMFILE (as do new sockets), sleeps still work (the accept loop backs off with
// one), the server keeps serving the connection it already has, and once fds are freed the queued
// connection is accepted and served.
import t from 'tap';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { eachDriver } from '../helpers/drivers.mjs';
import { childSession } from '../helpers/reliability.mjs';

const fixture = fileURLToPath(new URL('./fixtures/emfile.mjs', import.meta.url));

/** A node:net client: `say(text)` resolves what the echo server sends back. */
async function client(port) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  let got = '';
  let want = null;
  const deliver = () => {
    if (!want || got.length < want.n) return;
    const w = want;
    want = null;
    w.resolve(got.slice(0, w.n));
    got = got.slice(w.n);
  };
  sock.on('data', (d) => {
    got += d;
    deliver();
  });
  return {
    sock,
    say(text) {
      return new Promise((resolve) => {
        want = { n: text.length, resolve };
        sock.write(text);
        deliver();
      });
    },
  };
}

await eachDriver(t, 'EMFILE: open and accept fail, the server keeps serving and recovers', async (t, _rt, driver) => {
  const child = childSession([fixture, driver], { nofile: 64, timeout: 60000 });
  const { port } = await child.next('listening');
  const b = await client(port);
  t.equal(await b.say('before'), 'before', 'a connection made before the fds ran out is served');
  child.send('exhaust');
  const ex = await child.next('exhausted');
  t.equal(ex.openCode, 'EMFILE', `open fails with EMFILE once ${ex.opened} files are open`);
  t.equal(ex.openSyscall, 'open');
  t.equal(ex.openPath, '/proc/self/stat', 'the error names the path');
  t.equal(ex.connectCode, 'EMFILE', 'a new socket fails with EMFILE too');
  t.same(ex.sleepsFailed, [], '100 concurrent sleeps still work (a timer takes no fd)');
  const a = await client(port); // queued in the kernel: the server cannot accept it yet
  const emfile = await child.next('accept-emfile');
  t.equal(emfile.code, 'EMFILE', 'accept fails with EMFILE');
  t.equal(emfile.syscall, 'accept');
  t.equal(await b.say('during'), 'during', 'the existing connection is still served while accept fails');
  const aReply = a.say('queued');
  child.send('free');
  const freed = await child.next('freed');
  t.equal(freed.reopen, 'ok', 'open works again once fds are freed');
  t.equal(await aReply, 'queued', 'the queued connection is accepted and served after recovery');
  t.equal(await b.say('after'), 'after', 'the first connection is still fine');
  a.sock.end();
  b.sock.end();
  await Promise.all([a, b].map((c) => new Promise((resolve) => c.sock.once('close', resolve))));
  child.send('done');
  const sum = await child.next('summary');
  t.ok(sum.emfileAccepts >= 1, `accept failed ${sum.emfileAccepts} times with EMFILE and the loop went on`);
  t.equal(sum.served, 2, 'both connections were accepted');
  t.equal(sum.inFlight, 0);
  const r = await child.exit;
  t.equal(r.code, 0, `the child exits cleanly (${r.stderr.trim()})`);
});

// runOnAllCores (issue 12): N worker threads, each with its own runtime running a raw echo
// server with reusePort on one port. Connections reach every worker, stats() sums the workers'
// counters, close() is graceful (listeners closed first, a connection mid-request finishes,
// then runtimes closed), a worker's error reaches the pool with its worker id, and SIGTERM to
// a process running a pool shuts it down cleanly.
import t from 'tap';
import net from 'node:net';
import { alloc, own, runOnAllCores } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { readExactly } from '../helpers/util.mjs';
import { spawn } from 'node:child_process';
import { childEnv } from '../helpers/util.mjs';

const echoModule = new URL('./fixtures/all-cores-echo.mjs', import.meta.url);
t.setTimeout(300_000);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** One echo round trip of `msg` over a new connection, closed after. */
async function roundTrip(rt, port, msg) {
  const c = await rt.connect({ host: '127.0.0.1', port });
  try {
    await c.writeAll(own(msg));
    return Buffer.from(await readExactly(c, msg.length)).toString();
  } finally {
    await c.close();
  }
}

await eachDriver(t, 'two workers with reusePort echo servers: both serve, stats() sums them', async (t, rt, driver) => {
  const port = await freePort();
  const pool = await runOnAllCores(echoModule, { workers: 2, driver, workerData: { port }, signals: false, execArgv: [] });
  t.equal(pool.size, 2, 'two workers running');
  const N = 64;
  const got = await Promise.all(Array.from({ length: N }, (_, i) => roundTrip(rt, port, `hello ${i}`)));
  t.same(
    got,
    Array.from({ length: N }, (_, i) => `hello ${i}`),
    'every connection echoed',
  );
  const st = await pool.stats();
  t.equal(st.workers, 2);
  t.equal(st.perWorker.length, 2);
  t.same(st.perWorker.map((w) => w.workerId).sort(), [0, 1], 'per-worker entries carry their worker id');
  t.ok(
    st.perWorker.every((w) => w.driver === driver),
    `each worker runs ${driver}`,
  );
  t.equal(st.total.connections, N, 'connections summed across workers');
  t.ok(
    st.perWorker.every((w) => w.connections >= 1),
    `both workers accepted some (${st.perWorker.map((w) => w.connections).join(', ')})`,
  );
  t.equal(st.total.completed, st.perWorker[0].completed + st.perWorker[1].completed, 'completed summed');
  const exits = [];
  pool.on('exit', (id, code) => exits.push([id, code]));
  await pool.close();
  t.same(exits.sort(), [
    [0, 0],
    [1, 0],
  ]);
  t.equal(pool.size, 0, 'no worker left');
  t.same((await pool.stats()).workers, 0, 'stats() of a closed pool: no workers');
});

await eachDriver(t, 'close(): listeners closed first, a connection mid-request completes, then the runtimes', async (t, rt, driver) => {
  const port = await freePort();
  const pool = await runOnAllCores(echoModule, { workers: 2, driver, workerData: { port }, signals: false, execArgv: [] });
  const c = await rt.connect({ host: '127.0.0.1', port });
  await c.writeAll(own('first half '));
  t.equal(Buffer.from(await readExactly(c, 11)).toString(), 'first half ', 'served before close');
  let closed = false;
  const closing = pool.close().then(() => (closed = true));
  // New connections are refused once both workers closed their listeners.
  for (;;) {
    const err = await roundTrip(rt, port, 'x').then(
      () => null,
      (e) => e,
    );
    if (err?.code === 'ECONNREFUSED' || err?.code === 'ECONNRESET') break;
  }
  t.equal(closed, false, 'the pool waits for the open connection');
  // A worker with no connection left may finish its shutdown now; the one holding ours may not.
  t.ok(pool.size >= 1, `the worker holding the connection still runs (${pool.size} running)`);
  await c.writeAll(own('second half'));
  t.equal(Buffer.from(await readExactly(c, 11)).toString(), 'second half', 'the in-flight request finished after the listeners closed');
  await c.shutdown();
  const [n] = await c.read(alloc(8));
  t.equal(n, 0, 'the worker ended the connection after our EOF');
  await closing;
  t.equal(closed, true, 'close() resolved once the connection was done');
  t.equal(pool.size, 0);
  await c.close();
});

await eachDriver(t, 'an error thrown by a worker reaches the pool, with its worker id', async (t, rt, driver) => {
  const port = await freePort();
  const err = await runOnAllCores(echoModule, { workers: 2, driver, workerData: { port, fail: 'start' }, signals: false, execArgv: [] }).catch(
    (e) => e,
  );
  t.equal(err?.message, 'worker 1 cannot start', 'runOnAllCores rejects with the failing worker’s error');
  t.equal(err?.workerId, 1, 'with its worker id');
  t.equal(err?.code, 'E_TEST', 'and its own properties');
  const refused = await roundTrip(rt, port, 'x').catch((e) => e);
  t.equal(refused?.code, 'ECONNREFUSED', 'the other worker was stopped: nothing listens');

  const pool = await runOnAllCores(echoModule, { workers: 2, driver, workerData: { port, fail: 'later' }, signals: false, execArgv: [] });
  const [later] = await new Promise((resolve) => pool.once('error', (...a) => resolve(a)));
  t.equal(later.message, 'worker 1 failed while serving', "an uncaught error after start is the pool's 'error'");
  t.equal(later.workerId, 1, 'with its worker id');
  await new Promise((resolve) => (pool.size === 1 ? resolve() : pool.once('exit', resolve)));
  t.equal(pool.size, 1, 'the failed worker is gone, the other serves on');
  t.equal(await roundTrip(rt, port, 'still here'), 'still here');
  await pool.close();

  // The error travels on the worker's own port, the ready on the pool's channel: an error thrown in
  // the same turn as ready() must still be the pool's, never runOnAllCores' rejection.
  for (let i = 0; i < 5; i++) {
    const p2 = await runOnAllCores(echoModule, { workers: 2, driver, workerData: { port, fail: 'right-after-ready' }, signals: false, execArgv: [] });
    const [e] = await new Promise((resolve) => p2.once('error', (...a) => resolve(a)));
    t.equal(e.code, 'E_RIGHT_AFTER', `run ${i}: an error right after ready() is the pool's 'error'`);
    await p2.close();
  }
});

await eachDriver(t, 'SIGTERM to a process running a pool: graceful close, exit 0, no fd left', async (t, rt, driver) => {
  const port = await freePort();
  const code = `
    import { readdirSync, readlinkSync } from 'node:fs';
    import { runOnAllCores } from '@rentio/core';
    const kinds = () => {
      const out = {};
      for (const fd of readdirSync('/proc/self/fd')) {
        let l; try { l = readlinkSync('/proc/self/fd/' + fd); } catch { continue; }
        const k = l.startsWith('socket:') ? 'socket' : /^anon_inode:/.test(l) ? l : null;
        if (k) out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    const before = kinds();
    const pool = await runOnAllCores(${JSON.stringify(echoModule.href)}, { workers: 2, driver: '${driver}', workerData: { port: ${port} } });
    const during = kinds();
    pool.on('exit', (id, code) => console.log(JSON.stringify({ exit: id, code })));
    process.on('exit', () => console.log(JSON.stringify({ before, during, after: kinds() })));
    console.log(JSON.stringify({ ready: true }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise((resolve) =>
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"ready"')) resolve();
    }),
  );
  t.equal(await roundTrip(rt, port, 'before the signal'), 'before the signal', 'the pool serves');
  const c = await rt.connect({ host: '127.0.0.1', port });
  await c.writeAll(own('in flight'));
  await readExactly(c, 9);
  child.kill('SIGTERM');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // The workers stop accepting, the open connection is still served.
  for (;;) {
    const e = await roundTrip(rt, port, 'x').then(
      () => null,
      (e) => e,
    );
    if (e?.code === 'ECONNREFUSED' || e?.code === 'ECONNRESET') break;
  }
  await c.writeAll(own('last words'));
  t.equal(Buffer.from(await readExactly(c, 10)).toString(), 'last words', 'the in-flight connection finished');
  await c.shutdown();
  await c.close();
  t.same(await exited, { code: 0, signal: null }, 'exit 0');
  if (err) t.comment(err);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.same(
    lines
      .filter((l) => 'exit' in l)
      .map((l) => [l.exit, l.code])
      .sort(),
    [
      [0, 0],
      [1, 0],
    ],
    'both workers ended on their own (not terminated)',
  );
  const fds = lines.find((l) => 'after' in l);
  t.ok((fds.during.socket ?? 0) >= 2, `the workers' listeners were open (${JSON.stringify(fds.during)})`);
  t.same(fds.after, fds.before, 'no socket, ring, epoll, eventfd or timerfd left behind');
});

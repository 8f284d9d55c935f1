// A worker stopped from outside runs no JS to close its runtime's sockets and files: the fd
// ledger (core/src/fd-ledger.ts, closed by the parker addon's env cleanup hook) must. Checked as a
// user would meet it: the worker's listening port can be bound again at once, and the process
// has no more fds than before the worker started.
import t from 'tap';
import { eachDriver } from '../helpers/drivers.mjs';
import { runNode } from '../helpers/util.mjs';

const child = (driver, stop) => `
  import { Worker } from 'node:worker_threads';
  import { readdirSync } from 'node:fs';
  import net from 'node:net';
  const fds = () => readdirSync('/proc/self/fd').length;
  // A first worker without handles, so that what Node itself keeps after a worker is in 'before'.
  await new Promise((r) => new Worker('process.exit(0)', { eval: true }).once('exit', r));
  const before = fds();
  const w = new Worker(\`
    import { parentPort } from 'node:worker_threads';
    import { createRuntime } from '@rentio/core';
    const rt = await createRuntime({ driver: '${driver}' });
    const l = await rt.listen({ port: 0, host: '127.0.0.1' });
    const c = await rt.connect({ port: l.address().port, host: '127.0.0.1' });
    const [s] = await Promise.all([l.accept(), c.write(new Uint8Array(4))]);
    const f = await rt.open('/proc/self/status');
    void s.read(new Uint8Array(64)).catch(() => {}); // pending when the worker is stopped
    void l.accept().catch(() => {});
    parentPort.postMessage({ port: l.address().port, handles: rt.stats().handles });
  \`, { eval: true, type: 'module' });
  const { port, handles } = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  const during = fds();
  ${stop === 'terminate' ? 'await w.terminate();' : "w.postMessage('x'); await w.terminate();"}
  const after = fds();
  const rebind = await new Promise((resolve) => {
    const s = net.createServer().once('error', (e) => resolve(e.code)).listen(port, '127.0.0.1', () => s.close(() => resolve('ok')));
  });
  console.log(JSON.stringify({ before, during, after, handles, rebind }));`;

await eachDriver(
  t,
  'a worker terminated with a listener, a connection, a file and ops pending leaves no fd, and its port is free',
  async (t, _rt, driver) => {
    const r = await runNode(child(driver, 'terminate'), { timeout: 60_000 });
    t.equal(r.signal, null, `no crash ${r.stderr}`);
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    t.equal(out.handles, 4, 'the worker held a listener, two stream ends and a file');
    t.ok(out.during >= out.before + 4, `the worker's fds were open while it ran (${out.before} → ${out.during})`);
    t.equal(out.after, out.before, `every fd the worker's runtime held is closed (${out.before} before, ${out.after} after)`);
    t.equal(out.rebind, 'ok', "the worker's listening port can be bound again");
  },
);

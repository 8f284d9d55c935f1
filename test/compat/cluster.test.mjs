// Sharing a port (issue 12): compat.serve with `reusePort`, alone and under node:cluster, where
// serve() never goes through cluster's primary-side handle sharing and SO_REUSEPORT is how the
// workers share the port.
import t from 'tap';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { childEnv } from '../helpers/util.mjs';

const clusterFixture = fileURLToPath(new URL('./fixtures/cluster-http.mjs', import.meta.url));
t.setTimeout(300_000);

function get(port, agent) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

await eachDriver(t, 'serve() twice with reusePort: both http.Servers answer on one port', async (t, rt) => {
  const a = await serve((req, res) => res.end('a'), { host: '127.0.0.1', port: 0, reusePort: true, runtime: rt });
  const b = await serve((req, res) => res.end('b'), { host: '127.0.0.1', port: a.port, reusePort: true, runtime: rt });
  t.equal(b.port, a.port, 'same port');
  const agent = new http.Agent({ keepAlive: false });
  const bodies = await Promise.all(Array.from({ length: 64 }, () => get(a.port, agent)));
  const count = (x) => bodies.filter((b) => b === x).length;
  t.equal(count('a') + count('b'), 64, 'every request answered');
  t.ok(count('a') >= 1 && count('b') >= 1, `both servers answered (a ${count('a')}, b ${count('b')})`);
  await Promise.all([a.close(), b.close()]);
});

await eachDriver(t, 'serve() without reusePort on a reusePort port: EADDRINUSE in net.Server shape', async (t, rt) => {
  const a = await serve((req, res) => res.end('a'), { host: '127.0.0.1', port: 0, reusePort: true, runtime: rt });
  const err = await serve((req, res) => res.end('b'), { host: '127.0.0.1', port: a.port, runtime: rt }).catch((e) => e);
  t.equal(err?.code, 'EADDRINUSE');
  t.equal(err?.syscall, 'listen', 'syscall listen, as net.Server reports it');
  t.equal(err?.message, `listen EADDRINUSE: address already in use 127.0.0.1:${a.port}`);
  await a.close();
});

await eachDriver(t, 'serve() refuses a non-boolean reusePort with ERR_INVALID_ARG_TYPE', async (t, rt) => {
  for (const bad of ['yes', 1, {}]) {
    const err = await serve(http.createServer(), { port: 0, reusePort: bad, runtime: rt }).catch((e) => e);
    t.equal(err?.code, 'ERR_INVALID_ARG_TYPE', String(bad));
    t.type(err, TypeError);
  }
  t.equal(rt.stats().handles, 0, 'no listener made');
});

await eachDriver(t, 'node:cluster: 2 workers serve one port via reusePort and requests land on both', async (t, rt, driver) => {
  const out = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [clusterFixture],
      { env: childEnv({ RENTIO_DRIVER: driver, WORKERS: '2', REQUESTS: '64' }), timeout: 120_000 },
      (err, stdout, stderr) => resolve({ err, stdout, stderr }),
    );
  });
  t.error(out.err, 'primary exited 0');
  if (out.err) t.comment(out.stderr);
  const r = JSON.parse(out.stdout.trim().split('\n').pop());
  t.equal(r.statuses.length, 64, '64 responses');
  t.ok(
    r.statuses.every((s) => s === 200),
    'all 200',
  );
  const seen = Object.keys(r.pids).map(Number);
  t.ok(seen.length > 1, `responses came from ${seen.length} workers: ${JSON.stringify(r.pids)}`);
  t.ok(
    seen.every((p) => r.workerPids.includes(p)),
    'every responder is a forked worker',
  );
  t.same(
    r.exited,
    r.workerPids.map(() => ({ code: 0, signal: null })),
    'workers closed and exited 0 on disconnect',
  );
});

// The process exits promptly when nothing is pending, and stays alive while an op is pending
// (the parker is referenced exactly while ops are in flight) — for every setup flag set.
import t from 'tap';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { runNode } from '../helpers/util.mjs';

const FLAG_SETS = [undefined, [], ['SUBMIT_ALL', 'SINGLE_ISSUER', 'DEFER_TASKRUN']];

for (const setupFlags of FLAG_SETS) {
  const opts = JSON.stringify({ driver: 'uring', driverOptions: { setupFlags } });
  t.test(`exits with nothing pending, runtime left open (${JSON.stringify(setupFlags)})`, async (t) => {
    const r = await runNode(
      `
      import { createRuntime, own } from '@rentio/core';
      const rt = await createRuntime(${opts});
      await rt.writeFile('/dev/null', own('x'));
      await rt.sleep(10);
      console.log('done');`,
      { timeout: 10000 },
    );
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.trim(), 'done');
    t.notOk(r.killed, 'did not need killing');
  });

  t.test(`a pending accept keeps the process alive until it completes (${JSON.stringify(setupFlags)})`, async (t) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import { createRuntime } from '@rentio/core';
      const rt = await createRuntime(${opts});
      const l = await rt.listen({ port: 0, host: '127.0.0.1' });
      console.log(l.address().port);
      const s = await l.accept();
      console.log('accepted');
      await s.close(); await l.close();`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    const port = await new Promise((resolve) =>
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(Number(out));
      }),
    );
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const early = await Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('alive'), 300))]);
    t.equal(early, 'alive', 'still alive with an accept pending');
    const sock = net.connect(port, '127.0.0.1');
    const code = await exited;
    sock.destroy();
    t.equal(code, 0);
    t.match(out, /accepted/);
  });
}

t.test('a runtime inside a worker thread: the worker and the process exit promptly', async (t) => {
  const r = await runNode(
    `
    import { Worker } from 'node:worker_threads';
    const w = new Worker(\`
      import { createRuntime } from '@rentio/core';
      import { parentPort } from 'node:worker_threads';
      const rt = await createRuntime({ driver: 'uring' });
      const data = await rt.readFile('/proc/self/stat');
      await rt.sleep(5);
      parentPort.postMessage(data.byteLength);
    \`, { eval: true, type: 'module' });
    w.on('message', (n) => console.log('worker read', n > 0));
    w.on('exit', (code) => console.log('worker exit', code));`,
    { timeout: 10000 },
  );
  t.equal(r.code, 0, r.stderr);
  t.notOk(r.killed, 'did not hang');
  t.match(r.stdout, /worker read true/);
  t.match(r.stdout, /worker exit 0/);
});

// Node's own `http.createServer`, unmodified, serving over rentio through @rentio/compat, on the
// driver RENTIO_DRIVER picks (uring | epoll | auto).
//
//   node examples/http-compat.mjs [--requests 500] [--concurrency 8]   serve, drive it, exit
//   node examples/http-compat.mjs --serve [--port 8080]                 serve until Ctrl-C
//
// The handler below is plain node:http code: it never sees rentio. compat's serve() accepts
// with a rentio listener and hands each connection to the server as a stream.Duplex, the same
// 'connection' event Node's own accept path emits. The client is a stock node:http client
// (node:net sockets), so the two sides share nothing but the loopback interface.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { serve } from '@rentio/compat';
import { arg, flag, fmt, now, quick, runtimeFromEnv, since } from './lib/util.mjs';

const requests = Number(arg('requests', quick ? '60' : '500'));
const concurrency = Number(arg('concurrency', '8'));

const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    // Echo the sha256 of the body: the client checks every uploaded byte arrived in order.
    const h = createHash('sha256');
    req.on('data', (c) => h.update(c));
    req.on('end', () => res.end(h.digest('hex')));
    return;
  }
  const n = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? '16');
  res.setHeader('content-type', 'application/octet-stream');
  res.end(Buffer.alloc(n, n & 0xff));
});

const rt = await runtimeFromEnv();
const served = await serve(server, { host: '127.0.0.1', port: Number(arg('port', '0')), runtime: rt });
console.log(`http.createServer listening on http://127.0.0.1:${served.port}/ over @rentio/compat`);

if (flag('serve')) {
  console.log('serving until stopped (Ctrl-C)');
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    served.closeAllConnections();
    served
      .close()
      .then(() => rt.close())
      .catch((err) => {
        console.error(err);
        process.exitCode = 1;
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
} else {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  function request(options, body) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: served.port, agent, ...options }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  let sent = 0;
  let bytesIn = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < requests) {
        const i = sent++;
        if (i % 10 === 9) {
          // Every tenth request uploads 256 KiB: several staging slabs each way.
          const body = Buffer.alloc(256 * 1024, i & 0xff);
          const r = await request({ method: 'POST', path: '/upload' }, body);
          if (r.body.toString() !== createHash('sha256').update(body).digest('hex')) throw new Error(`upload ${i} arrived damaged`);
          bytesIn += body.length;
        } else {
          const n = (i * 997) % 65536;
          const r = await request({ method: 'GET', path: `/?n=${n}` });
          if (r.status !== 200 || r.body.length !== n || (n > 0 && r.body[n - 1] !== (n & 0xff))) throw new Error(`request ${i}: bad response`);
          bytesIn += r.body.length;
        }
      }
    }),
  );
  const ms = since(t0);
  agent.destroy();
  await served.close();
  const st = rt.stats();
  console.log(
    `client: ${requests} requests (keep-alive, ${concurrency} at a time) answered correctly in ${ms.toFixed(0)} ms (${fmt(requests / (ms / 1000))} req/s, ${fmt(bytesIn / 1048576, 1)} MiB checked)`,
  );
  console.log(
    `runtime: ops ${st.completed}, syscalls ${st.syscalls}, wakeups ${st.wakeups}, in flight ${st.inFlight}; compat staging slabs made ${st.compatPoolBuffers}, lent now ${st.compatPoolBuffers - st.compatPoolFree}`,
  );
  await rt.close();
}

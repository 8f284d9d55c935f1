import http from 'node:http';
import { createRuntime } from '@rentio/core';
import { serve, createConnection } from '@rentio/compat';
const runtime = await createRuntime({ driver: process.env.D || 'epoll' });
const served = await serve(http.createServer((req, res) => { let n=0; req.on('data', c => n+=c.length); req.on('end', () => res.end('ok ' + n)); }), { port: 0, host: '127.0.0.1', runtime });
console.log('port', served.port);
const body = await new Promise((resolve, reject) => {
  const req = http.request({ method: 'POST', host: '127.0.0.1', port: served.port, createConnection: (o, cb) => createConnection({ ...o, runtime }, cb) }, (res) => {
    let s=''; res.setEncoding('utf8'); res.on('data', d => s+=d); res.on('end', () => resolve(s));
  });
  req.on('error', reject);
  req.end('hello world');
});
console.log(body);
await served.close();
console.log(runtime.stats());
await runtime.close();

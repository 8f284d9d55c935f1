// TLS layered over compat sockets: an https.Server served by serve(), and an https client whose
// connection is tls.connect({ socket }) over a compat socket. (Test-only self-signed certificate
// in fixtures/, for localhost and 127.0.0.1.)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import t from 'tap';
import { createConnection, serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { handler, httpRequest, settled, sha256, slabsLent } from './_helpers.mjs';

const key = readFileSync(new URL('./fixtures/test-key.pem', import.meta.url));
const cert = readFileSync(new URL('./fixtures/test-cert.pem', import.meta.url));

await eachDriver(t, 'https over compat on both ends: requests and an 8 MiB upload', async (t, rt) => {
  const served = await serve(https.createServer({ key, cert }, handler), { host: '127.0.0.1', runtime: rt });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 2, ca: cert });
  agent.createConnection = (o) => tls.connect({ ...o, socket: createConnection({ host: o.host, port: o.port, runtime: rt }) });
  const opts = (path, method = 'GET') => ({ protocol: 'https:', host: '127.0.0.1', port: served.port, path, method, agent });
  for (let id = 0; id < 20; id++) {
    const r = await httpRequest(opts(`/${id % 2 ? 'chunked' : 'cl'}/${id}/2000`));
    t.equal(r.body.length, 2000);
  }
  const data = randomBytes(8 * 1024 * 1024);
  const up = await httpRequest(opts('/upload', 'POST'), data);
  t.equal(up.body.toString(), `${sha256(data)} ${data.length}`, '8 MiB through TLS over compat, intact');
  agent.destroy();
  await served.close();
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0), 'all closed, nothing in flight');
});

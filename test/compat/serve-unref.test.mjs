// A net.Server unref()'d before it listens stays unref'd once it listens (Node keeps the choice
// in server._unref and applies it to the handle it makes). serve() must honour it the same way:
// Node's tests unref a server, then listen(), and expect the process to exit by itself.
// node:net is the baseline (its handle's hasRef()); compat over each driver asserts the same
// of the rentio listener.
import net from 'node:net';
import t from 'tap';
import { serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';

t.test('node:net: unref() before listen() holds once listening [node:net]', async (t) => {
  const server = net.createServer();
  server.unref();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.equal(server._handle.hasRef(), false, 'unref before listen applies');
  server.ref();
  t.equal(server._handle.hasRef(), true, 'ref() undoes it');
  server.unref();
  t.equal(server._unref, true);
  await new Promise((r) => server.close(r));
});

await eachDriver(t, 'serve(): a server unref()ed before serving is served unref()ed', async (t, rt) => {
  const server = net.createServer();
  server.unref();
  const served = await serve(server, { host: '127.0.0.1', port: 0, runtime: rt });
  t.equal(served.listener.hasRef(), false, 'unref before serve applies to the listener');
  server.ref();
  t.equal(served.listener.hasRef(), true, 'ref() undoes it');
  t.equal(server._unref, false, "kept in server._unref, as net.Server's");
  server.unref();
  t.equal(served.listener.hasRef(), false);
  t.equal(server._unref, true);
  await served.close();

  // A server never unref'd is served ref'd.
  const other = await serve(net.createServer(), { host: '127.0.0.1', port: 0, runtime: rt });
  t.equal(other.listener.hasRef(), true);
  await other.close();
});

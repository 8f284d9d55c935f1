// System errors read as Node's own: socket ops in node:net's shape (`read ECONNRESET`, `write
// EPIPE`, `connect ECONNREFUSED 127.0.0.1:PORT`), file ops in node:fs's (`ENOENT: no such file or
// directory, open '/x'`), with code/errno/syscall/address/port as node:net and node:fs set them.
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { closedPort, nodeServer } from '../helpers/reliability.mjs';

async function resetPeer(t, rt) {
  let peer;
  const accepted = new Promise((resolve) => (peer = resolve));
  const { port } = await nodeServer(t, (sock) => peer(sock));
  const s = await rt.connect({ host: '127.0.0.1', port });
  const sock = await accepted;
  return [s, sock];
}

await eachDriver(t, 'read and write on a reset connection: node:net message shapes', async (t, rt) => {
  const [s, peer] = await resetPeer(t, rt);
  t.teardown(() => s.close());
  const reading = s.read(alloc(16)).then(
    () => null,
    (e) => e,
  );
  peer.resetAndDestroy();
  const r = await reading;
  t.equal(r?.message, 'read ECONNRESET');
  t.equal(r?.code, 'ECONNRESET');
  t.equal(r?.syscall, 'read');
  const w = await s.write(own('x')).then(
    () => null,
    (e) => e,
  );
  t.equal(w?.message, 'write EPIPE');
  t.equal(w?.syscall, 'write');
  t.equal(w?.errno, -32);
});

await eachDriver(t, 'connect refused: syscall, code, address:port', async (t, rt) => {
  const port = await closedPort();
  const err = await rt.connect({ host: '127.0.0.1', port }).then(
    () => null,
    (e) => e,
  );
  t.equal(err?.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
  t.equal(err?.address, '127.0.0.1');
  t.equal(err?.port, port);
});

await eachDriver(t, 'a file op keeps the node:fs shape', async (t, rt) => {
  const err = await rt.open('/nonexistent-rentio/x').then(
    () => null,
    (e) => e,
  );
  t.equal(err?.message, "ENOENT: no such file or directory, open '/nonexistent-rentio/x'");
  t.equal(err?.path, '/nonexistent-rentio/x');
});

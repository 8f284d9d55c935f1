// Socket options core sets itself over the shared libc (no driver involved): an int option, a
// struct option (SO_LINGER, which compat's resetAndDestroy needs), and their errors.
import t from 'tap';
import { eachDriver } from '../helpers/drivers.mjs';
import { nodeServer } from '../helpers/reliability.mjs';

const SOL_SOCKET = 1;
const SO_LINGER = 13;

await eachDriver(t, 'SO_LINGER {on, 0} set as bytes makes close() reset the connection', async (t, rt) => {
  let peerErr;
  // A failure before the close (connect, setsockopt) rejects here instead of leaving the wait hanging.
  const peerClosed = new Promise((resolve, reject) => {
    nodeServer(t, (sock) => {
      sock.on('error', (e) => (peerErr = e));
      sock.on('close', resolve);
    })
      .then(async ({ port }) => {
        const s = await rt.connect({ host: '127.0.0.1', port });
        // struct linger { int l_onoff; int l_linger; }
        const linger = new Uint8Array(8);
        new DataView(linger.buffer).setInt32(0, 1, true);
        rt._setsockoptBytes(s.fd, SOL_SOCKET, SO_LINGER, linger);
        await s.close();
      })
      .catch(reject);
  });
  await peerClosed;
  t.equal(peerErr?.code, 'ECONNRESET', 'the peer saw a reset, not a FIN');
});

await eachDriver(t, 'setsockopt errors are Node-style system errors', async (t, rt) => {
  const { port } = await nodeServer(t, () => {});
  const s = await rt.connect({ host: '127.0.0.1', port });
  t.teardown(() => s.close());
  const err = (() => {
    try {
      rt._setsockoptBytes(s.fd, SOL_SOCKET, SO_LINGER, new Uint8Array(2));
    } catch (e) {
      return e;
    }
  })();
  t.equal(err?.code, 'EINVAL', 'a struct too short for SO_LINGER is EINVAL');
  t.equal(err?.syscall, 'setsockopt');
  t.doesNotThrow(() => s.setNoDelay(true), 'an int option through the same path');
});

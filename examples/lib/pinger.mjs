// A node:net ping-pong client for the comparative examples: a peer in another process, so the
// server's driver has to wait for the network as a real server does.
//
//   node examples/lib/pinger.mjs PORT CONNS ROUNDS SIZE
//
// Each connection sends SIZE bytes, waits for SIZE bytes back, ROUNDS times, then ends.
import net from 'node:net';

const [port, conns, rounds, size] = process.argv.slice(2).map(Number);
const msg = Buffer.alloc(size, 0x70);

await Promise.all(
  Array.from(
    { length: conns },
    () =>
      new Promise((resolve, reject) => {
        const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
        let left = rounds;
        let got = 0;
        s.on('connect', () => s.write(msg));
        s.on('data', (d) => {
          got += d.length;
          if (got < size) return;
          got -= size;
          if (--left > 0) s.write(msg);
          else s.end();
        });
        s.on('end', () => resolve());
        s.on('error', reject);
      }),
  ),
);

// Idle TCP clients for examples/idle-memory.mjs: a separate process, so the process measured
// holds only the server side of each connection.
//
//   node examples/lib/idle-clients.mjs PORT COUNT
//
// Opens COUNT connections to 127.0.0.1:PORT (200 at a time, well inside the listen backlog),
// prints "connected COUNT", then holds them, sending nothing, until its stdin closes.
import net from 'node:net';

const [port, count] = process.argv.slice(2).map(Number);
const socks = [];
const BATCH = 200;
for (let i = 0; i < count; i += BATCH) {
  await Promise.all(
    Array.from(
      { length: Math.min(BATCH, count - i) },
      () =>
        new Promise((resolve, reject) => {
          const s = net.connect({ port, host: '127.0.0.1' }, resolve);
          s.on('error', reject);
          socks.push(s);
        }),
    ),
  );
}
console.log(`connected ${socks.length}`);
// Bounded: the parent closes stdin when it is done; never outlive it by more than a minute.
const guard = setTimeout(() => process.exit(2), 60_000);
process.stdin.resume();
process.stdin.on('end', () => {
  clearTimeout(guard);
  for (const s of socks) s.destroy();
  process.exit(0);
});

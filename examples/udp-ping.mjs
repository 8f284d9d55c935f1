// UDP ping: an echo socket and a pinger, on the driver RENTIO_DRIVER picks.
//
//   node examples/udp-ping.mjs                              1,000 pings over 127.0.0.1, exit
//   node examples/udp-ping.mjs --ipv6 --count 5000 --size 512
//   node examples/udp-ping.mjs --serve --port 7009          echo datagrams until Ctrl-C
//                                                           (try: echo hi | nc -u -w1 127.0.0.1 7009)
//
// The echo side receives into one rented buffer and sends the same buffer back to whoever sent
// it (`recv` resolves `[n, buf, from]`). The pinger is a *connected* UDP socket: it sends without
// naming the peer, hears only the peer, and would see ECONNREFUSED if nothing listened there.
// At the end one datagram larger than the pinger's window shows truncation reported, not silent.
import { alloc, own } from '@rentio/core';
import { arg, flag, fmt, median, now, percentile, quick, runtimeFromEnv, since } from './lib/util.mjs';

const serve = flag('serve');
const ipv6 = flag('ipv6');
const count = Number(arg('count', quick ? '200' : '1000'));
const size = Number(arg('size', '64'));
const host = ipv6 ? '::1' : '127.0.0.1';
const type = ipv6 ? 'udp6' : 'udp4';

const rt = await runtimeFromEnv();
const echoSock = await rt.bindUdp({ type, address: serve ? arg('host', host) : host, port: Number(arg('port', '0')) });
const { port } = echoSock.address();
console.log(`echoing datagrams on ${ipv6 ? `[${host}]` : host}:${port}`);

let echoed = 0;
const echoing = (async () => {
  let buf = alloc(65536);
  try {
    for (;;) {
      const [n, b, from] = await echoSock.recv(buf);
      [, buf] = await echoSock.send(b, { length: n, port: from.port, address: from.address });
      echoed++;
    }
  } catch (err) {
    if (err.code !== 'ERR_RENTIO_HANDLE_CLOSED' && err.code !== 'ERR_RENTIO_RUNTIME_CLOSED') throw err;
  }
})();

async function stop() {
  await echoSock.close();
  await echoing;
  const st = rt.stats();
  console.log(`echoed ${fmt(echoed)} datagram(s); syscalls ${st.syscalls}, wakeups ${st.wakeups}`);
  await rt.close();
}

if (serve) {
  process.once('SIGINT', () => void stop());
} else {
  const pinger = await rt.bindUdp({ type, address: host });
  await pinger.connect(port, host);
  let out = alloc(size);
  let back = alloc(size);
  const rtts = [];
  let intact = 0;
  const t0 = now();
  for (let i = 0; i < count; i++) {
    new DataView(out.buffer).setUint32(0, i, true);
    const t = now();
    [, out] = await pinger.send(out);
    const [n, b, from] = await pinger.recv(back);
    back = b;
    rtts.push(since(t) * 1000);
    if (n === size && !from.truncated && new DataView(b.buffer).getUint32(0, true) === i) intact++;
  }
  const secs = since(t0) / 1000;
  console.log(`pings: ${intact}/${count} answered intact, ${size} B each (${fmt(count / secs)} round trips/s)`);
  console.log(`rtt: median ${fmt(median(rtts), 1)} µs, p99 ${fmt(percentile(rtts, 99), 1)} µs`);
  // A datagram bigger than the window: the kernel keeps what fits and says so (MSG_TRUNC).
  await pinger.send(own('x'.repeat(4 * size)));
  const [n, , from] = await pinger.recv(back);
  console.log(`oversized echo: ${n} of ${4 * size} bytes kept, truncated: ${from.truncated}`);
  await pinger.close();
  await stop();
  if (intact !== count || !from.truncated) process.exitCode = 1;
}

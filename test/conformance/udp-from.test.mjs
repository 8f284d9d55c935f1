// `from` of each received datagram names its own sender, when senders alternate between
// addresses and ports (the receive side keeps the text of the last IPv4 peer: it must follow
// each change, never report a previous datagram's sender).
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';

await eachDriver(t, 'recv reports each datagram’s own sender as senders alternate', async (t, rt) => {
  const rx = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const senders = [
    await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' }),
    await rt.bindUdp({ type: 'udp4', address: '127.0.0.2' }),
    await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' }),
  ];
  t.teardown(async () => {
    for (const s of [rx, ...senders]) await s.close();
  });
  const port = rx.address().port;
  let buf = alloc(64);
  const seen = [];
  for (const i of [0, 1, 1, 2, 0, 1]) {
    await senders[i].send(own(`from ${i}`), { port, address: '127.0.0.1' });
    let n, from;
    [n, buf, from] = await rx.recv(buf);
    seen.push([Buffer.from(buf.subarray(0, n)).toString(), from.address, from.port]);
  }
  const want = [0, 1, 1, 2, 0, 1].map((i) => [`from ${i}`, senders[i].address().address, senders[i].address().port]);
  t.same(seen, want, 'every datagram names its sender');
});

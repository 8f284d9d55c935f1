// A database driver connecting a socket itself: the `pg` client's `stream` option, given an
// unconnected socket (net.Socket, then compat's RentioSocket over each driver), against a real
// PostgreSQL. Needs RENTIO_TEST_PG_PORT (a PostgreSQL on 127.0.0.1 accepting user postgres with
// trust auth); skipped with that reason otherwise.
import t from 'tap';
import { eachTransport } from './_helpers.mjs';

const port = Number(process.env.RENTIO_TEST_PG_PORT);
if (!port) {
  t.pass('skipped: set RENTIO_TEST_PG_PORT to a PostgreSQL on 127.0.0.1 (user postgres, trust)', { skip: 'no RENTIO_TEST_PG_PORT' });
} else {
  const { default: pg } = await import('pg');
  await eachTransport(t, 'pg.Client({ stream }) runs queries over the socket it connects', async (t, T) => {
    let made;
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', stream: () => (made = T.Socket()) });
    await client.connect();
    t.equal(made.remotePort, port, 'the socket pg connected is ours');
    const one = await client.query('SELECT 1 + 1 AS two');
    t.same(one.rows, [{ two: 2 }]);
    // A result larger than one read slab, and parameters.
    const big = await client.query("SELECT repeat('x', $1::int) AS s, generate_series(1, 200) AS n", [5000]);
    t.equal(big.rows.length, 200);
    t.ok(
      big.rows.every((r, i) => r.s.length === 5000 && r.n === i + 1),
      '200 rows of 5000 bytes, in order',
    );
    await client.end();
    t.equal(made.destroyed, true, 'client.end() closed the socket');
  });
}

/**
 * Can this rentio driver run the benchmarks here? Opens a runtime on `--driver`, sleeps, reads
 * a file, and echoes over loopback TCP; prints {"ok":true} or fails with the reason.
 * @module
 */
import { emit, fail, parseArgs } from './common.mjs';

const a = parseArgs();

async function main() {
  const { createRuntime, alloc } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  if (rt.driver.name !== a.driver) throw new Error(`asked for ${a.driver}, got ${rt.driver.name}`);
  await rt.sleep(1);
  const f = await rt.open(process.execPath, 'r');
  const [n] = await f.read(alloc(4096), { position: 0 });
  if (n !== 4096) throw new Error(`file read returned ${n}`);
  await f.close();
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  await c.writeAll(alloc(10));
  const [m] = await s.read(alloc(64));
  if (m < 1) throw new Error(`stream read returned ${m}`);
  await rt.close();
  return { ok: true, model: rt.driver.model };
}

main().then(emit, fail);

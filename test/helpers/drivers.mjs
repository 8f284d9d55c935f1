// Shared test helpers: run a case once per driver with the same assertions.
//
// Drivers under test: RENTIO_TEST_DRIVERS (comma list) or both. A driver that cannot work on
// this machine (ERR_RENTIO_DRIVER_UNAVAILABLE) is skipped with its reason, unless it is listed
// in RENTIO_TEST_REQUIRE (CI sets it, so a broken driver fails instead of silently skipping).
import { createRuntime } from '@rentio/core';

export const DRIVERS = (process.env.RENTIO_TEST_DRIVERS || 'epoll,uring')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const REQUIRED = new Set(
  (process.env.RENTIO_TEST_REQUIRE || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const probed = new Map();
/** null when the driver works here, else the reason it does not. */
export async function unavailable(driver) {
  if (!probed.has(driver)) {
    probed.set(
      driver,
      (async () => {
        try {
          const rt = await createRuntime({ driver });
          await rt.close();
          return null;
        } catch (err) {
          if (err.code === 'ERR_RENTIO_DRIVER_UNAVAILABLE' && !REQUIRED.has(driver)) return err.reason ?? err.message;
          throw err;
        }
      })(),
    );
  }
  return probed.get(driver);
}

/**
 * Run `fn(t, rt, driver)` as a subtest per driver, each on a fresh runtime closed afterwards.
 * @param {import('tap').Test} t
 * @param {string} name
 * @param {(t: import('tap').Test, rt: import('@rentio/core').Runtime, driver: string) => Promise<void>} fn
 * @param {{ driverOptions?: object }} [opts]
 */
export async function eachDriver(t, name, fn, opts = {}) {
  for (const driver of DRIVERS) {
    const why = await unavailable(driver);
    if (why) {
      t.test(`${name} [${driver}]`, { skip: `driver ${driver} unavailable: ${why}` }, () => {});
      continue;
    }
    await t.test(`${name} [${driver}]`, async (t) => {
      const rt = await createRuntime({ driver, driverOptions: opts.driverOptions });
      t.teardown(() => rt.close());
      await fn(t, rt, driver);
    });
  }
}

// instanceof on rentio's error classes: true exactly for an error's own class and its real
// ancestors (every misuse error is also a RentioError), never for a sibling — and the same for
// an error made by a second copy of the module (two installs of @rentio/core).
import t from 'tap';
import * as core from '@rentio/core';

const errorsUrl = new URL('../../packages/core/dist/errors.js', import.meta.url);
const copy = await import(`${errorsUrl.href}?second-copy`);

const names = Object.keys(core)
  .filter((k) => typeof core[k] === 'function' && /Error$/.test(k) && core[k].prototype instanceof Error)
  .sort();

// One instance per class, with arguments of the right shape.
const make = {
  RentioError: (m) => new m.RentioError('ERR_RENTIO_TEST', 'test'),
  RentioTypeError: (m) => new m.RentioTypeError('ERR_RENTIO_TEST', 'test'),
  RentioRangeError: (m) => new m.RentioRangeError('ERR_RENTIO_TEST', 'test'),
  InvalidArgTypeError: (m) => new m.InvalidArgTypeError('x', 'a string', 1),
  InvalidArgValueError: (m) => new m.InvalidArgValueError('x', 'is bad', 1),
  OutOfRangeError: (m) => new m.OutOfRangeError('x', '>= 0', -1),
  BufferNotRentableError: (m) => new m.BufferNotRentableError('ERR_RENTIO_BUFFER_VIEW', 'a view'),
  HandleClosedError: (m) => new m.HandleClosedError('file'),
  RuntimeClosedError: (m) => new m.RuntimeClosedError(),
  InvalidDriverError: (m) => new m.InvalidDriverError('x'),
  DriverUnavailableError: (m) => new m.DriverUnavailableError('uring', 'test'),
  UnsupportedError: (m) => new m.UnsupportedError('test'),
  CredentialsChangedError: (m) => new m.CredentialsChangedError('test'),
  AbortError: (m) => new m.AbortError(),
  DgramIsConnectedError: (m) => new m.DgramIsConnectedError(),
  DgramNotConnectedError: (m) => new m.DgramNotConnectedError(),
  LeaseReleasedError: (m) => new m.LeaseReleasedError(),
  LeaseReleasedTwiceError: (m) => new m.LeaseReleasedTwiceError(),
  PoolClosedError: (m) => new m.PoolClosedError(),
};

/** The real ancestry: the prototype chain, plus RentioError for every misuse error. */
function isA(errName, clsName) {
  const e = make[errName](core);
  if (Function.prototype[Symbol.hasInstance].call(core[clsName], e)) return true;
  return clsName === 'RentioError' && /^ERR_RENTIO_/.test(e.code ?? '');
}

t.test('every exported error class is covered', async (t) => {
  t.ok(names.length >= 14, `${names.length} classes`);
  for (const n of names) t.type(make[n], 'function', `${n} has a maker in this test`);
});

t.test('instanceof is true only for the class itself and its real ancestors', async (t) => {
  for (const a of names) {
    const e = make[a](core);
    for (const b of names) {
      t.equal(e instanceof core[b], isA(a, b), `new ${a}() instanceof ${b}`);
    }
  }
  t.notOk(new core.RuntimeClosedError() instanceof core.HandleClosedError, 'the case the old shared brand got wrong');
});

t.test('the same holds across a second copy of the module', async (t) => {
  t.not(copy.RuntimeClosedError, core.RuntimeClosedError, 'a distinct copy');
  for (const a of names) {
    const e = make[a](copy);
    for (const b of names) t.equal(e instanceof core[b], isA(a, b), `copy's ${a} instanceof ${b}`);
  }
});

t.test('plain errors are no rentio error', async (t) => {
  for (const b of names) {
    t.notOk(new Error('x') instanceof core[b], `Error instanceof ${b}`);
    t.notOk(null instanceof core[b]);
  }
  t.ok(make.InvalidArgTypeError(core) instanceof TypeError, 'built-in ancestors still hold');
  t.ok(make.OutOfRangeError(core) instanceof RangeError);
});

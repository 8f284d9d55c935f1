// Every core op has exactly one entry in every driver's op table, and each entry says how it
// runs: adding an OpCode without teaching both drivers fails here, not at a user's first call.
import t from 'tap';
import { OpCode, SYSCALL } from '@rentio/core/driver';
// The tables are internal (not exported by the packages' public index): import the built modules.
import { EPOLL_OPS, Run } from '../../packages/driver-epoll/dist/ops.js';
import { FILE_JOBS } from '../../packages/driver-epoll/dist/file-jobs.js';
import { URING_OPS } from '../../packages/driver-uring/dist/ops.js';
import { IORING_OP_NAME } from '../../packages/driver-uring/dist/constants.js';

const codes = Object.entries(OpCode);

t.test('OpCode values are distinct small integers', async (t) => {
  const values = codes.map(([, v]) => v);
  t.equal(new Set(values).size, values.length);
  for (const v of values) t.ok(Number.isInteger(v) && v > 0 && v < 64, `code ${v} fits the drivers' per-code arrays`);
});

t.test('epoll: one entry per OpCode, each runnable', async (t) => {
  t.same(
    Object.keys(EPOLL_OPS)
      .map(Number)
      .sort((a, b) => a - b),
    codes.map(([, v]) => v).sort((a, b) => a - b),
    'no code missing, none extra',
  );
  for (const [name, code] of codes) {
    const e = EPOLL_OPS[code];
    t.ok(Object.values(Run).includes(e.run), `${name}: a known Run kind`);
    if (e.run === Run.READINESS || e.run === Run.FILE_OR_READINESS) {
      t.type(e.syscall, 'function', `${name}: a nonblocking syscall`);
      t.type(e.write, 'boolean', `${name}: waits for readable or writable`);
    }
    if (e.run === Run.NOW) t.type(e.syscall, 'function', `${name}: a syscall`);
    if (e.run === Run.FILE || e.run === Run.FILE_OR_READINESS) t.type(FILE_JOBS[e.job], 'function', `${name}: a file worker job`);
    if (e.run === Run.FILE_OR_READINESS) t.type(e.pollable, 'function', `${name}: decides which path`);
  }
});

t.test('uring: one entry per OpCode, each a known io_uring opcode with an SQE filler', async (t) => {
  t.same(
    Object.keys(URING_OPS)
      .map(Number)
      .sort((a, b) => a - b),
    codes.map(([, v]) => v).sort((a, b) => a - b),
    'no code missing, none extra',
  );
  for (const [name, code] of codes) {
    const e = URING_OPS[code];
    if (e.opcode === null) {
      // io_uring has no such opcode (chmod): the op always runs its libc call.
      t.type(e.fallback, 'function', `${name}: no io_uring opcode, so a libc fallback`);
      continue;
    }
    t.ok(IORING_OP_NAME[e.opcode], `${name}: ${IORING_OP_NAME[e.opcode]}`);
    t.type(e.prep, 'function', `${name}: fills its SQE`);
  }
});

t.test('core: every OpCode names the syscall its errors carry', async (t) => {
  for (const [name, code] of codes) t.type(SYSCALL[code], 'string', name);
});

/**
 * `node:fs` open flags ('r', 'w+', 'ax', numbers) → O_* bits. O_CLOEXEC is always added, as
 * libuv does, so a child process never inherits a rentio fd.
 * @module
 */
import { constants as C } from 'node:fs';
import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from './errors.js';

export const O_CLOEXEC = 0o2000000;

const TABLE: Record<string, number> = {
  r: C.O_RDONLY,
  rs: C.O_RDONLY | C.O_SYNC,
  sr: C.O_RDONLY | C.O_SYNC,
  'r+': C.O_RDWR,
  'rs+': C.O_RDWR | C.O_SYNC,
  'sr+': C.O_RDWR | C.O_SYNC,
  w: C.O_TRUNC | C.O_CREAT | C.O_WRONLY,
  wx: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  xw: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  'w+': C.O_TRUNC | C.O_CREAT | C.O_RDWR,
  'wx+': C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'xw+': C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  a: C.O_APPEND | C.O_CREAT | C.O_WRONLY,
  ax: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  xa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  as: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
  sa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
  'a+': C.O_APPEND | C.O_CREAT | C.O_RDWR,
  'ax+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'xa+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'as+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
  'sa+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
};

/** Parse open flags as `node:fs` does. */
export function parseOpenFlags(flags: unknown): number {
  if (flags === undefined || flags === null) return C.O_RDONLY | O_CLOEXEC;
  if (typeof flags === 'number') {
    if (!Number.isInteger(flags) || flags < 0 || flags > 0x7fffffff) throw new OutOfRangeError('flags', 'an integer >= 0 and <= 2147483647', flags);
    return flags | O_CLOEXEC;
  }
  if (typeof flags !== 'string') throw new InvalidArgTypeError('flags', 'a string or a number', flags);
  const bits = TABLE[flags];
  if (bits === undefined) throw new InvalidArgValueError('flags', "must be a node:fs flag ('r', 'r+', 'w', 'wx', 'w+', 'a', 'ax', 'a+', ...)", flags);
  return bits | O_CLOEXEC;
}

/** Parse a file mode (number or octal string), default 0o666. */
export function parseMode(mode: unknown): number {
  if (mode === undefined || mode === null) return 0o666;
  if (typeof mode === 'string' && /^[0-7]+$/.test(mode)) mode = parseInt(mode, 8);
  if (typeof mode !== 'number') throw new InvalidArgTypeError('mode', 'a number or an octal string', mode);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new OutOfRangeError('mode', 'an integer >= 0 and <= 0o7777', mode);
  return mode;
}

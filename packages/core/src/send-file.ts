/**
 * `stream.sendFile(file, { position, length })`: a file's bytes into a stream socket without
 * copying them through JS. Each SENDFILE op moves one chunk in the kernel (uring: splice through a
 * pipe; epoll: sendfile(2) on readiness); this loop resumes after every short chunk until
 * `length` bytes went or the file ended.
 * @module
 */
import { MAX_IO } from './buffer.js';
import { HandleClosedError, InvalidArgTypeError } from './errors.js';
import { File } from './file.js';
import { CancelCause, Op, OpCode, type OpSink } from './op.js';
import { checkOffset, checkOptions, checkSignal, checkTimeout } from './validate.js';

/** Options of `StreamSocket.sendFile`. */
export interface SendFileOptions {
  /** File offset of the first byte. Default 0 (the file's own position is neither used nor moved). */
  position?: number | bigint;
  /** Bytes to send. Default: to the end of the file. */
  length?: number | bigint;
  /** Cancel: rejects with `AbortError`; `err.bytesWritten` says how far it got. */
  signal?: AbortSignal;
  /** Deadline of each chunk's op, in milliseconds (see `IoOptions.timeout`). */
  timeout?: number;
}

/** What sendFile needs of the stream: start one op on it. */
export type StartOp = (op: Op, signal: AbortSignal | null) => Promise<number>;

/** Checked arguments, then the loop. @internal */
export function sendFile(start: StartOp, file: unknown, options: SendFileOptions | undefined): Promise<number> {
  if (!(file instanceof File)) throw new InvalidArgTypeError('file', 'a File (from open())', file);
  const opts = checkOptions<SendFileOptions>(options);
  const position = opts.position === undefined ? 0 : checkOffset('position', opts.position);
  const length = opts.length === undefined ? Infinity : checkOffset('length', opts.length);
  const signal = checkSignal(opts.signal);
  const timeoutNs = checkTimeout(opts.timeout);
  if (file.closed) throw new HandleClosedError('file');
  return run(start, file, position, length, signal, timeoutNs);
}

async function run(start: StartOp, file: File, position: number, length: number, signal: AbortSignal | null, timeoutNs: number): Promise<number> {
  const guard = new FileGuard(file);
  let sent = 0;
  try {
    while (sent < length) {
      const op = new Op(OpCode.SENDFILE);
      op.fdIn = file.fd;
      op.pos = position + sent;
      op.len = Math.min(length - sent, MAX_IO);
      op.timeoutNs = timeoutNs;
      guard.current = op;
      const n = await start(op, signal);
      if (n === 0) break;
      sent += n;
    }
    return sent;
  } catch (err) {
    const e = guard.fileClosed ? new HandleClosedError('file', true) : (err as Error);
    throw Object.assign(e, { bytesWritten: sent });
  } finally {
    guard.done();
  }
}

/**
 * Holds the file open for the transfer: linked into the file's op list as if it were one of its
 * ops, so `file.close()` cancels the chunk in flight and waits for it before the fd is closed.
 * INVARIANT: the file's fd number cannot be reused by another open while a SENDFILE reads it.
 */
class FileGuard implements OpSink {
  readonly #op = new Op(OpCode.SENDFILE);
  current: Op | null = null;
  fileClosed = false;

  constructor(file: File) {
    this.#op.sink = this;
    file._link(this.#op);
  }

  _cancel(): void {
    this.fileClosed = true;
    this.current?.cancel(CancelCause.HANDLE_CLOSED);
  }

  _opDone(): void {}

  done(): void {
    this.#op.complete(0);
  }
}

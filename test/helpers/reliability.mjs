// Helpers of the reliability suite: peers that misbehave (node:net), buffers with canary bytes,
// settle-exactly-once tracking, synchronous-throw capture and child processes with limits.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { alloc, createRuntime } from '@rentio/core';
import { DRIVERS, unavailable } from './drivers.mjs';
import { fdCount } from './util.mjs';

/**
 * eachDriver, with a known bug marked per driver: `todo: { uring: 'why' }` runs the case on every
 * driver, and hands `fn` a fourth argument, `known`: `{ todo: 'why' }` on the driver with the bug,
 * `{}` elsewhere. Pass it as the extra argument of the assertions the bug breaks
 * (`t.equal(a, b, msg, known)`): there a failure is reported as TODO instead of failing, and the
 * other driver must pass the same assertions. (A TAP todo subtest would not run at all.)
 */
export async function eachDriverTodo(t, name, fn, { todo = {}, driverOptions } = {}) {
  for (const driver of DRIVERS) {
    const why = await unavailable(driver);
    if (why) {
      t.test(`${name} [${driver}]`, { skip: `driver ${driver} unavailable: ${why}` }, () => {});
      continue;
    }
    const known = todo[driver] ? { todo: todo[driver] } : {};
    await t.test(`${name} [${driver}]`, async (t) => {
      const rt = await createRuntime({ driver, driverOptions });
      t.teardown(() => rt.close());
      await fn(t, rt, driver, known);
    });
  }
}

/** Resolve after `ms` (wall clock, for letting the kernel move: never an assertion). */
export const delay = (ms) => new Promise((r) => setTimeout(r, ms));
/** Resolve after the current event-loop turn (an op queued now has reached its driver). */
export const turn = () => new Promise((r) => setImmediate(r));

/**
 * A node:net server on 127.0.0.1 whose accepted sockets are handed to `onSocket`. Closed (and
 * its sockets destroyed) at teardown.
 */
export async function nodeServer(t, onSocket) {
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    onSocket(sock);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, port: server.address().port, sockets };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Call `fn`; return what it threw synchronously (null if it did not throw). A promise it returned
 * is silenced, so a rejection that should have been a throw does not leak.
 */
export function syncThrow(fn) {
  try {
    const r = fn();
    if (r && typeof r.then === 'function')
      r.then(
        () => {},
        () => {},
      );
    return null;
  } catch (err) {
    return err;
  }
}

/**
 * An op's outcome without throwing: `{ value, buf }` or `{ error, buf }` (`buf`: the buffer handed
 * back either way). A promise settles once by construction; a driver completing an op twice is
 * caught by core, which reports it as a RentioWarning (see warnings()).
 */
export function settled(p) {
  return p.then(
    (value) => ({ value, buf: value?.[1] }),
    (error) => ({ error, buf: error?.buf }),
  );
}

/**
 * Collect RentioWarnings emitted while the test runs (a second completion of an op is reported
 * that way); returns the live array.
 */
export function warnings(t) {
  const seen = [];
  const on = (w) => {
    if (w.name === 'RentioWarning') seen.push(w.message);
  };
  process.on('warning', on);
  t.teardown(() => process.off('warning', on));
  return seen;
}

export const CANARY = 0xa5;

/**
 * A buffer of `pad + size + pad` bytes: canaries around a `size`-byte window at `pad`, the window
 * filled with `fill`. Pass `{ offset: pad, length: size }` to the op.
 */
export function canaryBuffer(size, pad = 16, fill = 0) {
  const buf = alloc(pad + size + pad);
  buf.fill(CANARY);
  buf.fill(fill, pad, pad + size);
  return buf;
}

/** Bytes outside the window `[pad, pad + size)` that are no longer canaries. */
export function canariesBroken(buf, size, pad = 16) {
  let broken = 0;
  for (let i = 0; i < pad; i++) {
    if (buf[i] !== CANARY) broken++;
    if (buf[pad + size + i] !== CANARY) broken++;
  }
  return broken;
}

/**
 * Run `node <args>` under `bash -c 'ulimit -n <nofile>; exec node ...'` (or plain when no limit)
 * and resolve `{ code, signal, stdout, stderr, ms, timedOut }`. `onSpawn(child)` gets the child
 * process; `onLine(line, child)` each line it prints. `bare: true` runs the child without the
 * test runner's NODE_OPTIONS: tap's process-info loader holds native memory as the child works,
 * which a child measuring its own memory must not count. (tap wraps spawn() and puts its loader
 * back into any environment it is given, so the shell drops it just before exec.)
 */
export function runChild(args, { nofile, env = {}, timeout = 60000, onLine, onSpawn, bare = false } = {}) {
  const t0 = Date.now();
  const prelude = [bare && 'unset NODE_OPTIONS', nofile && `ulimit -n ${nofile}`].filter(Boolean);
  const cmd = prelude.length ? ['bash', ['-c', `${prelude.join(' && ')} && exec "$0" "$@"`, process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd[1], { env: { ...process.env, ...env }, cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let rest = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!onLine) return;
      const lines = (rest + d).split('\n');
      rest = lines.pop();
      for (const line of lines) onLine(line, child);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0, timedOut });
    });
  });
}

/**
 * The soft fd limit to give a child that needs `need` fds: `{ nofile, hard, why }`. `nofile` is
 * `need` raised to at least `floor`, capped by the hard limit (raising that needs root); `why` is
 * null when `need` fits, else the reason to skip.
 */
export function fdLimit(need, floor = 8192) {
  const text = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  const hard = text === 'unlimited' ? Infinity : Number(text);
  const nofile = Math.min(Math.max(need, floor), hard);
  return { nofile, hard: text, why: nofile < need ? `the hard fd limit (${text}) is below the ${need} fds needed` : null };
}

/**
 * Resources of this process now: `{ rss, heap, heapTotal, external, arrayBuffers, fds }` (bytes, open fds). With
 * `--expose-gc`, garbage is collected first (twice: a second pass frees what the first one's
 * finalizers released), so a sample counts what is still reachable.
 */
export function resources() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, fds: fdCount() };
}

/**
 * Settlement counters for ops whose promises the caller drops: `watch(p, onValue)` attaches the
 * handlers at once and keeps no reference to `p`; `resolved` / `rejected` count what settled,
 * `errors` keeps the first few rejection codes. Only the promise's own reactions hold `onValue`.
 */
export function settleCounter() {
  const c = {
    started: 0,
    resolved: 0,
    rejected: 0,
    errors: [],
    get settled() {
      return c.resolved + c.rejected;
    },
    watch(p, onValue, onError) {
      c.started++;
      p.then(
        (v) => {
          c.resolved++;
          onValue?.(v);
        },
        (e) => {
          c.rejected++;
          if (c.errors.length < 5) c.errors.push(e?.code ?? String(e));
          onError?.(e);
        },
      );
    },
  };
  return c;
}

/** Run `task(i)` for i in [0, n) with at most `limit` running at once; resolves their results in order. */
export async function pooled(n, limit, task) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

/** A counting semaphore: `await acquire()` takes one of `n` slots, `release()` gives it back. */
export function semaphore(n) {
  let free = n;
  const waiting = [];
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/** The JSON lines a child printed, parsed. */
export function jsonLines(stdout) {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/**
 * Write to `stream` until a write stays pending (the socket's send buffer and the peer's receive
 * buffer are full). Returns `{ pending, buf }`: the pending write's settled() promise and the
 * buffer it was given (already detached). Each attempt lets the kernel settle for `quietMs`.
 */
export async function pendingWrite(stream, chunk = 1 << 20, quietMs = 20) {
  for (let i = 0; i < 256; i++) {
    let done = false;
    const p = settled(stream.write(alloc(chunk))).finally(() => (done = true));
    await delay(quietMs);
    if (!done) return { pending: p };
    const r = await p;
    if (r.error) throw r.error;
  }
  throw new Error('the send buffer never filled');
}

/**
 * A child driven line by line: `send(line)` writes to its stdin, `next(event)` resolves the next
 * JSON line whose `event` matches (rejects after `ms`), `exit` resolves like runChild.
 */
export function childSession(args, opts = {}) {
  const seen = [];
  const waiters = [];
  let child;
  const deliver = () => {
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i];
      const k = seen.findIndex((o) => o.event === w.event);
      if (k >= 0) {
        waiters.splice(i--, 1);
        clearTimeout(w.timer);
        w.resolve(seen.splice(k, 1)[0]);
      }
    }
  };
  const exit = runChild(args, {
    ...opts,
    onSpawn(c) {
      child = c;
    },
    onLine(line) {
      if (line.startsWith('{')) seen.push(JSON.parse(line));
      deliver();
    },
  });
  return {
    exit,
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    next(event, ms = 15000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${event}' line from the child within ${ms} ms`)), ms);
        waiters.push({ event, resolve, timer });
        deliver();
      });
    },
  };
}

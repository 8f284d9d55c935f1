// Shared test utilities: temp files, connected stream pairs, byte helpers, child processes.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { alloc } from '@rentio/core';

/** A temp directory removed at teardown. */
export function tmpDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'rentio-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** [client, server, listener] connected over loopback on `rt`. */
export async function streamPair(rt, host = '127.0.0.1') {
  const l = await rt.listen({ port: 0, host });
  const [c, s] = await Promise.all([rt.connect({ host, port: l.address().port }), l.accept()]);
  return [c, s, l];
}

/** Read until EOF; returns all bytes. */
export async function readToEnd(stream, chunk = 65536) {
  const parts = [];
  let buf = alloc(chunk);
  for (;;) {
    const [n, b] = await stream.read(buf);
    buf = b;
    if (n === 0) break;
    parts.push(Buffer.from(b.subarray(0, n)));
  }
  return Buffer.concat(parts);
}

/** Echo what `stream` reads back to it until EOF, renting one buffer of `size` bytes. */
export async function echoUntilEof(stream, size = 16384) {
  let buf = alloc(size);
  for (;;) {
    const [n, b] = await stream.read(buf);
    if (n === 0) return;
    buf = await stream.writeAll(b, { length: n });
  }
}

/** Read exactly `n` bytes (or fewer at EOF). */
export async function readExactly(stream, n) {
  const out = Buffer.alloc(n);
  let have = 0;
  let buf = alloc(Math.min(n, 65536) || 1);
  while (have < n) {
    const [k, b] = await stream.read(buf, { length: Math.min(buf.byteLength, n - have) });
    buf = b;
    if (k === 0) break;
    out.set(b.subarray(0, k), have);
    have += k;
  }
  return out.subarray(0, have);
}

export const sha256 = (b) => createHash('sha256').update(b).digest('hex');
export const random = (n) => new Uint8Array(randomBytes(n));
/** Address of a buffer's memory (to prove a buffer handed back is the same memory). */
export const addressOf = (u8) => koffi.address(u8);

/** Open fds of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

/** The environment for a child node: ours without tap's instrumentation (NODE_OPTIONS). */
export function childEnv(env = {}) {
  const out = { ...process.env, ...env };
  if (!('NODE_OPTIONS' in env)) delete out.NODE_OPTIONS;
  return out;
}

/** Run `node -e code` (ESM) with env; resolves { code, signal, stdout, stderr, ms }. */
export function runNode(code, { env = {}, timeout = 20000, args = [] } = {}) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args, '--input-type=module', '-e', code],
      { env: childEnv(env), timeout, cwd: process.cwd() },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (err.code ?? null) : 0,
          signal: err?.signal ?? null,
          killed: err?.killed ?? false,
          stdout,
          stderr,
          ms: Date.now() - t0,
        });
      },
    );
  });
}

/**
 * A large static file over HTTP (issue 13): one GET with `Connection: close` per run, read to EOF
 * by a C client (c/http-get.c; a JS client would measure itself). rentio's `sendFile` on a raw
 * responder (uring: IORING_OP_SPLICE through a pipe; epoll: sendfile(2)) against
 * `pipeline(fs.createReadStream(file), res)` in a plain node:http server, and that server over
 * @rentio/compat with compat's createReadStream. MiB/s from connect to EOF and the server's CPU
 * per GiB. The file is made once per bench run in the bench's temp dir, read once so it sits in
 * the page cache, and removed at the end.
 * @module
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync, statfsSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import path from 'node:path';
import { Child, runJson } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';
import { TMP } from '../lib/env.mjs';

/** Free space to leave beside the file, so the bench never fills the disk. */
const DISK_MARGIN = 1 << 30;

/** The file's path and size, and why it cannot be made (null: it can). Decided once per run. */
function plan(ctx) {
  if (ctx.staticFile) return ctx.staticFile;
  const size = ctx.cfg.staticFileSize;
  const file = path.join(TMP, `static-${size / 2 ** 20}m.bin`);
  let skip = null;
  const have = existsSync(file) ? statSync(file).size : 0;
  if (have !== size) {
    try {
      const fs = statfsSync(TMP);
      const free = fs.bavail * fs.bsize;
      if (free < size - have + DISK_MARGIN)
        skip = `not enough free disk for the ${size / 2 ** 20} MiB file: ${(free / 2 ** 30).toFixed(1)} GiB free in bench/results/tmp, need ${((size - have + DISK_MARGIN) / 2 ** 30).toFixed(1)} GiB`;
    } catch (err) {
      skip = `cannot check free disk space: ${err.message}`;
    }
  }
  ctx.staticFile = { file, size, skip };
  return ctx.staticFile;
}

/** Write the file (random bytes) unless it is there, then read it all so it sits in the page cache. */
function makeFile({ file, size }) {
  if (!existsSync(file) || statSync(file).size !== size) {
    const fd = openSync(file, 'w');
    try {
      const chunk = Buffer.allocUnsafe(4 << 20);
      for (let off = 0; off < size; off += chunk.length) {
        randomFillSync(chunk);
        writeSync(fd, chunk, 0, Math.min(chunk.length, size - off));
      }
    } finally {
      closeSync(fd);
    }
  }
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

function server(ctx, impl, driver, opts = {}) {
  const c = command(ctx, 'node', 'static-server.mjs', ['--impl', impl, ...(driver ? ['--driver', driver] : []), '--file', ctx.staticFile.file], opts);
  return new Child(c.cmd, c.args, { env: CHILD_ENV });
}

export const staticFile = {
  id: 'static-file',
  title: 'A large static file over HTTP (C client)',
  unit: 'MiB/s',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `one GET / with Connection: close per run from a C client (c/http-get.c, reads to EOF into a 1 MiB buffer, checks status and Content-Length); the response body is a ${ctx.cfg.staticFileSize / 2 ** 20} MiB page-cached file; MiB/s from connect to EOF; server CPU per GiB served; a fresh server per run`,
  cases: (ctx) => [{ id: `f${ctx.cfg.staticFileSize >> 20}m`, label: `${ctx.cfg.staticFileSize >> 20} MiB file` }],
  setup: (ctx) => {
    const p = plan(ctx);
    if (p.skip) return;
    try {
      makeFile(p);
    } catch (err) {
      rmSync(p.file, { force: true });
      p.skip = `could not make the file: ${err.message}`;
    }
  },
  teardown: (ctx) => {
    if (ctx.staticFile) rmSync(ctx.staticFile.file, { force: true });
  },
  contenders: (ctx) => {
    const clientSkip = skipReason(ctx, 'c:http-get');
    const mk = (id, label, family, skipId, impl, driver) => ({
      id,
      label,
      family,
      skip: plan(ctx).skip ?? (skipId && skipReason(ctx, skipId)) ?? clientSkip,
      rentio: !!driver,
      run: async (kase, opts = {}) => {
        const { size } = ctx.staticFile;
        const srv = server(ctx, impl, driver, opts);
        try {
          const { port } = await srv.waitFor((m) => m.ready, 20000);
          const cpu0 = srv.cpuTimes();
          const r = await runJson(ctx.built['http-get'], ['--host', '127.0.0.1', '--port', String(port)], {
            timeoutMs: 30000 + (size / 2 ** 20 / 10) * 1000,
          });
          const cpu1 = srv.cpuTimes();
          if (r.status !== 200) throw srv.failure(`HTTP status ${r.status}`);
          if (r.body_bytes !== size || r.content_length !== size)
            throw srv.failure(`body ${r.body_bytes} bytes, Content-Length ${r.content_length}, file ${size}`);
          const user = cpu1.user - cpu0.user;
          const sys = cpu1.sys - cpu0.sys;
          return {
            value: r.bytes / 2 ** 20 / (r.ms / 1000),
            extra: { cpu_s_per_gib: (user + sys) / (size / 2 ** 30), sys_share: sys / (user + sys) },
          };
        } finally {
          await srv.stop();
        }
      },
    });
    return [
      mk('node', 'node:http + createReadStream', 'node', null, 'plain', null),
      mk('compat-uring', 'node:http over compat uring', 'rentio-uring', 'compat-uring', 'compat', 'uring'),
      mk('compat-epoll', 'node:http over compat epoll', 'rentio-epoll', 'compat-epoll', 'compat', 'epoll'),
      mk('raw-uring', 'rentio sendFile, uring', 'rentio-uring', 'rentio-uring', 'raw', 'uring'),
      mk('raw-epoll', 'rentio sendFile, epoll', 'rentio-epoll', 'rentio-epoll', 'raw', 'epoll'),
    ];
  },
};

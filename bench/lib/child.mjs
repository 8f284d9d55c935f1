/**
 * Child processes: every contender runs in its own process so one crash (or hang) costs one
 * row, not the run. Children speak one JSON object per stdout line; the runner may write
 * commands to their stdin and ends servers by closing it (then SIGTERM, then SIGKILL).
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TAIL = 2000;

/** Every child process still running, so an interrupted run can end them (and only them). */
export const live = new Set();

function track(p) {
  live.add(p);
  p.on('exit', () => live.delete(p));
  p.on('error', () => live.delete(p));
  return p;
}

/** SIGKILL every child this process started and that is still running. */
export function killAll() {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** A spawned child with line-oriented JSON output. */
export class Child {
  /**
   * @param {string} cmd
   * @param {string[]} args
   * @param {{ env?: object, cwd?: string, nofile?: number, timeoutMs?: number }} [opts]
   */
  constructor(cmd, args, opts = {}) {
    const env = { ...process.env, ...opts.env };
    // Raising the fd limit needs the shell's ulimit (Node cannot setrlimit); exec keeps the pid.
    const [file, argv] = opts.nofile
      ? ['/bin/sh', ['-c', `ulimit -n ${opts.nofile} 2>/dev/null || ulimit -n hard; exec "$0" "$@"`, cmd, ...args]]
      : [cmd, args];
    this.label = [cmd.split('/').pop(), ...args.slice(0, 3)].join(' ');
    this.proc = track(spawn(file, argv, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
    this.pid = this.proc.pid;
    this.messages = [];
    this.stderr = '';
    this.stdoutText = '';
    this.exitCode = undefined;
    this.signal = undefined;
    this.#waiters = [];
    let pending = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      pending += chunk;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        this.#line(line);
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-TAIL);
    });
    this.proc.stdin.on('error', () => {}); // EPIPE when the child already exited
    this.exited = new Promise((resolve) => {
      this.proc.on('error', (err) => {
        this.stderr += `\nspawn failed: ${err.message}`;
        this.exitCode = -1;
        this.#wake();
        resolve(-1);
      });
      this.proc.on('exit', (code, signal) => {
        if (pending) this.#line(pending);
        this.exitCode = code ?? -1;
        this.signal = signal;
        this.#wake();
        resolve(this.exitCode);
      });
    });
    if (opts.timeoutMs) {
      this.#timer = setTimeout(() => {
        this.timedOut = true;
        this.kill();
      }, opts.timeoutMs);
      void this.exited.then(() => clearTimeout(this.#timer)); // `exited` only resolves
    }
  }

  #waiters;
  #timer;

  #line(line) {
    this.stdoutText = (this.stdoutText + line + '\n').slice(-TAIL);
    const t = line.trim();
    if (!t.startsWith('{')) return;
    try {
      this.messages.push(JSON.parse(t));
    } catch {
      return;
    }
    this.#wake();
  }

  #wake() {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /**
   * Resolve the first message (from index `from`) that `pred` accepts; reject when the child
   * exits first, reports `{error}`, or `timeoutMs` passes.
   */
  waitFor(pred, timeoutMs = 10000, from = 0) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done = true;
        reject(this.failure(`no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      let done = false;
      const check = () => {
        if (done) return;
        for (let i = from; i < this.messages.length; i++) {
          const m = this.messages[i];
          if (m.error) {
            done = true;
            clearTimeout(timer);
            return reject(this.failure(m.error));
          }
          if (pred(m)) {
            done = true;
            clearTimeout(timer);
            return resolve(m);
          }
        }
        if (this.exitCode !== undefined) {
          done = true;
          clearTimeout(timer);
          return reject(this.failure(`exited (${this.signal ?? this.exitCode})`));
        }
        this.#waiters.push(check);
      };
      check();
    });
  }

  /** Send a command line and wait for the reply that `pred` accepts. */
  ask(line, pred, timeoutMs = 10000) {
    const from = this.messages.length;
    this.proc.stdin.write(line + '\n');
    return this.waitFor(pred, timeoutMs, from);
  }

  /** An Error naming the child, with the last line of its stderr. */
  failure(why) {
    const lines = this.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    // The error line says more than the stack under it.
    const last = lines.find((l) => /^(\w*Error|error)\b|Error \[|Error:/.test(l)) ?? lines.at(-1) ?? '';
    const head = `${why}${this.timedOut ? ' (timed out)' : ''}`;
    const err = new Error(last && last.includes(why) ? last : last ? `${head}: ${last}` : head);
    err.stderr = this.stderr;
    return err;
  }

  /** { user, sys } CPU seconds so far, from /proc (works for any runtime, C included). */
  cpuTimes() {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields 14 and 15 of stat(5): utime, stime in clock ticks (USER_HZ = 100 on Linux)
      return { user: Number(f[11]) / 100, sys: Number(f[12]) / 100 };
    } catch {
      return { user: NaN, sys: NaN };
    }
  }

  /** user+system CPU seconds so far. */
  cpuSeconds() {
    const t = this.cpuTimes();
    return t.user + t.sys;
  }

  /** Resident set size in bytes, from /proc/<pid>/status (VmRSS). */
  rssBytes() {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  /** Send a signal (default SIGTERM) unless it already exited. */
  kill(signal = 'SIGTERM') {
    if (this.exitCode === undefined) {
      try {
        this.proc.kill(signal);
      } catch {
        /* gone */
      }
    }
  }

  /** End it: close stdin, then SIGTERM after `graceMs`, then SIGKILL. Resolves the exit code. */
  async stop(graceMs = 1500) {
    if (this.exitCode !== undefined) return this.exitCode;
    this.proc.stdin.end();
    const t1 = setTimeout(() => this.kill('SIGTERM'), graceMs);
    const t2 = setTimeout(() => this.kill('SIGKILL'), graceMs * 2);
    const code = await this.exited;
    clearTimeout(t1);
    clearTimeout(t2);
    return code;
  }
}

/**
 * Run a child to completion and resolve its last JSON message. Rejects (with stderr's tail) on a
 * non-zero exit, a timeout, an `{error}` message or no message.
 */
export async function runJson(cmd, args, opts = {}) {
  const c = new Child(cmd, args, { timeoutMs: 60000, ...opts });
  c.proc.stdin.end();
  const code = await c.exited;
  const errMsg = c.messages.find((m) => m.error);
  if (errMsg) throw c.failure(errMsg.error);
  if (code !== 0) throw c.failure(`exited (${c.signal ?? code})`);
  const last = c.messages.at(-1);
  if (!last) throw c.failure('printed no result');
  return last;
}

/** Run a command to completion and resolve { code, stdout, stderr } (for fio, wrk, strace). */
export function runText(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const p = track(spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    p.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + err.message });
    });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
}

/**
 * Which of Node's net/http tests are out of compat's scope, and why: the rules the runner applies
 * to a test scope.json does not list (a newer Node's new tests), and that `run.mjs --write-scope`
 * records in scope.json. A test is judged by what its source reaches for.
 * @module
 */

/** `[reason, test]` pairs, first match wins. The reason names the category, then what it means. */
export const RULES = [
  [
    'internals: reaches Node internals (--expose-internals, internalBinding)',
    (s) => /--expose-internals|internalBinding\(|require\('internal\//.test(s),
  ],
  ['_handle: inspects or drives the libuv handle (_handle, tcp_wrap)', (s) => /\._handle\b|tcp_wrap|TCPWRAP/.test(s)],
  ['pipes: Unix domain socket / named pipe (common.PIPE, path)', (s) => /common\.PIPE|tmpdir\.resolve\([^)]*\.sock/.test(s)],
  ['cluster: node:cluster workers share a listen handle', (s) => /require\('cluster'\)|require\('node:cluster'\)/.test(s)],
  ['IPC: sends sockets or servers to a child over an IPC channel', (s) => /\bfork\(|process\.send\(|'ipc'/.test(s)],
  ['fd: wraps or listens on a raw file descriptor', (s) => /\{\s*fd\s*:|\bfd:\s*\w/.test(s)],
  ['Windows: runs only on Windows', (s) => /if\s*\(\s*!common\.isWindows\s*\)[\s\S]{0,60}skip/.test(s)],
  [
    'internals: async_hooks resource types of libuv handles',
    (s) => /require\('async_hooks'\)[\s\S]*(TCPWRAP|TCPSERVERWRAP|HTTPINCOMINGMESSAGE|triggerAsyncId)/.test(s),
  ],
];

/** The reason `source` is out of scope, or null when it is in scope. */
export function outOfScopeReason(source) {
  for (const [reason, test] of RULES) if (test(source)) return reason;
  return null;
}

/**
 * Which of Node's tests make compat's conformance suite: `test/parallel/test-net-*` and
 * `test-http-*` (http2 is another protocol: `test-http2-*` does not match). Shared by the runner
 * and the vendoring script, so the copy holds exactly what the runner selects.
 * @module
 */
export const SELECT = /^test-(net|http)-.*\.(js|mjs|cjs)$/;

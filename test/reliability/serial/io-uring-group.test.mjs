// kernel.io_uring_disabled=1 (issue 15): io_uring only for CAP_SYS_ADMIN and the group in
// kernel.io_uring_group. An unprivileged child (uid/gid 65534 through setpriv) outside the group
// gets the sysctl's reason; inside it gets uring; inside it but under a seccomp filter gets the
// filter's reason — the sysctl let it in. The sysctls are system-wide, so this file is serial and
// they hold only from the child's 'go' to its answer (the child loads everything first), then are
// restored in a finally. Root only.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DISABLED = '/proc/sys/kernel/io_uring_disabled';
const GROUP = '/proc/sys/kernel/io_uring_group';
const NOBODY = 65534;
const child = fileURLToPath(new URL('../fixtures/auto-on-go.mjs', import.meta.url));
// The launcher installs the filter and execs node under it, as a container starts its process.
const seccomp = fileURLToPath(new URL('../fixtures/seccomp-exec.mjs', import.meta.url));
const read = (p) => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
};
const original = { disabled: read(DISABLED), group: read(GROUP) };
const skip =
  process.getuid?.() !== 0
    ? 'needs root to set kernel.io_uring_disabled'
    : original.disabled === null || original.group === null
      ? 'this kernel has no kernel.io_uring_disabled / io_uring_group'
      : original.disabled !== '0'
        ? `kernel.io_uring_disabled is ${original.disabled} already`
        : !existsSync('/usr/bin/setpriv')
          ? 'needs setpriv (util-linux) to run a child unprivileged'
          : !['x64', 'arm64'].includes(process.arch)
            ? `no seccomp syscall table for ${process.arch}`
            : (unreachableBy65534() ?? false);

/** A checkout under a directory others cannot enter (mktemp -d makes 0700 ones) cannot be loaded as uid 65534. */
function unreachableBy65534() {
  for (let dir = fileURLToPath(new URL('../../..', import.meta.url)); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0)
      return `uid ${NOBODY} cannot enter ${dir} (mode ${(statSync(dir).mode & 0o777).toString(8)}), so the unprivileged child cannot load the checkout`;
    if (dir === dirname(dir)) return null;
  }
}

/** Run the child as uid/gid 65534 (`groups`: supplementary), set the sysctls only around its 'go'. */
async function autoUnder({ group, groups = [], preload = [] }) {
  const proc = spawn(
    '/usr/bin/setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      groups.length ? `--groups=${groups.join(',')}` : '--clear-groups',
      process.execPath,
      ...preload,
      child,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RENTIO_DRIVER: '' } },
  );
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`child did not start: ${first.value} ${stderr}`);
  let answer;
  try {
    writeFileSync(GROUP, String(group));
    writeFileSync(DISABLED, '1');
    proc.stdin.write('go\n');
    answer = await lines.next();
  } finally {
    writeFileSync(DISABLED, original.disabled);
    writeFileSync(GROUP, original.group);
  }
  proc.stdin.end();
  await new Promise((resolve) => proc.once('exit', resolve));
  if (answer.done) throw new Error(`child gave no answer: ${stderr}`);
  return JSON.parse(answer.value);
}

t.test('kernel.io_uring_disabled=1: the group decides, and a filter is named once the sysctl lets the process in', { skip }, async (t) => {
  let r = await autoUnder({ group: -1 });
  t.equal(r.uid, NOBODY, 'the child is unprivileged');
  t.equal(r.name, 'epoll', 'no group allowed: epoll');
  t.match(
    r.reason,
    /^io_uring_setup: EPERM \(kernel\.io_uring_disabled=1\): io_uring is allowed only to CAP_SYS_ADMIN \(kernel\.io_uring_group=-1: no group\), and this process has neither$/,
    r.reason,
  );

  r = await autoUnder({ group: 4242 });
  t.equal(r.name, 'epoll', 'another group allowed: epoll');
  t.match(r.reason, /allowed only to CAP_SYS_ADMIN and group 4242 \(kernel\.io_uring_group\), and this process has neither$/, r.reason);

  r = await autoUnder({ group: 4242, groups: [4242] });
  t.same([r.name, r.reason], ['uring', null], 'in the group (supplementary): uring, as the diagnosis assumes');

  r = await autoUnder({ group: 4242, groups: [4242], preload: [seccomp] });
  t.equal(r.name, 'epoll', 'in the group but under a seccomp filter: epoll');
  t.match(
    r.reason,
    /^io_uring_setup: EPERM \(kernel\.io_uring_disabled=1 lets this process in\): blocked by a seccomp filter \(Seccomp: 2, \d+ filters?\)/,
    r.reason,
  );
  t.equal(read(DISABLED), original.disabled, 'kernel.io_uring_disabled restored');
  t.equal(read(GROUP), original.group, 'kernel.io_uring_group restored');
});

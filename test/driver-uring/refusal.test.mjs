// Who refused io_uring_setup: every branch of the diagnosis, from the facts it reads (sysctl,
// io_uring_group, groups, CAP_SYS_ADMIN, seccomp). The real refusal by a seccomp filter is in
// test/reliability/seccomp.test.mjs; the real kernel.io_uring_disabled=2 in reliability/serial/.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { diagnoseSetupRefusal, seccompStatus } from '@rentio/driver-uring';

const base = { ioUringDisabled: 0, ioUringGroup: -1, groups: [1000], capSysAdmin: false, seccomp: { mode: 0, filters: 0 } };
const facts = (over) => ({ ...base, ...over });

t.test('sysctl 2: disabled for everyone, whatever seccomp says', async (t) => {
  for (const seccomp of [
    { mode: 0, filters: 0 },
    { mode: 2, filters: 3 },
  ]) {
    const r = diagnoseSetupRefusal('EPERM', facts({ ioUringDisabled: 2, capSysAdmin: true, seccomp }));
    t.equal(r.cause, 'sysctl-disabled');
    t.match(r.reason, /^io_uring_setup: EPERM \(kernel\.io_uring_disabled=2\): io_uring is disabled for every process/);
  }
});

t.test('sysctl 1: only CAP_SYS_ADMIN and kernel.io_uring_group', async (t) => {
  let r = diagnoseSetupRefusal('EPERM', facts({ ioUringDisabled: 1, ioUringGroup: -1 }));
  t.equal(r.cause, 'sysctl-group');
  t.match(
    r.reason,
    /kernel\.io_uring_disabled=1\): io_uring is allowed only to CAP_SYS_ADMIN \(kernel\.io_uring_group=-1: no group\), and this process has neither/,
  );
  r = diagnoseSetupRefusal('EPERM', facts({ ioUringDisabled: 1, ioUringGroup: 42, groups: [1000, 7] }));
  t.equal(r.cause, 'sysctl-group');
  t.match(r.reason, /CAP_SYS_ADMIN and group 42 \(kernel\.io_uring_group\)/);
  // In the group, or CAP_SYS_ADMIN: the sysctl let us in, so someone else refused.
  r = diagnoseSetupRefusal('EPERM', facts({ ioUringDisabled: 1, ioUringGroup: 42, groups: [42], seccomp: { mode: 2, filters: 1 } }));
  t.equal(r.cause, 'seccomp');
  t.match(r.reason, /kernel\.io_uring_disabled=1 lets this process in\): blocked by a seccomp filter \(Seccomp: 2, 1 filter\)/);
  r = diagnoseSetupRefusal('EPERM', facts({ ioUringDisabled: 1, capSysAdmin: true }));
  t.equal(r.cause, 'security-module');
});

t.test('sysctl allows: a seccomp filter (mode 2) or a security module (mode 0)', async (t) => {
  let r = diagnoseSetupRefusal('EPERM', facts({ seccomp: { mode: 2, filters: 2 } }));
  t.equal(r.cause, 'seccomp');
  t.match(
    r.reason,
    /^io_uring_setup: EPERM \(kernel\.io_uring_disabled=0 lets this process in\): blocked by a seccomp filter \(Seccomp: 2, 2 filters\) — e\.g\. Docker's default profile; allow io_uring_setup\/io_uring_enter\/io_uring_register in the profile \(Docker: --security-opt seccomp=<profile\.json>\)/,
  );
  t.notMatch(r.reason, /\n/, 'one line');
  r = diagnoseSetupRefusal('EPERM', facts());
  t.equal(r.cause, 'security-module');
  t.match(r.reason, /refused by a security module \(LSM: SELinux\/AppArmor io_uring permission\) or by the kernel, not by seccomp \(Seccomp: 0\)/);
  r = diagnoseSetupRefusal('EACCES', facts({ ioUringDisabled: null }));
  t.equal(r.errno, 'EACCES');
  t.match(r.reason, /^io_uring_setup: EACCES \(no kernel\.io_uring_disabled sysctl\): refused by a security module/);
  r = diagnoseSetupRefusal('EPERM', facts({ seccomp: { mode: null, filters: null } }));
  t.match(r.reason, /seccomp filter or a security module \(seccomp state unknown/);
  // Before 5.9 there is no Seccomp_filters line.
  r = diagnoseSetupRefusal('EPERM', facts({ ioUringDisabled: null, seccomp: { mode: 2, filters: null } }));
  t.match(r.reason, /blocked by a seccomp filter \(Seccomp: 2\)/);
});

t.test('ENOSYS: kernel without io_uring, or a filter answering ENOSYS', async (t) => {
  let r = diagnoseSetupRefusal('ENOSYS', facts({ ioUringDisabled: null }));
  t.equal(r.cause, 'no-io_uring');
  t.match(r.reason, /^io_uring_setup: ENOSYS \(kernel built without io_uring, CONFIG_IO_URING=n; Seccomp: 0\)/);
  r = diagnoseSetupRefusal('ENOSYS', facts({ seccomp: { mode: 2, filters: 1 } }));
  t.equal(r.cause, 'seccomp', 'the sysctl exists, so the kernel has io_uring: the filter said ENOSYS');
  t.match(r.reason, /ENOSYS from a seccomp filter \(Seccomp: 2, 1 filter\); the kernel has io_uring/);
  r = diagnoseSetupRefusal('ENOSYS', facts({ ioUringDisabled: null, seccomp: { mode: 2, filters: 1 } }));
  t.equal(r.cause, 'seccomp');
  t.match(r.reason, /kernel built without io_uring, or a seccomp filter \(Seccomp: 2, 1 filter\) answers ENOSYS/);
});

t.test('seccompStatus reads this process', async (t) => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const s = seccompStatus();
  t.equal(s.mode, Number(status.match(/^Seccomp:\s*(\d+)/m)[1]));
  t.same(seccompStatus('Name:\tx\nSeccomp:\t2\nSeccomp_filters:\t3\n'), { mode: 2, filters: 3 });
  t.same(seccompStatus('Name:\tx\n'), { mode: null, filters: null });
  t.same(seccompStatus(null), { mode: null, filters: null });
});

// SCMP_ACT_NOTIFY without root: the compiled program and its flags, runc's refusals,
// the ContainerProcessState message, the one-sendmsg handover to an agent on a real
// unix socket, pidfd_getfd on ourselves, the features document and the check rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, RuntimeError } from '../../../src/errors';
import { compileSeccomp, checkNotify, SECCOMP_FILTER_FLAG, MSG_NOTIFY_DEFAULT, MSG_NOTIFY_WRITE, MSG_NOTIFY_NO_LISTENER } from '../../../src/security/seccomp';
import { hasNotify, sendToAgent, toAgentHandover, toContainerProcessState } from '../../../src/security/seccomp-agent';
import { seccompFeatures, type SeccompProbes } from '../../../src/spec/features';
import { semanticFindings } from '../../../src/spec/validate';
import { SPEC_VERSION, type LinuxSeccomp, type Spec } from '../../../src/spec/types';
import { kernelHasUserNotif, pidfdGetFd } from '../../../src/sys/seccomp-notify';
import { seccompApiLevel } from '../../../src/sys/libseccomp';
import { acceptUnix, closeFd, listenUnix, recvFds } from '../../../src/sys/socket';

const SECCOMP_RET_USER_NOTIF = 0x7fc00000;

const notify = (names: string[], extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  listenerPath: '/run/agent.sock',
  syscalls: [{ names, action: 'SCMP_ACT_NOTIFY' }],
  ...extra,
});

/** the k of every BPF "ret" instruction (code 0x06) */
function returns(filter: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 8 <= filter.length; off += 8) {
    if (filter.readUInt16LE(off) === 0x06) out.push(filter.readUInt32LE(off + 4));
  }
  return out;
}

const level = (n: number) => (): number => n;

test('a NOTIFY rule compiles to SECCOMP_RET_USER_NOTIF and asks seccomp(2) for a listener', () => {
  const p = compileSeccomp(notify(['mkdir']), level(6));
  assert.ok(returns(p.filter).includes(SECCOMP_RET_USER_NOTIF));
  assert.equal(p.flags, SECCOMP_FILTER_FLAG.NEW_LISTENER);
  // TSYNC with NEW_LISTENER is EINVAL unless TSYNC_ESRCH comes along.
  const t = compileSeccomp(notify(['mkdir'], { flags: ['SECCOMP_FILTER_FLAG_TSYNC'] }), level(6));
  assert.equal(t.flags, SECCOMP_FILTER_FLAG.TSYNC | SECCOMP_FILTER_FLAG.NEW_LISTENER | SECCOMP_FILTER_FLAG.TSYNC_ESRCH);
  // A listenerPath without NOTIFY rules: no listener, nothing to hand over.
  const none = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x.sock' }, level(0));
  assert.equal(none.flags, 0);
  assert.equal(toAgentHandover({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x.sock' }), undefined);
});

test('runc\'s notify refusals, with its wording and the field', () => {
  const at = (sc: LinuxSeccomp, pointer: string, msg: string, apiLevel = 6): void => {
    assert.throws(
      () => checkNotify(sc, level(apiLevel)),
      (err: unknown) => err instanceof ConfigError && err.pointer === pointer && err.message === msg,
    );
  };
  at({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/x' }, '/linux/seccomp/defaultAction', MSG_NOTIFY_DEFAULT);
  at(notify(['mkdir', 'write']), '/linux/seccomp/syscalls/0/names', MSG_NOTIFY_WRITE);
  at(notify(['mkdir'], { listenerPath: '' }), '/linux/seccomp/listenerPath', MSG_NOTIFY_NO_LISTENER);
  assert.equal(MSG_NOTIFY_DEFAULT, 'SCMP_ACT_NOTIFY cannot be used as default action');
  assert.equal(MSG_NOTIFY_WRITE, 'SCMP_ACT_NOTIFY cannot be used for the write syscall');
  assert.throws(
    () => checkNotify(notify(['mkdir']), level(5)),
    (err: unknown) =>
      err instanceof RuntimeError &&
      err.message === 'seccomp notify unsupported: API level: got 5, want at least 6. Please try with libseccomp >= 2.5.0 and Linux >= 5.7',
  );
  // write with another action, and read/close notified, are fine.
  assert.doesNotThrow(() => checkNotify({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO' }, { names: ['read', 'close'], action: 'SCMP_ACT_NOTIFY' }] }, level(6)));
  assert.equal(hasNotify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO' }] }), false);
});

test('ContainerProcessState: Go field order, metadata only when set, the state inside', () => {
  const state = JSON.stringify({ ociVersion: '1.0.2', id: 'c1', status: 'creating', pid: 42, bundle: '/b' });
  assert.equal(
    toContainerProcessState(42, 'md', state),
    `{"ociVersion":"${SPEC_VERSION}","fds":["seccompFd"],"pid":42,"metadata":"md","state":{"ociVersion":"1.0.2","id":"c1","status":"creating","pid":42,"bundle":"/b"}}`,
  );
  assert.doesNotMatch(toContainerProcessState(42, '', state), /metadata/);
  assert.doesNotMatch(toContainerProcessState(42, undefined, state), /metadata/);
  assert.deepEqual(toAgentHandover(notify(['mkdir'], { listenerMetadata: 'm' })), { listenerPath: '/run/agent.sock', metadata: 'm' });
});

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-scn-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('sendToAgent: one message with the JSON and exactly the fd, then EOF', (t) => {
  const dir = tmpDir(t);
  const sock = path.join(dir, 'agent.sock');
  const lfd = listenUnix(sock);
  const file = path.join(dir, 'marker');
  fs.writeFileSync(file, 'marker-content');
  const fd = fs.openSync(file, 'r');
  try {
    const message = JSON.stringify({ ociVersion: SPEC_VERSION, fds: ['seccompFd'], pid: 1, state: { pad: 'x'.repeat(3000) } });
    sendToAgent(sock, message, fd);
    const conn = acceptUnix(lfd);
    try {
      const first = recvFds(conn, 1 << 16, 4);
      assert.equal(first.fds.length, 1);
      assert.equal(first.data.toString('utf8'), message, 'the whole JSON came with the fd');
      assert.equal(fs.readFileSync(`/proc/self/fd/${first.fds[0]}`, 'utf8'), 'marker-content', 'the fd is the one sent');
      closeFd(first.fds[0]!);
      assert.equal(recvFds(conn, 16, 1).data.length, 0, 'then the runtime closes: no reply is expected');
    } finally {
      closeFd(conn);
    }
  } finally {
    fs.closeSync(fd);
    closeFd(lfd);
  }
});

test('sendToAgent: runc\'s error when nobody listens or the path is no socket', (t) => {
  const dir = tmpDir(t);
  const missing = path.join(dir, 'none.sock');
  assert.throws(() => sendToAgent(missing, '{}', 0), {
    message: `failed to connect with seccomp agent specified in the seccomp profile: dial unix ${missing}: connect: no such file or directory`,
  });
  const plain = path.join(dir, 'plain');
  fs.writeFileSync(plain, '');
  assert.throws(() => sendToAgent(plain, '{}', 0), {
    message: `failed to connect with seccomp agent specified in the seccomp profile: dial unix ${plain}: connect: connection refused`,
  });
});

test('pidfdGetFd copies an fd out of a process (ourselves here)', (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, 'abc');
  const fd = fs.openSync(file, 'r');
  try {
    const copy = pidfdGetFd(process.pid, fd);
    assert.notEqual(copy, fd);
    assert.equal(fs.readlinkSync(`/proc/self/fd/${copy}`), file);
    closeFd(copy);
    assert.throws(() => pidfdGetFd(process.pid, 100000), { code: 'EBADF' });
  } finally {
    fs.closeSync(fd);
  }
});

test('this host: libseccomp API level and kernel support notify (create depends on both)', () => {
  assert.ok(seccompApiLevel() >= 6, `API level ${seccompApiLevel()}`);
  assert.equal(kernelHasUserNotif(), true);
});

test('features: SCMP_ACT_NOTIFY only where it works; no libseccomp, no seccomp', () => {
  const probes = (notifyWorks: boolean): SeccompProbes => ({
    archs: () => ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    supportedFlags: () => ['SECCOMP_FILTER_FLAG_LOG'],
    notify: () => notifyWorks,
  });
  const yes = seccompFeatures(probes(true));
  assert.equal(yes.enabled, true);
  assert.ok(yes.actions?.includes('SCMP_ACT_NOTIFY'));
  assert.deepEqual(yes.archs, ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64'], 'sorted as runc prints them');
  const no = seccompFeatures(probes(false));
  assert.ok(!no.actions?.includes('SCMP_ACT_NOTIFY'));
  assert.equal(no.actions?.length, 8);
  const broken = seccompFeatures({ ...probes(true), archs: () => { throw new Error('no libseccomp'); } });
  assert.deepEqual(broken, { enabled: false });
  // The real host: libseccomp 2.5 on a recent kernel.
  const host = seccompFeatures();
  assert.equal(host.enabled, true);
  assert.ok(host.actions?.includes('SCMP_ACT_NOTIFY'));
  assert.ok(host.archs?.includes('SCMP_ARCH_X86_64'));
});

test('check: NOTIFY as default or on write are errors with runc\'s words; a listenerPath is no longer a warning', () => {
  const findings = (sc: LinuxSeccomp) =>
    semanticFindings({ ociVersion: '1.0.2', linux: { seccomp: sc } } as unknown as Spec, '/nonexistent', { pathExists: () => true, isDirectory: () => true })
      .filter((f) => f.rule.startsWith('seccomp'))
      .map((f) => `${f.severity} ${f.rule} ${f.pointer} ${f.message}`);
  assert.deepEqual(findings(notify(['mkdir'], { listenerMetadata: 'x' })), []);
  assert.deepEqual(findings({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/x' }), [
    'error seccomp-notify /linux/seccomp/defaultAction SCMP_ACT_NOTIFY cannot be used as default action',
  ]);
  assert.deepEqual(findings(notify(['mkdir', 'write'])), ['error seccomp-notify /linux/seccomp/syscalls/0/names SCMP_ACT_NOTIFY cannot be used for the write syscall']);
});

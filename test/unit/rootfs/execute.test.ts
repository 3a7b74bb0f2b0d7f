import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeError, SyscallError } from '../../../src/errors';
import { executePlan } from '../../../src/rootfs/execute';
import { planRootfs, type MountOp, type RootfsInput } from '../../../src/rootfs/plan';
import * as C from '../../../src/sys/constants';
import { FakeSys } from '../../support/fake-sys';
import { baseSpec } from '../../support/bundle';

const ROOTFS = '/b/rootfs';
const noHooks = { rootfs: ROOTFS, onHooks: async (): Promise<void> => undefined };

function input(extra: Partial<RootfsInput> = {}): RootfsInput {
  return {
    rootfs: ROOTFS,
    readonly: true,
    mounts: baseSpec().mounts ?? [],
    devices: [],
    inUserNamespace: false,
    cgroup: { version: 1, hierarchies: { memory: '/sys/fs/cgroup/memory/c1' } },
    maskedPaths: ['/proc/kcore', '/sys/firmware'],
    readonlyPaths: ['/proc/sys'],
    noPivot: false,
    hostname: 'runc',
    host: { kcore: false },
    ...extra,
  };
}

/** mount calls as [source, target (fd resolved to its path), fstype, flags, data] */
function mounts(sys: FakeSys): Array<[string | null, string, string | null, number, string | null]> {
  return sys.calls('mount').map(([s, t, f, fl, d]) => [s === null ? null : sys.resolveTarget(s), sys.resolveTarget(t), f, fl, d]);
}

function fakeFor(extra: (s: FakeSys) => void = () => undefined): FakeSys {
  const sys = new FakeSys();
  sys.files.set('/proc/self/mountinfo', '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n');
  // after the pivot "/" is the container's root; its /proc is a procfs
  sys.fs.set('/proc', { type: C.PROC_SUPER_MAGIC, flags: 0 });
  extra(sys);
  return sys;
}

test('the runc-spec plan runs as the expected ordered mount calls, all through /proc/self/fd', async () => {
  const sys = fakeFor((s) => {
    s.missing.add(`${ROOTFS}/dev/shm`).add(`${ROOTFS}/dev/mqueue`);
    s.modes.set('/proc/kcore', C.S_IFREG | 0o400);
  });
  let hooked = 0;
  await executePlan(sys, planRootfs(input()), { rootfs: ROOTFS, onHooks: async () => void hooked++ });
  assert.equal(hooked, 1);
  const NSN = C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC;
  const cg = C.MS_BIND | C.MS_REC | NSN | C.MS_RELATIME | C.MS_RDONLY;
  assert.deepEqual(mounts(sys), [
    [null, '/', null, C.MS_SLAVE | C.MS_REC, null],
    // the rootfs' parent "/" is shared in the fake mountinfo: made private for pivot_root
    [null, '/', null, C.MS_PRIVATE, null],
    [ROOTFS, ROOTFS, null, C.MS_BIND | C.MS_REC, null],
    ['proc', `${ROOTFS}/proc`, 'proc', 0, null],
    ['tmpfs', `${ROOTFS}/dev`, 'tmpfs', C.MS_NOSUID | C.MS_STRICTATIME, 'mode=755,size=65536k'],
    ['devpts', `${ROOTFS}/dev/pts`, 'devpts', C.MS_NOSUID | C.MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5'],
    ['shm', `${ROOTFS}/dev/shm`, 'tmpfs', NSN, 'mode=1777,size=65536k'],
    ['mqueue', `${ROOTFS}/dev/mqueue`, 'mqueue', NSN, null],
    ['sysfs', `${ROOTFS}/sys`, 'sysfs', NSN | C.MS_RDONLY, null],
    ['tmpfs', `${ROOTFS}/sys/fs/cgroup`, 'tmpfs', NSN, 'mode=755'],
    ['/sys/fs/cgroup/memory/c1', `${ROOTFS}/sys/fs/cgroup/memory`, null, cg, null],
    ['/sys/fs/cgroup/memory/c1', `${ROOTFS}/sys/fs/cgroup/memory`, null, cg | C.MS_REMOUNT, null],
    [null, '.', null, C.MS_SLAVE | C.MS_REC, null],
    ['/proc/sys', '/proc/sys', null, C.MS_BIND | C.MS_REC, null],
    ['/proc/sys', '/proc/sys', null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY, null],
    ['/dev/null', '/proc/kcore', null, C.MS_BIND, null],
    ['tmpfs', '/sys/firmware', 'tmpfs', C.MS_RDONLY, null],
    [null, '/', null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY, null],
  ]);
  // every mount into the rootfs went through an fd, never through a path string
  for (const [, t] of sys.calls('mount').slice(3, 12)) assert.match(t, /^\/proc\/self\/fd\/\d+$/);
  // existing /dev and /sys/fs/cgroup lend their mode to the tmpfs; created /dev/shm does not
  assert.deepEqual(sys.calls('fchmodat').map(([, p, m]) => [sys.resolveTarget(p), m]), [
    [`${ROOTFS}/dev`, 0o755],
    [`${ROOTFS}/sys/fs/cgroup`, 0o755],
  ]);
  assert.deepEqual(sys.calls('mkdirat').map(([fd, p]) => `${sys.resolveTarget(`/proc/self/fd/${fd}`)}/${p}`).length, 2);
  assert.deepEqual(
    sys.calls('mknodat').map(([, p, mode, ma, mi]) => [p, mode, ma, mi]),
    [['null', C.S_IFCHR | 0o666, 1, 3], ['random', C.S_IFCHR | 0o666, 1, 8], ['full', C.S_IFCHR | 0o666, 1, 7],
      ['tty', C.S_IFCHR | 0o666, 5, 0], ['zero', C.S_IFCHR | 0o666, 1, 5], ['urandom', C.S_IFCHR | 0o666, 1, 9]],
  );
  assert.deepEqual(sys.calls('symlinkat').map(([t, , l]) => [l, t]), [
    ['ptmx', 'pts/ptmx'], ['fd', '/proc/self/fd'], ['stdin', '/proc/self/fd/0'], ['stdout', '/proc/self/fd/1'], ['stderr', '/proc/self/fd/2'],
  ]);
  const order = sys.log.map((c) => c.call);
  assert.ok(order.indexOf('pivotRoot') > order.lastIndexOf('mknodat'), 'pivot after /dev');
  assert.ok(order.indexOf('sethostname') > order.indexOf('pivotRoot'), 'hostname after pivot');
  assert.deepEqual(sys.calls('pivotRoot'), [['.', '.']]);
  assert.deepEqual(sys.calls('umount2'), [['.', C.MNT_DETACH]]);
  assert.equal(sys.hostname, 'runc');
  assert.deepEqual(sys.calls('umask'), [[0], [0o022]], 'umask 0 for the plan, restored after');
  assert.deepEqual(sys.openFds(), [], 'every fd is closed');
});

test('EPERM on the 5th mount surfaces as a SyscallError naming the mount target, and stops', async () => {
  const sys = fakeFor().failOn('mount', 5, 'EPERM');
  await assert.rejects(executePlan(sys, planRootfs(input()), noHooks), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.message, 'error mounting "tmpfs" to rootfs at "/dev"');
    const cause = err.cause;
    assert.ok(cause instanceof SyscallError);
    assert.equal(cause.code, 'EPERM');
    assert.equal(cause.syscall, 'mount');
    assert.equal(cause.path, '/dev');
    return true;
  });
  assert.equal(sys.calls('mount').length, 5, 'nothing is mounted after the failure');
  assert.equal(sys.calls('pivotRoot').length, 0);
  assert.deepEqual(sys.openFds(), [], 'the failing op closed its fds');
  assert.deepEqual(sys.calls('umask').at(-1), [0o022], 'umask restored on failure');
});

test('a mount target that resolves into procfs is refused', async () => {
  const sys = fakeFor((s) => s.fs.set(`${ROOTFS}/proc`, { type: C.PROC_SUPER_MAGIC, flags: 0 }));
  const ops: MountOp[] = [
    { op: 'mount', source: 'tmpfs', dest: '/proc/x', fstype: 'tmpfs', flags: 0, data: '', create: 'dir', propagation: [], procCheck: true },
  ];
  await assert.rejects(executePlan(sys, ops, noHooks), /"\/proc\/x" cannot be mounted because it is inside \/proc/);
  assert.equal(sys.calls('mount').length, 0);
});

test('mknod EPERM falls back to binding the host node; EEXIST keeps what is there', async () => {
  const sys = fakeFor((s) => s.missing.add(`${ROOTFS}/dev/null`)).failOn('mknodat', 1, 'EPERM');
  sys.modes.set(`${ROOTFS}/dev/zero`, C.S_IFCHR | 0o666);
  const ops: MountOp[] = [
    { op: 'mknod', dest: '/dev/null', mode: C.S_IFCHR | 0o666, major: 1, minor: 3, uid: 0, gid: 0 },
    { op: 'mknod', dest: '/dev/zero', mode: C.S_IFCHR | 0o666, major: 1, minor: 5, uid: 0, gid: 0 },
  ];
  await executePlan(sys, ops, noHooks);
  assert.deepEqual(mounts(sys), [['/dev/null', `${ROOTFS}/dev/null`, null, C.MS_BIND, null]]);
  assert.deepEqual(sys.calls('fchownat'), [], 'no chown for a bound or pre-existing node');
  assert.deepEqual(sys.openFds(), []);
});

test('bind remount retries with MS_RDONLY when the source is read-only', async () => {
  const sys = fakeFor().failOn('mount', 2, 'EPERM');
  sys.fs.set('/ro-src', { type: 0xef53, flags: C.ST_RDONLY });
  const ops: MountOp[] = [
    { op: 'mount', source: '/ro-src', dest: '/data', fstype: null, flags: C.MS_BIND | C.MS_NOSUID, data: '', create: 'dir', propagation: [], procCheck: true },
    { op: 'remount', source: '/ro-src', dest: '/data', flags: C.MS_BIND | C.MS_NOSUID | C.MS_REMOUNT },
  ];
  await executePlan(sys, ops, noHooks);
  assert.deepEqual(mounts(sys).map((m) => m[3]), [
    C.MS_BIND | C.MS_NOSUID,
    C.MS_BIND | C.MS_NOSUID | C.MS_REMOUNT,
    C.MS_BIND | C.MS_NOSUID | C.MS_REMOUNT | C.MS_RDONLY,
  ]);
});

test('a missing bind source fails as runc words it, before anything is created at the target', async () => {
  const sys = fakeFor((s) => s.missing.add('/gone').add(`${ROOTFS}/x`).add(`${ROOTFS}/x/y`));
  const ops: MountOp[] = [
    { op: 'mount', source: '/gone', dest: '/x/y', fstype: null, flags: C.MS_BIND, data: '', create: 'dir', propagation: [], procCheck: true },
  ];
  await assert.rejects(executePlan(sys, ops, noHooks), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.message, 'error mounting "/gone" to rootfs at "/x/y"');
    const cause = err.cause;
    assert.ok(cause instanceof SyscallError);
    assert.deepEqual([cause.syscall, cause.path, cause.code], ['stat', '/gone', 'ENOENT']);
    return true;
  });
  assert.deepEqual(sys.calls('mkdirat'), [], 'the target was not created');
  assert.deepEqual(sys.calls('mount'), []);
  assert.deepEqual(sys.openFds(), []);
});

test('propagation and recursive attributes go to the new mount after it exists', async () => {
  const sys = fakeFor();
  const ops: MountOp[] = [
    {
      op: 'mount', source: '/src', dest: '/data', fstype: null, flags: C.MS_BIND | C.MS_REC, data: '', create: 'dir',
      propagation: [C.MS_SHARED], recAttr: { attrSet: C.MOUNT_ATTR_RDONLY, attrClr: 0 }, procCheck: true,
    },
  ];
  await executePlan(sys, ops, noHooks);
  assert.deepEqual(mounts(sys).map((m) => m[3]), [C.MS_BIND | C.MS_REC, C.MS_SHARED]);
  const [set] = sys.calls('mountSetattr');
  assert.equal(set?.[2], C.AT_EMPTY_PATH | C.AT_RECURSIVE);
  assert.deepEqual(set?.[3], { attrSet: C.MOUNT_ATTR_RDONLY, attrClr: 0, propagation: 0 });
});

test('masked and read-only paths that do not exist are skipped', async () => {
  const sys = fakeFor((s) => s.missing.add('/proc/acpi').add('/proc/bus'));
  const ops: MountOp[] = [
    { op: 'pivot-root' },
    { op: 'readonly-path', path: '/proc/bus' },
    { op: 'mask-path', path: '/proc/acpi' },
  ];
  await executePlan(sys, ops, noHooks);
  assert.deepEqual(mounts(sys).map((m) => m[1]), ['.']);
});

test('sysctl writes the value to the container procfs file', async () => {
  const sys = fakeFor();
  await executePlan(sys, [{ op: 'pivot-root' }, { op: 'sysctl', key: 'net.ipv4.ip_forward', value: '1' }], noHooks);
  assert.deepEqual(sys.written.map((w) => [w.path, w.data]), [['/proc/sys/net/ipv4/ip_forward', '1']]);
});

test('a failing hook stops the plan before pivot_root', async () => {
  const sys = fakeFor();
  const ops = planRootfs(input());
  await assert.rejects(
    executePlan(sys, ops, { rootfs: ROOTFS, onHooks: async () => { throw new RuntimeError('hook says no'); } }),
    /hook says no/,
  );
  assert.equal(sys.calls('pivotRoot').length, 0);
  assert.deepEqual(sys.calls('chdir'), [[ROOTFS]], 'hooks ran in the rootfs');
});

test('an idmapped bind is an MS_MOVE of the CLI\'s tree through its fd onto the resolved target, then the remount', async () => {
  const sys = fakeFor((s) => s.missing.add(`${ROOTFS}/data`));
  // stands for the open_tree fd received over the setup socket
  const tree = sys.open('/detached-tree', C.O_PATH | C.O_CLOEXEC);
  const maps = [{ containerID: 0, hostID: 1000, size: 1 }];
  const m = { destination: '/data', type: 'bind', source: '/srv/d', options: ['bind', 'ro', 'idmap'], uidMappings: maps, gidMappings: maps };
  await executePlan(sys, planRootfs(input({ mounts: [m], idmapFds: { 0: tree } })), noHooks);
  const data = mounts(sys).filter(([, t]) => t === `${ROOTFS}/data`);
  assert.deepEqual(data, [
    ['/detached-tree', `${ROOTFS}/data`, null, C.MS_MOVE, null],
    ['/srv/d', `${ROOTFS}/data`, null, C.MS_BIND | C.MS_RDONLY | C.MS_REMOUNT, null],
  ]);
  // the source was never bound itself
  assert.equal(mounts(sys).some(([s, , , fl]) => s === '/srv/d' && (fl & C.MS_REMOUNT) === 0), false);
});

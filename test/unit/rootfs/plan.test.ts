import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRootfs, type MountOp, type RootfsInput } from '../../../src/rootfs/plan';
import { ConfigError } from '../../../src/errors';
import * as C from '../../../src/sys/constants';
import { baseSpec } from '../../support/bundle';

const NSN = C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC;

function input(extra: Partial<RootfsInput> = {}): RootfsInput {
  const spec = baseSpec();
  return {
    rootfs: '/b/rootfs',
    readonly: true,
    mounts: spec.mounts ?? [],
    devices: [],
    inUserNamespace: false,
    cgroup: { version: 1, hierarchies: { 'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/c1', memory: '/sys/fs/cgroup/memory/c1' } },
    maskedPaths: ['/proc/kcore', '/sys/firmware'],
    readonlyPaths: ['/proc/sys'],
    noPivot: false,
    hostname: 'runc',
    host: { fileSources: [], kcore: true },
    ...extra,
  };
}

const mknod = (dest: string, major: number, minor: number): MountOp => ({
  op: 'mknod', dest, mode: C.S_IFCHR | 0o666, major, minor, uid: 0, gid: 0,
});

test('the runc-spec default mounts give exactly runc\'s sequence', () => {
  const ops = planRootfs(input());
  const expected: MountOp[] = [
    { op: 'propagate-root', flags: C.MS_SLAVE | C.MS_REC },
    { op: 'make-parent-private' },
    { op: 'bind-rootfs' },
    { op: 'mount', source: 'proc', dest: '/proc', fstype: 'proc', flags: 0, data: '', create: 'dir', propagation: [], procCheck: false },
    {
      op: 'mount', source: 'tmpfs', dest: '/dev', fstype: 'tmpfs', flags: C.MS_NOSUID | C.MS_STRICTATIME,
      data: 'mode=755,size=65536k', create: 'dir', propagation: [], keepMode: true, procCheck: true,
    },
    {
      op: 'mount', source: 'devpts', dest: '/dev/pts', fstype: 'devpts', flags: C.MS_NOSUID | C.MS_NOEXEC,
      data: 'newinstance,ptmxmode=0666,mode=0620,gid=5', create: 'dir', propagation: [], procCheck: true,
    },
    {
      op: 'mount', source: 'shm', dest: '/dev/shm', fstype: 'tmpfs', flags: NSN, data: 'mode=1777,size=65536k',
      create: 'dir', propagation: [], keepMode: true, procCheck: true,
    },
    { op: 'mount', source: 'mqueue', dest: '/dev/mqueue', fstype: 'mqueue', flags: NSN, data: '', create: 'dir', propagation: [], procCheck: true },
    { op: 'mount', source: 'sysfs', dest: '/sys', fstype: 'sysfs', flags: NSN | C.MS_RDONLY, data: '', create: 'dir', propagation: [], procCheck: true },
    {
      op: 'mount', source: 'tmpfs', dest: '/sys/fs/cgroup', fstype: 'tmpfs', flags: NSN, data: 'mode=755', create: 'dir',
      propagation: [], keepMode: true, procCheck: true,
    },
    {
      op: 'mount', source: '/sys/fs/cgroup/cpu,cpuacct/c1', dest: '/sys/fs/cgroup/cpu,cpuacct', fstype: null,
      flags: C.MS_BIND | C.MS_REC | NSN | C.MS_RELATIME | C.MS_RDONLY, data: '', create: 'dir', propagation: [], procCheck: true,
    },
    {
      op: 'remount', source: '/sys/fs/cgroup/cpu,cpuacct/c1', dest: '/sys/fs/cgroup/cpu,cpuacct',
      flags: C.MS_BIND | C.MS_REC | NSN | C.MS_RELATIME | C.MS_RDONLY | C.MS_REMOUNT,
    },
    {
      op: 'mount', source: '/sys/fs/cgroup/memory/c1', dest: '/sys/fs/cgroup/memory', fstype: null,
      flags: C.MS_BIND | C.MS_REC | NSN | C.MS_RELATIME | C.MS_RDONLY, data: '', create: 'dir', propagation: [], procCheck: true,
    },
    {
      op: 'remount', source: '/sys/fs/cgroup/memory/c1', dest: '/sys/fs/cgroup/memory',
      flags: C.MS_BIND | C.MS_REC | NSN | C.MS_RELATIME | C.MS_RDONLY | C.MS_REMOUNT,
    },
    { op: 'symlink', dest: '/sys/fs/cgroup/cpu', target: 'cpu,cpuacct', replace: false },
    { op: 'symlink', dest: '/sys/fs/cgroup/cpuacct', target: 'cpu,cpuacct', replace: false },
    mknod('/dev/null', 1, 3),
    mknod('/dev/random', 1, 8),
    mknod('/dev/full', 1, 7),
    mknod('/dev/tty', 5, 0),
    mknod('/dev/zero', 1, 5),
    mknod('/dev/urandom', 1, 9),
    { op: 'symlink', dest: '/dev/ptmx', target: 'pts/ptmx', replace: true },
    { op: 'symlink', dest: '/dev/fd', target: '/proc/self/fd', replace: false },
    { op: 'symlink', dest: '/dev/stdin', target: '/proc/self/fd/0', replace: false },
    { op: 'symlink', dest: '/dev/stdout', target: '/proc/self/fd/1', replace: false },
    { op: 'symlink', dest: '/dev/stderr', target: '/proc/self/fd/2', replace: false },
    { op: 'symlink', dest: '/dev/core', target: '/proc/kcore', replace: false },
    { op: 'hooks' },
    { op: 'pivot-root' },
    { op: 'sethostname', name: 'runc' },
    { op: 'readonly-path', path: '/proc/sys' },
    { op: 'mask-path', path: '/proc/kcore' },
    { op: 'mask-path', path: '/sys/firmware' },
    { op: 'readonly-root' },
  ];
  assert.deepEqual(ops, expected);
});

test('a bind of a file creates a file target; of a directory, a directory', () => {
  const ops = planRootfs(
    input({
      mounts: [
        { destination: '/etc/resolv.conf', source: '/host/resolv.conf', options: ['bind', 'ro'] },
        { destination: '/data', type: 'bind', source: '/host/data', options: ['rbind'] },
      ],
      host: { fileSources: ['/host/resolv.conf'] },
    }),
  );
  const mounts = ops.filter((o) => o.op === 'mount' || o.op === 'remount');
  assert.deepEqual(mounts, [
    {
      op: 'mount', source: '/host/resolv.conf', dest: '/etc/resolv.conf', fstype: null, flags: C.MS_BIND | C.MS_RDONLY,
      data: '', create: 'file', propagation: [], procCheck: true,
    },
    { op: 'remount', source: '/host/resolv.conf', dest: '/etc/resolv.conf', flags: C.MS_BIND | C.MS_RDONLY | C.MS_REMOUNT },
    {
      op: 'mount', source: '/host/data', dest: '/data', fstype: null, flags: C.MS_BIND | C.MS_REC, data: '',
      create: 'dir', propagation: [], procCheck: true,
    },
  ]);
});

test('cgroup v1 inside a cgroup namespace mounts each hierarchy afresh', () => {
  const ops = planRootfs(
    input({
      mounts: [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] }],
      cgroup: { version: 1, cgroupns: true, hierarchies: { memory: '/x', systemd: '/y' } },
    }),
  );
  const sub = ops.filter((o): o is Extract<MountOp, { op: 'mount' }> => o.op === 'mount' && o.dest !== '/sys/fs/cgroup');
  assert.deepEqual(
    sub.map((o) => [o.source, o.dest, o.fstype, o.flags, o.data]),
    [
      ['cgroup', '/sys/fs/cgroup/memory', 'cgroup', NSN | C.MS_RDONLY, 'memory'],
      ['systemd', '/sys/fs/cgroup/systemd', 'cgroup', NSN | C.MS_RDONLY, 'name=systemd'],
    ],
  );
});

test('cgroup v2 mounts cgroup2 with a bind fallback', () => {
  const ops = planRootfs(
    input({
      mounts: [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'ro'] }],
      cgroup: { version: 2, cgroupns: true, unifiedPath: '/sys/fs/cgroup/c1' },
    }),
  );
  const cg = ops.find((o) => o.op === 'mount' && o.dest === '/sys/fs/cgroup');
  assert.deepEqual(cg, {
    op: 'mount', source: 'cgroup', dest: '/sys/fs/cgroup', fstype: 'cgroup2', flags: C.MS_NOSUID | C.MS_RDONLY, data: '',
    create: 'dir', propagation: [], procCheck: true, fallbackBind: '/sys/fs/cgroup/c1',
  });
});

test('in a user namespace devices are binds of the host nodes', () => {
  const ops = planRootfs(
    input({ inUserNamespace: true, devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }] }),
  );
  const devs = ops.filter((o) => o.op === 'mknod' || o.op === 'bind-device');
  assert.deepEqual(
    devs,
    ['/dev/null', '/dev/random', '/dev/full', '/dev/tty', '/dev/zero', '/dev/urandom', '/dev/fuse'].map((d) => ({
      op: 'bind-device', source: d, dest: d,
    })),
  );
});

test('a spec device replaces the default of the same path; ptmx is left to devpts', () => {
  const ops = planRootfs(
    input({
      devices: [
        { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o620, uid: 5, gid: 6 },
        { path: '/dev/ptmx', type: 'c', major: 5, minor: 2 },
        { path: '/dev/sda', type: 'b', major: 8, minor: 0 },
        { path: '/dev/fifo', type: 'p' },
      ],
    }),
  );
  const devs = ops.filter((o): o is Extract<MountOp, { op: 'mknod' }> => o.op === 'mknod');
  assert.deepEqual(devs.map((d) => d.dest), ['/dev/random', '/dev/full', '/dev/tty', '/dev/zero', '/dev/urandom', '/dev/null', '/dev/sda', '/dev/fifo']);
  assert.deepEqual(devs[5], { op: 'mknod', dest: '/dev/null', mode: C.S_IFCHR | 0o620, major: 1, minor: 3, uid: 5, gid: 6 });
  assert.equal(devs[6]?.mode, C.S_IFBLK | 0o666);
  assert.equal(devs[7]?.mode, C.S_IFIFO | 0o666);
});

test('masked and read-only paths keep config order, read-only ones first', () => {
  const ops = planRootfs(input({ maskedPaths: ['/proc/kcore', '/sys/firmware/'], readonlyPaths: ['/proc/bus', '/proc/sys'] }));
  const tail = ops.filter((o) => o.op === 'mask-path' || o.op === 'readonly-path');
  assert.deepEqual(tail, [
    { op: 'readonly-path', path: '/proc/bus' },
    { op: 'readonly-path', path: '/proc/sys' },
    { op: 'mask-path', path: '/proc/kcore' },
    { op: 'mask-path', path: '/sys/firmware' },
  ]);
});

test('a bind over /dev leaves /dev alone; read-only tmpfs is remounted at the end', () => {
  const ops = planRootfs(
    input({
      readonly: false,
      mounts: [
        { destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] },
        { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'mode=700'] },
      ],
    }),
  );
  assert.ok(!ops.some((o) => o.op === 'mknod' || o.op === 'symlink'));
  const run = ops.find((o) => o.op === 'mount' && o.dest === '/run');
  assert.equal(run?.op === 'mount' ? run.flags : -1, 0, 'tmpfs is mounted rw first');
  assert.deepEqual(ops[ops.length - 1], { op: 'remount-ro', dest: '/run', flags: C.MS_RDONLY });
});

test('no-pivot moves the root; an explicit shared propagation is applied again after the pivot and the masks', () => {
  const ops = planRootfs(input({ noPivot: true, rootfsPropagation: 'rshared' }));
  assert.deepEqual(ops[0], { op: 'propagate-root', flags: C.MS_SHARED | C.MS_REC });
  const move = ops.findIndex((o) => o.op === 'move-root');
  const lastMask = ops.map((o) => o.op).lastIndexOf('mask-path');
  const again = ops.findIndex((o, i) => i > 0 && o.op === 'propagate-root');
  assert.ok(move > 0 && lastMask > move);
  assert.equal(again, lastMask + 1);
  assert.deepEqual(ops[again], { op: 'propagate-root', flags: C.MS_SHARED | C.MS_REC });
  assert.deepEqual(ops[ops.length - 1], { op: 'readonly-root' });
  assert.throws(() => planRootfs(input({ noPivot: true, rootfsPropagation: 'rprivate' })), /not safe without pivot_root/);
});

test('rootfsPropagation: default and private ones are set once, before the bind; unbindable waits for the pivot', () => {
  const props = (p?: string): MountOp[] =>
    planRootfs(input(p === undefined ? {} : { rootfsPropagation: p })).filter((o) => o.op === 'propagate-root');
  assert.deepEqual(props(), [{ op: 'propagate-root', flags: C.MS_SLAVE | C.MS_REC }]);
  assert.deepEqual(props('rprivate'), [{ op: 'propagate-root', flags: C.MS_PRIVATE | C.MS_REC }]);
  assert.deepEqual(props('private'), [{ op: 'propagate-root', flags: C.MS_PRIVATE }]);
  assert.deepEqual(props('shared'), [
    { op: 'propagate-root', flags: C.MS_SHARED },
    { op: 'propagate-root', flags: C.MS_SHARED },
  ]);
  // an unbindable "/" could not be bound to itself: rslave until the pivot (runc 1.1 fails with EINVAL)
  assert.deepEqual(props('runbindable'), [
    { op: 'propagate-root', flags: C.MS_SLAVE | C.MS_REC },
    { op: 'propagate-root', flags: C.MS_UNBINDABLE | C.MS_REC },
  ]);
});

test('hostname, domainname and sysctl come after the pivot', () => {
  const ops = planRootfs(input({ domainname: 'example.org', sysctl: { 'net.ipv4.ip_forward': '1' } }));
  const pivot = ops.findIndex((o) => o.op === 'pivot-root');
  const idx = (k: string): number => ops.findIndex((o) => o.op === k);
  assert.ok(idx('sethostname') > pivot && idx('setdomainname') > pivot && idx('sysctl') > pivot);
  assert.deepEqual(ops[idx('sysctl')], { op: 'sysctl', key: 'net.ipv4.ip_forward', value: '1' });
});

test('bad input is a ConfigError naming the field', () => {
  const bad: Array<[Partial<RootfsInput>, string, RegExp]> = [
    [{ rootfsPropagation: 'sideways' }, '/linux/rootfsPropagation', /not supported/],
    [{ mounts: [{ destination: '/proc/sys/x', type: 'tmpfs', source: 't' }] }, '/mounts/0/destination', /inside \/proc/],
    [{ mounts: [{ destination: '/proc', type: 'tmpfs', source: 't' }] }, '/mounts/0/destination', /not of type proc/],
    [{ mounts: [{ destination: '/x', source: 'rel', options: ['bind'] }] }, '/mounts/0/source', /absolute/],
    [{ mounts: [{ destination: '/x', type: 'tmpfs', source: 't', options: ['idmap'] }] }, '/mounts/0/options', /only supported for bind-mounts/],
    [{ mounts: [{ destination: '/x', type: 'bind', source: '/y', uidMappings: [] }] }, '/mounts/0/options', /only supported for bind-mounts/],
    [{ devices: [{ path: '/dev/x', type: 'q', major: 1, minor: 1 }] }, '/linux/devices/0/type', /invalid device type/],
  ];
  for (const [extra, pointer, msg] of bad) {
    assert.throws(
      () => planRootfs(input(extra)),
      (e: unknown) => e instanceof ConfigError && e.pointer === pointer && msg.test(e.message),
      pointer,
    );
  }
  // lxcfs-style files inside /proc are allowed
  assert.doesNotThrow(() => planRootfs(input({ mounts: [{ destination: '/proc/meminfo', source: '/l/meminfo', options: ['bind'] }] })));
});

test('process.cwd is created inside the rootfs after the hooks and before the pivot; "/" needs nothing', () => {
  const ops = planRootfs(input({ cwd: '/work//dir/' })).map((o) => o.op);
  const at = ops.indexOf('mkdir-cwd');
  assert.ok(at > ops.indexOf('hooks') && at < ops.indexOf('pivot-root'), ops.join(','));
  assert.deepEqual(planRootfs(input({ cwd: '/work//dir/' })).find((o) => o.op === 'mkdir-cwd'), { op: 'mkdir-cwd', path: '/work/dir' });
  assert.equal(planRootfs(input({ cwd: '/' })).some((o) => o.op === 'mkdir-cwd'), false);
});

test('linux.mountLabel: context= on tmpfs, devpts and masked dirs; never on proc, sysfs, mqueue or binds (runc)', () => {
  const spec = baseSpec();
  const mounts = [...(spec.mounts ?? []), { destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] }];
  const ops = planRootfs(input({ mounts, mountLabel: 'system_u:object_r:container_file_t:s0:c1,c2' }));
  const label = 'context="system_u:object_r:container_file_t:s0:c1,c2"';
  const dataOf = (dest: string): string | undefined => {
    const op = ops.find((o) => o.op === 'mount' && o.dest === dest);
    return op?.op === 'mount' ? op.data : undefined;
  };
  assert.ok(dataOf('/dev')?.endsWith(`,${label}`), dataOf('/dev'));
  assert.ok(dataOf('/dev/pts')?.endsWith(`,${label}`), dataOf('/dev/pts'));
  assert.ok(dataOf('/dev/shm')?.endsWith(`,${label}`), dataOf('/dev/shm'));
  for (const dest of ['/proc', '/sys', '/dev/mqueue', '/data']) assert.ok(!(dataOf(dest) ?? '').includes('context='), dest);
  const mask = ops.find((o) => o.op === 'mask-path');
  assert.equal(mask?.op === 'mask-path' ? mask.data : undefined, label);
  const plain = planRootfs(input());
  assert.ok(!JSON.stringify(plain).includes('context='));
});

test('an idmapped bind moves the tree the CLI made (its fd) instead of binding, then remounts for its flags', () => {
  const maps = [{ containerID: 0, hostID: 1000, size: 1 }];
  const mounts = [
    { destination: '/plain', source: '/p', options: ['rbind'] },
    { destination: '/data', type: 'bind', source: '/d', options: ['rbind', 'ro', 'ridmap'], uidMappings: maps, gidMappings: maps },
  ];
  const ops = planRootfs(input({ mounts, idmapFds: { 1: 42 } }));
  const data = ops.filter((o) => (o.op === 'mount' || o.op === 'remount') && o.dest === '/data');
  assert.deepEqual(data, [
    {
      op: 'mount', source: '/d', dest: '/data', fstype: null, flags: C.MS_BIND | C.MS_REC | C.MS_RDONLY, data: '',
      create: 'dir', propagation: [], procCheck: true, moveFrom: 42,
    },
    { op: 'remount', source: '/d', dest: '/data', flags: C.MS_BIND | C.MS_REC | C.MS_RDONLY | C.MS_REMOUNT },
  ]);
  const plain = ops.find((o) => o.op === 'mount' && o.dest === '/plain');
  assert.ok(plain !== undefined && plain.op === 'mount' && plain.moveFrom === undefined);
  // without the tree from the CLI, setup refuses rather than bind the unmapped source
  assert.throws(() => planRootfs(input({ mounts })), (e: unknown) => e instanceof Error && !(e instanceof ConfigError) && /no id-mapped source/.test(e.message));
});

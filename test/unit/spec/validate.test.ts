// Unit tests for the semantic rule table: one broken config per rule, asserting the
// pointer, rule id and severity; no root, no real namespaces (HostProbes are faked).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syscallError } from '../../../src/sys/errno';
import type { Finding } from '../../../src/spec/finding';
import type { LinuxNamespaceType, Spec } from '../../../src/spec/types';
import { RULES, pointer, semanticFindings, toDottedSysctl, type HostProbes } from '../../../src/spec/validate';
import { baseSpec, makeBundle } from '../../support/bundle';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/spec/good');

/** A host where the rootfs exists, every namespace file is what it claims, and the kernel knows every capability. */
function fakeHost(over: Partial<HostProbes> = {}): HostProbes {
  return {
    namespaceTypeOf: (p) => {
      const m = /^\/ns\/(\w+)$/.exec(p);
      if (m === null) throw syscallError('open', 2, p);
      return m[1] === 'plain' ? undefined : (m[1] as LinuxNamespaceType);
    },
    isHostNetns: (p) => p === '/ns/hostnet',
    isDirectory: (p) => p.endsWith('/rootfs'),
    pathExists: (p) => p.endsWith('/rootfs') || p.endsWith('/afile'),
    lastCap: () => 40,
    // A host with both LSMs: full.json asks for an AppArmor profile and SELinux labels.
    lsm: () => ({ apparmor: true, selinux: true }),
    ...over,
  };
}

function check(mutate: (s: Spec) => void, host: Partial<HostProbes> = {}, systemdCgroup = false): Finding[] {
  const spec = baseSpec();
  mutate(spec);
  return semanticFindings(spec, '/bundle', fakeHost(host), { systemdCgroup });
}

const errors = (fs_: Finding[]): Finding[] => fs_.filter((f) => f.severity === 'error');

/** Exactly one finding, at `ptr`, with this rule and severity. */
function expectOne(found: Finding[], ptr: string, rule: string, severity: 'error' | 'warning' = 'error'): Finding {
  assert.equal(found.length, 1, `expected one finding, got ${JSON.stringify(found, null, 1)}`);
  const f = found[0]!;
  assert.equal(f.pointer, ptr);
  assert.equal(f.rule, rule);
  assert.equal(f.severity, severity);
  assert.match(f.message, /^[a-z].*[^.]$/, 'messages are lower-case with no final period');
  assert.ok(f.expected !== undefined && f.found !== undefined, 'every finding says what was expected and found');
  return f;
}

function linux(s: Spec): NonNullable<Spec['linux']> {
  s.linux ??= {};
  return s.linux;
}

test('baseSpec() has no findings', () => {
  assert.deepEqual(check(() => undefined), []);
});

test('the runc spec and rootless fixtures have no errors', () => {
  for (const name of ['runc-spec.json', 'runc-spec-rootless.json', 'full.json']) {
    const spec = JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Spec;
    // full.json joins /var/run/netns/neta: answer as the kernel would for a real netns file
    const host = fakeHost({ namespaceTypeOf: () => 'network', isHostNetns: () => false });
    assert.deepEqual(errors(semanticFindings(spec, '/bundle', host)), [], name);
  }
});

test('a rootless variant of baseSpec() has no findings', () => {
  const found = check((s) => {
    const l = linux(s);
    l.namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'user' }];
    l.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    l.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    delete l.resources;
    s.mounts = s.mounts!.filter((m) => m.destination !== '/sys/fs/cgroup');
  });
  assert.deepEqual(found, []);
});

test('every rule in the table has a unique name', () => {
  const names = RULES.map(([n]) => n);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.length >= 20);
});

test('ociVersion: 1.0.0 to 1.3.x with pre-release tags accepted, others refused', () => {
  for (const v of ['1.0.0', '1.0.2-dev', '1.1.0-rc.1', '1.2.1', '1.3.0', '1.3.7+build.1']) {
    assert.deepEqual(check((s) => (s.ociVersion = v)), [], v);
  }
  for (const v of ['0.9.0', '1.4.0', '2.0.0', 'latest', '1.0']) {
    const f = expectOne(check((s) => (s.ociVersion = v)), '/ociVersion', 'oci-version');
    assert.equal(f.found, JSON.stringify(v));
  }
});

test('root.path: missing, not a directory, or no root at all', () => {
  let f = expectOne(check((s) => (s.root = { path: 'nothere' })), '/root/path', 'rootfs');
  assert.match(f.found!, /\/bundle\/nothere.*does not exist/);
  f = expectOne(check((s) => (s.root = { path: 'afile' })), '/root/path', 'rootfs');
  assert.match(f.found!, /not a directory/);
  expectOne(check((s) => delete s.root), '/root', 'root-missing');
  // absolute paths are not joined to the bundle
  assert.deepEqual(check((s) => (s.root = { path: '/elsewhere/rootfs' })), []);
});

test('root.path against a real bundle directory', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  assert.deepEqual(errors(semanticFindings(baseSpec(), b.dir, { namespaceTypeOf: () => undefined })), []);
  fs.rmdirSync(b.rootfs);
  fs.writeFileSync(b.rootfs, '');
  expectOne(errors(semanticFindings(baseSpec(), b.dir)), '/root/path', 'rootfs');
  fs.rmSync(b.rootfs);
  expectOne(errors(semanticFindings(baseSpec(), b.dir)), '/root/path', 'rootfs');
});

test('process.args must not be empty when there is a process', () => {
  expectOne(check((s) => (s.process!.args = [])), '/process/args', 'process-args');
  expectOne(check((s) => delete s.process!.args), '/process/args', 'process-args');
  assert.deepEqual(check((s) => delete s.process), []);
});

test('process.cwd must be absolute', () => {
  expectOne(check((s) => (s.process!.cwd = 'tmp')), '/process/cwd', 'process-cwd');
});

test('a relative mount destination is a warning (runc accepts it as relative to /)', () => {
  expectOne(check((s) => (s.mounts![2]!.destination = 'dev/pts')), '/mounts/2/destination', 'mount-destination', 'warning');
});

test('namespaces: unknown and duplicated types', () => {
  expectOne(check((s) => linux(s).namespaces!.push({ type: 'bogus' as LinuxNamespaceType })), '/linux/namespaces/5/type', 'namespace-type');
  const f = expectOne(check((s) => linux(s).namespaces!.push({ type: 'ipc' })), '/linux/namespaces/5/type', 'namespace-duplicate');
  assert.match(f.expected!, /\/linux\/namespaces\/2/);
});

test('namespace paths: relative, missing, not a namespace, wrong type', () => {
  const withPath = (p: string) => (s: Spec) => (linux(s).namespaces![1] = { type: 'network', path: p });
  const ptr = '/linux/namespaces/1/path';
  assert.deepEqual(check(withPath('/ns/network')), []);
  expectOne(check(withPath('ns/network')), ptr, 'namespace-path');
  let f = expectOne(check(withPath('/gone')), ptr, 'namespace-path');
  assert.match(f.message, /does not exist/);
  f = expectOne(check(withPath('/ns/plain')), ptr, 'namespace-path');
  assert.match(f.found!, /not a namespace/);
  f = expectOne(check(withPath('/ns/ipc')), ptr, 'namespace-path');
  assert.match(f.found!, /a ipc namespace/);
  f = expectOne(check(withPath('/x'), { namespaceTypeOf: (p) => { throw syscallError('open', 13, p); } }), ptr, 'namespace-path');
  assert.match(f.message, /cannot open namespace path/);
});

test('user namespace: mappings required when created, refused without one, ignored when joined', () => {
  const userns = (s: Spec): void => void linux(s).namespaces!.push({ type: 'user' });
  let found = check(userns);
  assert.deepEqual(found.map((f) => [f.pointer, f.rule, f.severity]), [
    ['/linux/uidMappings', 'userns-mappings', 'error'],
    ['/linux/gidMappings', 'userns-mappings', 'error'],
  ]);
  expectOne(check((s) => (linux(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }])), '/linux/uidMappings', 'userns-mappings');
  found = check((s) => {
    linux(s).namespaces!.push({ type: 'user', path: '/ns/user' });
    linux(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  });
  expectOne(found, '/linux/gidMappings', 'userns-mappings', 'warning');
  assert.deepEqual(check((s) => linux(s).namespaces!.push({ type: 'user', path: '/ns/user' })), []);
});

test('id mappings: zero size and overlaps on either side', () => {
  const maps = (uid: { containerID: number; hostID: number; size: number }[]) => (s: Spec) => {
    linux(s).namespaces!.push({ type: 'user' });
    linux(s).uidMappings = uid;
    linux(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  };
  expectOne(check(maps([{ containerID: 0, hostID: 1000, size: 0 }])), '/linux/uidMappings/0/size', 'idmap-size');
  let f = expectOne(
    check(maps([{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 5, hostID: 5000, size: 10 }])),
    '/linux/uidMappings/1',
    'idmap-overlap',
  );
  assert.match(f.message, /container side/);
  f = expectOne(
    check(maps([{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 100, hostID: 1009, size: 1 }])),
    '/linux/uidMappings/1',
    'idmap-overlap',
  );
  assert.match(f.message, /host side/);
  // adjacent ranges touch but do not overlap
  assert.deepEqual(check(maps([{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 10, hostID: 1010, size: 10 }])), []);
  // idmapped mounts are checked the same way
  expectOne(
    check((s) =>
      s.mounts!.push({
        destination: '/d',
        type: 'bind',
        source: '/s',
        options: ['bind'],
        uidMappings: [{ containerID: 0, hostID: 0, size: 0 }],
        gidMappings: [{ containerID: 0, hostID: 0, size: 1 }],
      }),
    ),
    '/mounts/7/uidMappings/0/size',
    'idmap-size',
  );
});

test('hostname and domainname need a UTS namespace', () => {
  const noUts = (s: Spec): void => void (linux(s).namespaces = linux(s).namespaces!.filter((n) => n.type !== 'uts'));
  expectOne(check(noUts), '/hostname', 'uts-namespace');
  const found = check((s) => {
    noUts(s);
    s.hostname = '';
    s.domainname = 'example.org';
  });
  expectOne(found, '/domainname', 'uts-namespace');
});

test('sysctl follows runc: each needs the namespace that scopes it', () => {
  const sysctl = (key: string, mutate: (s: Spec) => void = () => undefined) => (s: Spec) => {
    linux(s).sysctl = { [key]: '1' };
    mutate(s);
  };
  const without = (type: string) => (s: Spec) => void (linux(s).namespaces = linux(s).namespaces!.filter((n) => n.type !== type));
  for (const ok of ['net.ipv4.ip_forward', 'kernel.shmmax', 'kernel.msgmax', 'kernel.sem', 'fs.mqueue.queues_max', 'kernel.domainname', 'net/ipv4/conf/eth0.100/rp_filter']) {
    assert.deepEqual(check(sysctl(ok)), [], ok);
  }
  expectOne(check(sysctl('net.ipv4.ip_forward', without('network'))), '/linux/sysctl/net.ipv4.ip_forward', 'sysctl');
  expectOne(
    check(sysctl('net.ipv4.ip_forward', (s) => (linux(s).namespaces![1] = { type: 'network', path: '/ns/hostnet' })), {
      namespaceTypeOf: () => 'network',
    }),
    '/linux/sysctl/net.ipv4.ip_forward',
    'sysctl',
  );
  assert.deepEqual(check(sysctl('net.core.somaxconn', (s) => (linux(s).namespaces![1] = { type: 'network', path: '/ns/network' }))), []);
  expectOne(check(sysctl('kernel.shmmax', without('ipc'))), '/linux/sysctl/kernel.shmmax', 'sysctl');
  expectOne(check(sysctl('fs.mqueue.msg_max', without('ipc'))), '/linux/sysctl/fs.mqueue.msg_max', 'sysctl');
  const noUtsNoHostname = (s: Spec): void => {
    without('uts')(s);
    delete s.hostname;
  };
  expectOne(check(sysctl('kernel.domainname', noUtsNoHostname)), '/linux/sysctl/kernel.domainname', 'sysctl');
  const f = expectOne(check(sysctl('kernel.hostname')), '/linux/sysctl/kernel.hostname', 'sysctl');
  assert.match(f.message, /conflicts with the OCI "hostname" field/);
  expectOne(check(sysctl('vm.swappiness')), '/linux/sysctl/vm.swappiness', 'sysctl');
  // '/' in a key is escaped in the pointer
  expectOne(check(sysctl('kernel/shmmax', without('ipc'))), '/linux/sysctl/kernel~1shmmax', 'sysctl');
});

test('toDottedSysctl and pointer escaping', () => {
  assert.equal(toDottedSysctl('net/ipv4/conf/eno2.100/rp_filter'), 'net.ipv4.conf.eno2/100.rp_filter');
  assert.equal(toDottedSysctl('net.ipv4.ip_forward'), 'net.ipv4.ip_forward');
  assert.equal(pointer('linux', 'sysctl', 'a/b~c', 3), '/linux/sysctl/a~1b~0c/3');
});

test('maskedPaths/readonlyPaths need a mount namespace and absolute paths', () => {
  expectOne(check((s) => linux(s).readonlyPaths!.push('proc/x')), '/linux/readonlyPaths/5', 'path-absolute');
  expectOne(check((s) => linux(s).maskedPaths!.splice(1, 0, 'x')), '/linux/maskedPaths/1', 'path-absolute');
  const found = check((s) => (linux(s).namespaces = linux(s).namespaces!.filter((n) => n.type !== 'mount')));
  expectOne(found, '/linux/maskedPaths', 'mount-namespace');
});

test('timeOffsets need a time namespace', () => {
  expectOne(check((s) => (linux(s).timeOffsets = { monotonic: { secs: 1 } })), '/linux/timeOffsets', 'time-namespace');
  assert.deepEqual(check((s) => {
    linux(s).timeOffsets = { monotonic: { secs: 1 } };
    linux(s).namespaces!.push({ type: 'time' });
  }), []);
});

test('rlimits: unknown type, soft above hard, duplicates', () => {
  expectOne(check((s) => (s.process!.rlimits = [{ type: 'RLIMIT_BOGUS', hard: 1, soft: 1 }])), '/process/rlimits/0/type', 'rlimit-type');
  expectOne(check((s) => (s.process!.rlimits = [{ type: 'RLIMIT_CORE', hard: 1, soft: 2 }])), '/process/rlimits/0/soft', 'rlimit-soft');
  const f = expectOne(
    check((s) => s.process!.rlimits!.push({ type: 'RLIMIT_CPU', hard: 1, soft: 1 }, { type: 'RLIMIT_NOFILE', hard: 2, soft: 2 })),
    '/process/rlimits/2/type',
    'rlimit-duplicate',
  );
  assert.match(f.expected!, /\/process\/rlimits\/0/);
});

test('capabilities: not a capability is an error, one the kernel lacks a warning', () => {
  expectOne(check((s) => s.process!.capabilities!.effective!.push('CAP_BOGUS')), '/process/capabilities/effective/3', 'capability-unknown');
  expectOne(check((s) => s.process!.capabilities!.effective!.push('cap_kill')), '/process/capabilities/effective/3', 'capability-unknown');
  const f = expectOne(
    check((s) => (s.process!.capabilities!.inheritable = ['CAP_KILL', 'CAP_BPF']), { lastCap: () => 37 }),
    '/process/capabilities/inheritable/1',
    'capability-unavailable',
    'warning',
  );
  assert.match(f.found!, /CAP_BPF \(39\)/);
  assert.deepEqual(check((s) => (s.process!.capabilities!.inheritable = ['CAP_CHECKPOINT_RESTORE'])), []);
});

test('hook paths must be absolute', () => {
  expectOne(check((s) => (s.hooks = { poststart: [{ path: '/bin/true' }, { path: 'bin/true' }] })), '/hooks/poststart/1/path', 'hook-path');
  expectOne(check((s) => (s.hooks = { createRuntime: [{ path: './hook' }] })), '/hooks/createRuntime/0/path', 'hook-path');
});

test('cgroupsPath: cgroupfs paths may not escape, the systemd form needs --systemd-cgroup', () => {
  const cg = (p: string) => (s: Spec) => (linux(s).cgroupsPath = p);
  for (const ok of ['/runts/abc', 'runts/abc', 'a/../b', '/a/./b']) assert.deepEqual(check(cg(ok)), [], ok);
  expectOne(check(cg('../x')), '/linux/cgroupsPath', 'cgroups-path');
  expectOne(check(cg('/a/../../x')), '/linux/cgroupsPath', 'cgroups-path');
  expectOne(check(cg('system.slice:runts:abc')), '/linux/cgroupsPath', 'cgroups-path');
  assert.deepEqual(check(cg('system.slice:runts:abc'), {}, true), []);
  const f = expectOne(check(cg('/runts/abc'), {}, true), '/linux/cgroupsPath', 'cgroups-path');
  assert.match(f.message, /slice:prefix:name/);
});

test('seccomp: unknown names, errnoRet without an errno action, notify without a listener', () => {
  const sc = (seccomp: NonNullable<NonNullable<Spec['linux']>['seccomp']>) => (s: Spec) => (linux(s).seccomp = seccomp);
  assert.deepEqual(check(sc({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] })), []);
  expectOne(check(sc({ defaultAction: 'SCMP_ACT_NOPE' })), '/linux/seccomp/defaultAction', 'seccomp-action');
  expectOne(check(sc({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_PDP11'] })), '/linux/seccomp/architectures/0', 'seccomp-arch');
  expectOne(
    check(sc({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_LIKE' }] }] })),
    '/linux/seccomp/syscalls/0/args/0/op',
    'seccomp-operator',
  );
  expectOne(check(sc({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 })), '/linux/seccomp/defaultErrnoRet', 'seccomp-errnoret');
  expectOne(
    check(sc({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] })),
    '/linux/seccomp/syscalls/0/errnoRet',
    'seccomp-errnoret',
  );
  assert.deepEqual(check(sc({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_TRACE', errnoRet: 1 }] })), []);
  expectOne(
    check(sc({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_NOTIFY' }] })),
    '/linux/seccomp/listenerPath',
    'seccomp-listener',
  );
});

test('devices: type, major/minor, path under /dev', () => {
  const dev = (d: NonNullable<NonNullable<Spec['linux']>['devices']>[number]) => (s: Spec) => (linux(s).devices = [d]);
  assert.deepEqual(check(dev({ path: '/dev/fuse', type: 'c', major: 10, minor: 229 })), []);
  assert.deepEqual(check(dev({ path: '/dev/myfifo', type: 'p' })), []);
  expectOne(check(dev({ path: '/dev/x', type: 'x', major: 1, minor: 1 })), '/linux/devices/0/type', 'device-type');
  expectOne(check(dev({ path: '/dev/x', type: 'b', minor: 1 })), '/linux/devices/0/major', 'device-number');
  expectOne(check(dev({ path: '/dev/x', type: 'u', major: 1 })), '/linux/devices/0/minor', 'device-number');
  expectOne(check(dev({ path: 'dev/x', type: 'c', major: 1, minor: 1 })), '/linux/devices/0/path', 'device-path');
  expectOne(check(dev({ path: '/etc/x', type: 'c', major: 1, minor: 1 })), '/linux/devices/0/path', 'device-path');
  expectOne(check(dev({ path: '/dev/../etc/x', type: 'c', major: 1, minor: 1 })), '/linux/devices/0/path', 'device-path');
});

test('rootfsPropagation must be a known propagation', () => {
  assert.deepEqual(check((s) => (linux(s).rootfsPropagation = 'rslave')), []);
  expectOne(check((s) => (linux(s).rootfsPropagation = 'rsideways')), '/linux/rootfsPropagation', 'rootfs-propagation');
});

test('rules survive documents of the wrong shape (the schema reports those)', () => {
  const garbage: unknown[] = [
    { ociVersion: 5, process: 'x', root: [], mounts: {}, hooks: { poststart: 'x' }, linux: 'x' },
    {
      ociVersion: '1.0.0',
      root: { path: 7 },
      process: { args: 'sh', cwd: 3, capabilities: { bounding: 'CAP_KILL', effective: [3, null] }, rlimits: [null, 'x', { type: 1 }] },
      mounts: [null, 3, { destination: 4, uidMappings: 'x' }],
      hostname: 5,
      linux: {
        namespaces: [null, 'pid', { type: 3 }, { type: 'network', path: 9 }],
        uidMappings: 'x',
        gidMappings: [null, { containerID: 'a', hostID: 1, size: 1 }],
        sysctl: ['kernel.shmmax'],
        devices: [null, { type: 3, path: {} }],
        seccomp: { defaultAction: 1, syscalls: [null, { args: 'x' }], architectures: [1] },
        maskedPaths: 'x',
        readonlyPaths: [1],
        cgroupsPath: 3,
        rootfsPropagation: [],
      },
    },
  ];
  for (const g of garbage) {
    const found = semanticFindings(g as Spec, '/bundle', fakeHost());
    assert.deepEqual(found.filter((f) => f.rule === 'internal'), [], JSON.stringify(found));
  }
});

test('a rule that throws becomes an internal finding, not a crash', () => {
  const found = check(() => undefined, { lastCap: () => { throw new Error('boom'); } });
  const f = expectOneInternal(found);
  assert.match(f.message, /capabilitiesKnown failed: boom/);
});

function expectOneInternal(found: Finding[]): Finding {
  assert.equal(found.length, 1);
  assert.equal(found[0]!.rule, 'internal');
  assert.equal(found[0]!.severity, 'error');
  return found[0]!;
}

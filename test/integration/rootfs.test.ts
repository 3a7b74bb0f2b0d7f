// The rootfs as a container sees it: real containers as root (`runts run`, files as
// stdio), probed from inside with busybox, and where runc 1.1 is the reference the same
// config under `runc run` compared line by line (mount ids, peer-group numbers, bundle
// paths and container ids normalised). Every test removes what it made, even when it
// fails, and asserts nothing is left over and the host's mounts are untouched.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeBundle, type Bundle } from '../support/bundle';
import { makeIo, runtsIo, type Io } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { tmpRoot } from '../support/runts';
import type { Spec } from '../../src/spec/types';

const skip = requires('root', 'busybox');
const skipRunc = requires('root', 'busybox', 'runc');

type Mutate = (spec: Spec, bundle: Bundle) => void;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

interface Env {
  root: string;
  bundle: Bundle;
  io: Io;
  id: string;
}

let counter = 0;
const cleanups = new WeakMap<TestContext, Array<() => void>>();

/**
 * Run `fn` after the test, last registered first (node:test runs its after hooks in
 * registration order): a mount made after its directory is undone before the directory goes.
 */
function defer(t: TestContext, fn: () => void): void {
  let stack = cleanups.get(t);
  if (stack === undefined) {
    const fresh: Array<() => void> = [];
    stack = fresh;
    cleanups.set(t, fresh);
    t.after(() => {
      for (let f = fresh.pop(); f !== undefined; f = fresh.pop()) f();
    });
  }
  stack.push(fn);
}

const uniqueId = (tag: string): string => `rfs-${tag}-${process.pid}-${++counter}`;

/** A fresh bundle whose process runs `sh -c script`, changed by `mutate`. */
function env(t: TestContext, tag: string, script: string, mutate?: Mutate): Env {
  const root = tmpRoot();
  const bundle = makeBundle();
  const io = makeIo();
  defer(t, () => {
    root.cleanup();
    bundle.remove();
    io.remove();
  });
  bundle.update((s) => {
    s.process!.args = ['sh', '-c', script];
    mutate?.(s, bundle);
  });
  return { root: root.path, bundle, io, id: uniqueId(tag) };
}

function runts(e: Env): Run {
  return runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
}

/** runc run of its own fresh bundle with the same config (runts may have created files in its rootfs). */
function runc(t: TestContext, tag: string, script: string, mutate?: Mutate): Run & { id: string; bundle: Bundle } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runc-root-'));
  const bundle = makeBundle();
  const id = uniqueId(`${tag}-runc`);
  defer(t, () => {
    spawnSync('runc', ['--root', root, 'delete', '-f', id], { stdio: 'ignore' });
    fs.rmSync(root, { recursive: true, force: true });
    bundle.remove();
  });
  bundle.update((s) => {
    s.process!.args = ['sh', '-c', script];
    mutate?.(s, bundle);
  });
  const r = spawnSync('runc', ['--root', root, 'run', '--bundle', bundle.dir, id], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, id, bundle };
}

function assertClean(e: Env): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}

interface MountLine {
  id: string;
  parent: string;
  root: string;
  mountPoint: string;
  opts: string;
  optional: string[];
  fstype: string;
  source: string;
  superOpts: string;
}

function parseMountinfo(text: string): MountLine[] {
  const out: MountLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0) continue;
    out.push({
      id: f[0]!,
      parent: f[1]!,
      root: f[3]!,
      mountPoint: f[4]!,
      opts: f[5]!,
      optional: f.slice(6, sep),
      fstype: f[sep + 1]!,
      source: f[sep + 2]!,
      superOpts: f[sep + 3] ?? '',
    });
  }
  return out;
}

/**
 * mountinfo without what differs from run to run: mount and peer-group ids (the parent
 * becomes its mount point), device numbers of anonymous filesystems, the bundle path and
 * the container id.
 */
function normMountinfo(text: string, bundleDir: string, id: string): string[] {
  const lines = parseMountinfo(text);
  const byId = new Map(lines.map((l) => [l.id, l.mountPoint]));
  const clean = (s: string): string => s.split(bundleDir).join('<bundle>').split(id).join('<id>');
  return lines.map((l) =>
    [
      l.mountPoint,
      `parent=${byId.get(l.parent) ?? '<outside>'}`,
      clean(l.root),
      l.opts,
      l.optional.map((o) => o.replace(/:\d+$/, '')).join(',') || 'private',
      '-',
      l.fstype,
      clean(l.source),
      l.superOpts,
    ].join(' '),
  );
}

/** Mount points on the host under any of `dirs` (the container's mounts must never appear here). */
function hostMountsUnder(...dirs: string[]): string[] {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((l) => l.mountPoint)
    .filter((mp) => dirs.some((d) => mp === d || mp.startsWith(d + '/')));
}

/** A host directory for bind sources and escape targets, removed after the test. */
function hostDir(t: TestContext, tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `runts-host-${tag}-`));
  defer(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Mount a host tmpfs (or bind) and undo it after the test, even when it fails. */
function hostMount(t: TestContext, args: string[], target: string): () => void {
  execFileSync('mount', [...args, target]);
  let mounted = true;
  const undo = (): void => {
    if (!mounted) return;
    mounted = false;
    spawnSync('umount', ['-l', target], { stdio: 'ignore' });
  };
  defer(t, undo);
  return undo;
}

/** Every file under dir with its content (or "dir"/"-> target"), for "unchanged" checks. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) {
        out[rel] = 'dir';
        walk(p);
      } else out[rel] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function hasMountSetattr(): boolean {
  const [major = 0, minor = 0] = os.release().split('.').map((n) => parseInt(n, 10));
  return major > 5 || (major === 5 && minor >= 12);
}

test('default mounts: fstype, flags and options of every line as under runc', { skip: skipRunc }, (t) => {
  const script = 'cat /proc/self/mountinfo';
  const e = env(t, 'defaults', script);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const c = runc(t, 'defaults', script);
  assert.equal(c.status, 0, c.stderr);
  const ours = normMountinfo(r.stdout, e.bundle.dir, e.id);
  const theirs = normMountinfo(c.stdout, c.bundle.dir, c.id);
  assert.deepEqual(ours, theirs);

  // What runc's defaults mean, asserted on their own so that a runc change cannot hide a bug.
  const m = new Map(parseMountinfo(r.stdout).map((l) => [l.mountPoint, l]));
  const expect: Array<[string, string, string, RegExp]> = [
    ['/', 'ext4|xfs|btrfs|overlay|tmpfs', '^ro,', /.*/],
    ['/proc', 'proc', '^rw,relatime$', /.*/],
    ['/dev', 'tmpfs', '^rw,nosuid$', /^rw,size=65536k,mode=755/],
    ['/dev/pts', 'devpts', '^rw,nosuid,noexec,relatime$', /gid=5,mode=620,ptmxmode=666/],
    ['/dev/shm', 'tmpfs', '^rw,nosuid,nodev,noexec,relatime$', /size=65536k/],
    ['/dev/mqueue', 'mqueue', '^rw,nosuid,nodev,noexec,relatime$', /.*/],
    ['/sys', 'sysfs', '^ro,nosuid,nodev,noexec,relatime$', /^ro$/],
    ['/sys/fs/cgroup', 'tmpfs', '^rw,nosuid,nodev,noexec,relatime$', /mode=755/],
    ['/sys/fs/cgroup/memory', 'cgroup', '^ro,nosuid,nodev,noexec,relatime$', /memory/],
    ['/proc/sys', 'proc', '^ro,relatime$', /.*/],
    ['/sys/firmware', 'tmpfs', '^ro,relatime$', /.*/],
  ];
  for (const [mp, fstype, opts, superOpts] of expect) {
    const l = m.get(mp);
    assert.ok(l !== undefined, `${mp} is mounted`);
    assert.match(l.fstype, new RegExp(`^(${fstype})$`), mp);
    assert.match(l.opts, new RegExp(opts), mp);
    assert.match(l.superOpts, superOpts, mp);
  }
  // the container's own memory cgroup, not the hierarchy's root
  assert.match(m.get('/sys/fs/cgroup/memory')!.root, new RegExp(`/${e.id}$`));
  assertClean(e);
});

test('rootfsPropagation: "/" propagates as under runc; shared and unbindable apply to the container root', { skip: skipRunc }, (t) => {
  // The bundle on a shared mount of its own, as on systemd hosts, so that propagation is visible.
  const shareBundle: Mutate = (_s, b) => {
    hostMount(t, ['--bind', b.dir], b.dir);
    execFileSync('mount', ['--make-shared', b.dir]);
  };
  const script = 'cat /proc/self/mountinfo';
  const rootProp = (text: string): string => {
    const l = parseMountinfo(text).find((x) => x.mountPoint === '/');
    return l === undefined ? 'missing' : l.optional.map((o) => o.replace(/:\d+$/, '')).join(',') || 'private';
  };
  const expected: Record<string, string> = { '': 'master', private: 'private', rprivate: 'private', slave: 'private', rslave: 'master' };
  for (const [prop, want] of Object.entries(expected)) {
    const mutate: Mutate = (s, b) => {
      shareBundle(s, b);
      if (prop !== '') s.linux!.rootfsPropagation = prop;
    };
    const e = env(t, `prop-${prop || 'default'}`, script, mutate);
    const r = runts(e);
    assert.equal(r.status, 0, r.stderr);
    const c = runc(t, `prop-${prop || 'default'}`, script, mutate);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(rootProp(r.stdout), rootProp(c.stdout), `rootfsPropagation "${prop}": runts and runc differ`);
    assert.equal(rootProp(r.stdout), want, `rootfsPropagation "${prop}"`);
    spawnSync('umount', ['-l', e.bundle.dir]);
    assertClean(e);
  }
  // runc 1.1 leaves "/" private for these (runc#1755, fixed in runc 1.2.7/1.3): runts follows the fix.
  for (const [prop, want, sub] of [
    ['shared', 'shared', 'private'],
    ['rshared', 'shared', 'shared'],
    ['runbindable', 'unbindable', 'unbindable'],
  ] as const) {
    const e = env(t, `prop-${prop}`, script, (s, b) => {
      shareBundle(s, b);
      s.linux!.rootfsPropagation = prop;
    });
    const r = runts(e);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(rootProp(r.stdout), want, prop);
    const proc = parseMountinfo(r.stdout).find((x) => x.mountPoint === '/proc');
    assert.equal(proc?.optional.map((o) => o.replace(/:\d+$/, '')).join(',') || 'private', sub, `${prop}: /proc`);
    spawnSync('umount', ['-l', e.bundle.dir]);
    assertClean(e);
  }
});

test('bind mounts: dir and file, ro and rw, rbind with rro, relative source, targets created', { skip: skipRunc }, (t) => {
  const host = hostDir(t, 'bind');
  fs.mkdirSync(path.join(host, 'dir', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(host, 'dir', 'f'), 'dir-file\n');
  fs.writeFileSync(path.join(host, 'file'), 'host-file\n');
  // a submount, so that rbind and rro have something to recurse into
  hostMount(t, ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs'], path.join(host, 'dir', 'sub'));
  fs.writeFileSync(path.join(host, 'dir', 'sub', 'inner'), 'inner\n');
  const before = snapshot(host);
  const hostMountsBefore = hostMountsUnder(host);

  const rro = hasMountSetattr();
  const mutate: Mutate = (s, b) => {
    fs.mkdirSync(path.join(b.dir, 'rel'));
    fs.writeFileSync(path.join(b.dir, 'rel', 'r'), 'relative\n');
    s.mounts!.push(
      { destination: '/new/dir/ro', type: 'bind', source: path.join(host, 'dir'), options: ['bind', 'ro'] },
      { destination: '/new/dir/rw', type: 'bind', source: path.join(host, 'dir'), options: ['rbind', 'rw'] },
      { destination: '/new/file', type: 'bind', source: path.join(host, 'file'), options: ['bind', 'ro'] },
      { destination: '/new/file-rw', type: 'bind', source: path.join(host, 'file'), options: ['bind'] },
      { destination: '/rel', source: 'rel', options: ['bind'] },
      { destination: '/rec', type: 'bind', source: path.join(host, 'dir'), options: ['rbind', ...(rro ? ['rro'] : ['ro'])] },
    );
  };
  const script = [
    'grep -E " /(new|rel|rec)" /proc/self/mountinfo',
    'stat -c "%n %F" /new/dir/ro /new/file /new/file-rw /rel',
    'cat /new/dir/ro/f /new/file /rel/r /new/dir/rw/sub/inner',
    'ls /new/dir/ro/sub',
    'touch /new/dir/ro/w 2>&1',
    'touch /new/file 2>&1 ; echo >> /new/file 2>&1',
    'echo rw > /new/dir/rw/sub/w && cat /new/dir/rw/sub/w && rm /new/dir/rw/sub/w',
    'touch /rec/sub/w 2>&1',
    'true',
  ].join('; ');
  const e = env(t, 'bind', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const c = runc(t, 'bind', script, mutate);
  assert.equal(c.status, 0, c.stderr);
  const norm = (s: string, b: Bundle): string => s.replace(/^\d+ \d+ \d+:\d+ /gm, '').split(b.dir).join('<bundle>');
  assert.equal(norm(r.stdout, e.bundle), norm(c.stdout, c.bundle));

  const lines = r.stdout.split('\n');
  const mi = new Map(parseMountinfo(r.stdout).map((l) => [l.mountPoint, l]));
  assert.match(mi.get('/new/dir/ro')!.opts, /^ro,/);
  assert.match(mi.get('/new/dir/rw')!.opts, /^rw,/);
  assert.match(mi.get('/new/file')!.opts, /^ro,/);
  assert.equal(mi.get('/rel')!.root, path.join(e.bundle.dir, 'rel'), 'relative source resolved against the bundle');
  assert.ok(mi.has('/new/dir/rw/sub'), 'rbind brings the submount');
  assert.ok(!mi.has('/new/dir/ro/sub'), 'bind does not');
  assert.match(mi.get('/rec/sub')?.opts ?? '', rro ? /^ro,/ : /^rw,/, 'rro makes the submount read-only too');
  for (const want of [
    '/new/dir/ro directory',
    '/new/file regular file',
    '/new/file-rw regular file',
    '/rel directory',
    'dir-file',
    'host-file',
    'relative',
    'inner',
    'touch: /new/dir/ro/w: Read-only file system',
    'touch: /new/file: Read-only file system',
    'rw',
  ]) {
    assert.ok(lines.includes(want), `missing "${want}" in:\n${r.stdout}`);
  }
  if (rro) assert.ok(lines.includes('touch: /rec/sub/w: Read-only file system'), r.stdout);
  // The targets were created in the rootfs (as a dir and as a file), not on the host.
  assert.ok(fs.statSync(path.join(e.bundle.rootfs, 'new', 'dir', 'ro')).isDirectory());
  assert.ok(fs.statSync(path.join(e.bundle.rootfs, 'new', 'file')).isFile());
  assert.deepEqual(snapshot(host), before);
  assert.deepEqual(hostMountsUnder(host), hostMountsBefore);
  assertClean(e);
});

test('tmpfs: size/mode/uid/gid on a new target, an existing target lends its mode, ro tmpfs', { skip: skipRunc }, (t) => {
  const mutate: Mutate = (s) => {
    s.mounts!.push(
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'mode=0700', 'uid=1000', 'gid=1001', 'noexec'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['size=2m', 'nosuid'] },
      { destination: '/root', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'mode=0700'] },
    );
  };
  const script = 'grep -E " /(t|tmp|root) " /proc/self/mountinfo; stat -c "%n %a %u %g" /t /tmp /root; touch /tmp/ok && echo tmp-writable; touch /root/x 2>&1; true';
  const e = env(t, 'tmpfs', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const c = runc(t, 'tmpfs', script, mutate);
  assert.equal(c.status, 0, c.stderr);
  const norm = (s: string): string => s.replace(/^\d+ \d+ \d+:\d+ /gm, '');
  assert.equal(norm(r.stdout), norm(c.stdout));
  const lines = r.stdout.split('\n');
  for (const want of ['/t 700 1000 1001', '/tmp 1777 0 0', '/root 755 0 0', 'tmp-writable', 'touch: /root/x: Read-only file system']) {
    assert.ok(lines.includes(want), `missing "${want}" in:\n${r.stdout}`);
  }
  const mi = new Map(parseMountinfo(r.stdout).map((l) => [l.mountPoint, l]));
  assert.equal(mi.get('/t')?.opts, 'rw,noexec,relatime');
  assert.equal(mi.get('/t')?.superOpts, 'rw,size=1024k,mode=700,uid=1000,gid=1001');
  assert.match(mi.get('/root')?.opts ?? '', /^ro,/);
  assertClean(e);
});

test('tmpcopyup: the image directory\'s files, owners, modes and symlinks show up in the new tmpfs; the rootfs is untouched', { skip: skipRunc }, (t) => {
  const mutate: Mutate = (s, b) => {
    const srv = path.join(b.rootfs, 'srv');
    fs.mkdirSync(path.join(srv, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(srv, 'a'), 'from-image\n');
    fs.chmodSync(path.join(srv, 'a'), 0o646);
    fs.chownSync(path.join(srv, 'a'), 1000, 1001);
    fs.writeFileSync(path.join(srv, 'sub/b'), 'b\n');
    fs.chmodSync(path.join(srv, 'sub'), 0o750);
    fs.symlinkSync('a', path.join(srv, 'l'));
    s.root!.readonly = true;
    s.mounts!.push({ destination: '/srv', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'nosuid'] });
  };
  const script = 'cd /srv && stat -c "%n %a %u %g %F" a sub sub/b l && cat l && readlink l && echo new > a && cat a && touch /srv/c && ls /srv && grep -c " /srv " /proc/self/mountinfo';
  const e = env(t, 'copyup', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const c = runc(t, 'copyup', script, mutate);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(r.stdout, c.stdout);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    'a 646 1000 1001 regular file',
    'sub 750 0 0 directory',
    'sub/b 644 0 0 regular file',
    'l 777 0 0 symbolic link',
    'from-image',
    'a',
    'new',
    'a',
    'c',
    'l',
    'sub',
    '1',
  ]);
  // the writes went to the tmpfs, not to the image
  assert.equal(fs.readFileSync(path.join(e.bundle.rootfs, 'srv/a'), 'utf8'), 'from-image\n');
  assert.ok(!fs.existsSync(path.join(e.bundle.rootfs, 'srv/c')));
  assertClean(e);
});

test('/dev: default nodes, symlinks, shm, and linux.devices with their mode and owner', { skip: skipRunc }, (t) => {
  const mutate: Mutate = (s) => {
    s.linux!.devices = [
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o620, uid: 1000, gid: 1001 },
      { path: '/dev/sub/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o600 },
      { path: '/dev/fifo', type: 'p' },
    ];
  };
  const script = 'stat -c "%n %a %u %g %t:%T %F" /dev/* /dev/sub/* /dev/pts/ptmx | sort; for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done';
  const e = env(t, 'dev', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const c = runc(t, 'dev', script, mutate);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(r.stdout, c.stdout);
  const lines = r.stdout.split('\n');
  for (const want of [
    '/dev/null 666 0 0 1:3 character special file',
    '/dev/zero 666 0 0 1:5 character special file',
    '/dev/full 666 0 0 1:7 character special file',
    '/dev/random 666 0 0 1:8 character special file',
    '/dev/urandom 666 0 0 1:9 character special file',
    '/dev/tty 666 0 0 5:0 character special file',
    '/dev/fuse 620 1000 1001 a:e5 character special file',
    '/dev/sub/kmsg 600 0 0 1:b character special file',
    '/dev/fifo 666 0 0 0:0 fifo',
    '/dev/pts/ptmx 666 0 0 5:2 character special file',
    '/dev/shm 1777 0 0 0:0 directory',
    'fd -> /proc/self/fd',
    'stdin -> /proc/self/fd/0',
    'stdout -> /proc/self/fd/1',
    'stderr -> /proc/self/fd/2',
    'ptmx -> pts/ptmx',
  ]) {
    assert.ok(lines.includes(want), `missing "${want}" in:\n${r.stdout}`);
  }
  assertClean(e);
});

test('maskedPaths, readonlyPaths and a read-only root', { skip: skipRunc }, (t) => {
  // Paths of the rootfs itself, on a writable root, so that only the masks make them so.
  const masks: Mutate = (s, b) => {
    fs.mkdirSync(path.join(b.rootfs, 'secret'));
    fs.writeFileSync(path.join(b.rootfs, 'secret', 'key'), 'hidden\n');
    fs.mkdirSync(path.join(b.rootfs, 'var'));
    s.root!.readonly = false;
    s.linux!.maskedPaths!.push('/etc/group', '/secret', '/does/not/exist');
    s.linux!.readonlyPaths!.push('/var', '/nope');
  };
  const script = [
    'wc -c < /etc/group',
    'ls -A /secret | wc -l',
    'ls -A /proc/acpi | wc -l',
    'touch /secret/x 2>&1',
    'touch /var/x 2>&1',
    'touch /rootfs-is-rw && echo root-writable',
    '(echo 1 > /proc/sys/kernel/ns_last_pid) 2>&1',
    'wc -c < /proc/keys',
    '[ ! -e /proc/kcore ] || [ "$(head -c 1 /proc/kcore | wc -c)" = 0 ] && echo kcore-unusable',
    '(echo h > /proc/sysrq-trigger) 2>/dev/null || echo sysrq-unusable',
    'true',
  ].join('; ');
  const e = env(t, 'masks', script, masks);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const c = runc(t, 'masks', script, masks);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(r.stdout, c.stdout);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    '0',
    '0',
    '0',
    'touch: /secret/x: Read-only file system',
    'touch: /var/x: Read-only file system',
    'root-writable',
    'sh: can\'t create /proc/sys/kernel/ns_last_pid: Read-only file system',
    '0',
    'kcore-unusable',
    'sysrq-unusable',
  ]);
  // the host's files behind the masks were not touched
  assert.equal(fs.readFileSync(path.join(e.bundle.rootfs, 'secret', 'key'), 'utf8'), 'hidden\n');
  assertClean(e);

  const roScript = 'touch /x 2>&1; touch /tmp/x 2>&1; touch /dev/shm/x && echo shm-writable; awk \'$5 == "/" { print $6 }\' /proc/self/mountinfo; true';
  const ro = env(t, 'roroot', roScript);
  const rr = runts(ro);
  assert.equal(rr.status, 0, rr.stderr);
  const rc = runc(t, 'roroot', roScript);
  assert.equal(rc.status, 0, rc.stderr);
  assert.equal(rr.stdout, rc.stdout);
  assert.deepEqual(rr.stdout.trim().split('\n'), [
    'touch: /x: Read-only file system',
    'touch: /tmp/x: Read-only file system',
    'shm-writable',
    'ro,relatime',
  ]);
  assertClean(ro);
});

test('hostname, domainname and linux.sysctl inside; the host values unchanged', { skip: skipRunc }, (t) => {
  const sysctlFile = (k: string): string => `/proc/sys/${k.replace(/\./g, '/')}`;
  const keys = ['net.ipv4.ip_forward', 'kernel.shmmax', 'kernel.msgmax'];
  const hostBefore = [...keys.map((k) => fs.readFileSync(sysctlFile(k), 'utf8')), os.hostname(), fs.readFileSync('/proc/sys/kernel/domainname', 'utf8')];
  const mutate: Mutate = (s) => {
    s.hostname = 'rfs-host';
    s.domainname = 'rfs.example';
    s.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '123456789', 'kernel.msgmax': '9000' };
  };
  const script = 'hostname; cat /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/kernel/msgmax';
  const e = env(t, 'uts', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'rfs-host\nrfs.example\n1\n123456789\n9000\n');
  const c = runc(t, 'uts', script, mutate);
  assert.equal(c.status, 0, c.stderr);
  // runc 1.1 ignores domainname (added in runc 1.2): compare everything else.
  const [h, , ...rest] = c.stdout.split('\n');
  assert.deepEqual([h, ...rest], ['rfs-host', '1', '123456789', '9000', '']);
  const hostAfter = [...keys.map((k) => fs.readFileSync(sysctlFile(k), 'utf8')), os.hostname(), fs.readFileSync('/proc/sys/kernel/domainname', 'utf8')];
  assert.deepEqual(hostAfter, hostBefore);
  assertClean(e);
});

test('a mount target that is a symlink to a host path stays inside the rootfs', { skip }, (t) => {
  const host = hostDir(t, 'esc');
  const host2 = hostDir(t, 'esc-rel');
  fs.writeFileSync(path.join(host, 'keep'), 'keep\n');
  const before = [snapshot(host), snapshot(host2)];
  const mutate: Mutate = (s, b) => {
    fs.symlinkSync(host, path.join(b.rootfs, 'mnt'));
    // relative, with more ".." than the rootfs is deep
    fs.symlinkSync(`../../../../../../../..${host2}`, path.join(b.rootfs, 'rel'));
    s.mounts!.push(
      { destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      { destination: '/mnt/sub/b', type: 'bind', source: '/etc', options: ['bind', 'ro'] },
      { destination: '/rel', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    );
  };
  const script = 'ls -A /mnt; ls -A /mnt/sub; stat -f -c %T /mnt; cut -d" " -f5 /proc/self/mountinfo | grep -E "^/(mnt|rel|tmp)"';
  const e = env(t, 'esc', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['sub', 'b', 'tmpfs'], r.stdout);
  // the symlink was followed inside the rootfs: the mounts sit on <rootfs><host>
  assert.deepEqual(lines.slice(3).sort(), [host, `${host}/sub/b`, host2].sort());
  assert.ok(fs.statSync(path.join(e.bundle.rootfs, host)).isDirectory(), 'the target was created in the rootfs');
  assert.ok(fs.statSync(path.join(e.bundle.rootfs, host2)).isDirectory(), 'the target was created in the rootfs');
  assert.deepEqual([snapshot(host), snapshot(host2)], before, 'the host directories were not written');
  assert.deepEqual(hostMountsUnder(host, host2), [], 'nothing was mounted on the host directories');
  assertClean(e);
});

test('a rootfs whose /dev is a symlink to a host directory: /dev is built inside, the host dir untouched', { skip }, (t) => {
  // runc 1.1.5 starts this container too, but writes its /dev/fd, stdin, stdout, stderr
  // and ptmx symlinks into the host directory (it joins paths on the host before pivot_root).
  const host = hostDir(t, 'devesc');
  fs.writeFileSync(path.join(host, 'keep'), 'keep\n');
  const before = snapshot(host);
  const mutate: Mutate = (_s, b) => {
    fs.rmdirSync(path.join(b.rootfs, 'dev'));
    fs.symlinkSync(host, path.join(b.rootfs, 'dev'));
  };
  const script = 'ls /dev | xargs; readlink /dev/ptmx; stat -c "%t:%T" /dev/null';
  const e = env(t, 'devesc', script, mutate);
  const r = runts(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero\npts/ptmx\n1:3\n',
  );
  assert.deepEqual(snapshot(host), before, 'the host directory was not written');
  assert.deepEqual(hostMountsUnder(host), [], 'nothing was mounted on the host directory');
  assertClean(e);
});

test('cgroup mount: v1 hierarchies read-only, each the container\'s own cgroup, with and without a cgroup namespace', { skip: requires('root', 'busybox', 'cgroup-v1') }, (t) => {
  const script = [
    'echo self $$',
    // read by the shell itself: a reader process would list itself and be gone by the check
    'while read p; do [ -d /proc/$p ] && echo inside $p || echo outside $p; done < /sys/fs/cgroup/memory/cgroup.procs',
    'grep ":memory:" /proc/self/cgroup',
    'grep " /sys/fs/cgroup/memory " /proc/self/mountinfo',
    'touch /sys/fs/cgroup/memory/x 2>&1',
    'ls /sys/fs/cgroup | xargs',
    'true',
  ].join('; ');
  for (const cgroupns of [false, true]) {
    const e = env(t, cgroupns ? 'cgns' : 'cg', script, (s) => {
      if (cgroupns) s.linux!.namespaces!.push({ type: 'cgroup' });
    });
    const r = runts(e);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'self 1');
    const procs = lines.filter((l) => /^(inside|outside) /.test(l));
    assert.ok(procs.includes('inside 1'), r.stdout);
    assert.deepEqual(procs.filter((l) => l.startsWith('outside')), [], 'every pid listed is one of the container\'s');
    const cgPath = lines.find((l) => l.includes(':memory:'))!.split(':')[2];
    const mount = parseMountinfo(lines.find((l) => l.includes(' /sys/fs/cgroup/memory '))!)[0]!;
    assert.match(mount.opts, /^ro,nosuid,nodev,noexec/);
    if (cgroupns) {
      assert.equal(cgPath, '/');
      assert.equal(mount.root, '/');
      assert.equal(mount.fstype, 'cgroup');
    } else {
      assert.match(cgPath ?? '', new RegExp(`/${e.id}$`));
      assert.equal(mount.root, cgPath, 'the bind is the container\'s own memory cgroup');
    }
    assert.ok(lines.includes('touch: /sys/fs/cgroup/memory/x: Read-only file system'), r.stdout);
    assert.match(lines.at(-1) ?? '', /\bmemory\b.*\bsystemd\b/);
    assertClean(e);
  }
});

test('a failing mount makes create and run fail with one error naming the destination, and leaves nothing', { skip }, (t) => {
  const host = hostDir(t, 'fail');
  const cases: Array<{ name: string; verb?: string; mount: NonNullable<Spec['mounts']>[number]; error: RegExp; created: boolean }> = [
    {
      name: 'unknown fstype',
      verb: 'create',
      mount: { destination: '/x/y', type: 'nosuchfs', source: 'none' },
      error: /^time="[^"]+" level=error msg="runts create failed: unable to start container process: error during container init: error mounting \\"none\\" to rootfs at \\"\/x\/y\\": mount \/x\/y: no such device"\n$/,
      created: true,
    },
    {
      name: 'missing bind source',
      mount: { destination: '/x/y', type: 'bind', source: path.join(host, 'missing'), options: ['bind'] },
      error: new RegExp(`msg="runts (?:create|run) failed: unable to start container process: error during container init: error mounting \\\\"${path.join(host, 'missing')}\\\\" to rootfs at \\\\"/x/y\\\\": stat ${path.join(host, 'missing')}: no such file or directory"\\n$`),
      created: false,
    },
    {
      name: 'missing relative bind source',
      mount: { destination: '/x/y', source: 'missing', options: ['rbind', 'ro'] },
      error: /msg="runts (?:create|run) failed: unable to start container process: error during container init: error mounting \\"\/[^"]+\/missing\\" to rootfs at \\"\/x\/y\\": stat \/[^"]+\/missing: no such file or directory"\n$/,
      created: false,
    },
  ];
  const hostMountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  for (const k of cases) {
    const e = env(t, 'fail', 'echo started', (s) => {
      s.mounts!.push(k.mount);
    });
    const r = runtsIo(e.io, e.root, [k.verb ?? 'run', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 1, k.name);
    assert.equal(r.stdout, '', k.name);
    assert.match(r.stderr, k.error, k.name);
    assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, `${k.name}: one error line`);
    assert.equal(fs.existsSync(path.join(e.bundle.rootfs, 'x')), k.created, `${k.name}: target created`);
    assert.deepEqual(hostMountsUnder(e.bundle.dir, host), [], k.name);
    assertClean(e);
  }
  const norm = (s: string): string[] => parseMountinfo(s).map((l) => `${l.mountPoint} ${l.opts}`);
  assert.deepEqual(norm(fs.readFileSync('/proc/self/mountinfo', 'utf8')), norm(hostMountsBefore));
});

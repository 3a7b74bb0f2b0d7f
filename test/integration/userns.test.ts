// User namespaces as root: what runts creates in the rootfs (mount targets, the cwd,
// /dev and its entries) belongs to the mapped root, devices are bound from the host
// and usable, several mapping ranges, setgroups left alone, and a user namespace
// joined by path. Observed from outside (/proc/<pid>/root, stat) and inside (busybox).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Spec } from '../../src/spec/types';
import { containerEnv, createdPid, nsInode, runtsIo, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';

const skip = requires('root', 'busybox', 'userns');

const HOST_ROOT = 100000;
const TWO_RANGES = [
  { containerID: 0, hostID: HOST_ROOT, size: 1000 },
  { containerID: 1000, hostID: 200000, size: 1000 },
];

function userNs(s: Spec, maps = TWO_RANGES): void {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = maps;
  s.linux!.gidMappings = maps;
}

/** A bundle whose rootfs belongs to the mapped root, without /dev (so setup makes it). */
function env(t: TestContext, prefix: string, args: string[], mutate: (s: Spec) => void): ContainerEnv {
  const e = containerEnv(t, prefix, (s) => {
    s.process!.args = args;
    mutate(s);
  });
  fs.rmdirSync(path.join(e.bundle.rootfs, 'dev'));
  execFileSync('chown', ['-R', `${HOST_ROOT}:${HOST_ROOT}`, e.bundle.rootfs]);
  fs.chmodSync(e.bundle.dir, 0o755);
  return e;
}

/** create; tmpRoot's cleanup (registered by containerEnv) force-deletes it if the test fails. */
const create = createdPid;

function deleteForce(e: ContainerEnv): void {
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}

function mapText(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).join(' '));
}

test('userns: mount targets, cwd and /dev entries runts creates belong to the mapped root', { skip }, (t) => {
  const src = fs.mkdtempSync('/tmp/runts-userns-src-');
  t.after(() => fs.rmSync(src, { recursive: true, force: true }));
  const e = env(t, 'uo', ['sleep', '100'], (s) => {
    userNs(s);
    s.process!.cwd = '/work/here';
    s.mounts!.push({ destination: '/scratch/tmp', type: 'tmpfs', source: 'tmpfs' });
    s.mounts!.push({ destination: '/mnt/bound', type: 'bind', source: src, options: ['rbind'] });
  });
  const pid = create(e);

  // Host side of the rootfs: directories made by setup.
  for (const p of ['dev', 'work', 'work/here', 'scratch', 'scratch/tmp', 'mnt', 'mnt/bound']) {
    const st = fs.lstatSync(path.join(e.bundle.rootfs, p));
    assert.equal(st.uid, HOST_ROOT, `${p} uid`);
    assert.equal(st.gid, HOST_ROOT, `${p} gid`);
  }
  // The container's /dev (a tmpfs) seen through its root: the tmpfs itself, the
  // directories and symlinks in it.
  const dev = `/proc/${pid}/root/dev`;
  for (const p of ['', 'pts', 'shm', 'mqueue', 'fd', 'ptmx', 'stdin', 'stdout', 'stderr']) {
    const st = fs.lstatSync(path.join(dev, p));
    assert.equal(st.uid, HOST_ROOT, `/dev/${p} uid`);
    assert.equal(st.gid, HOST_ROOT, `/dev/${p} gid`);
  }
  // Devices are the host's nodes bound in (mknod is refused in a user namespace).
  const nul = fs.statSync(path.join(dev, 'null'));
  assert.ok(nul.isCharacterDevice());
  assert.equal(nul.rdev, fs.statSync('/dev/null').rdev);
  assert.equal(nul.ino, fs.statSync('/dev/null').ino);
  assert.equal(fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').filter((l) => / \/dev\/null /.test(l)).length, 1);

  // The same from inside: root owns what was made, the devices show the host's owner.
  const r = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', 'ls -lnd /dev /dev/shm /dev/mqueue /dev/pts /work/here /scratch/tmp | awk \'{print $3":"$4" "$NF}\'']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['0:0 /dev', '0:0 /dev/mqueue', '0:0 /dev/pts', '0:0 /dev/shm', '0:0 /scratch/tmp', '0:0 /work/here']);
  deleteForce(e);
});

test('userns: default and linux.devices are bound and usable; maps with two ranges; setgroups stays allow', { skip }, (t) => {
  const script = [
    'id',
    'cat /proc/self/uid_map /proc/self/gid_map',
    'cat /proc/self/setgroups',
    'echo x > /dev/null && echo null-ok',
    'head -c1 /dev/zero | od -An -tx1',
    'head -c4 /dev/urandom | wc -c',
    'ls -ln /dev/kmsg | awk \'{print $1" "$5$6}\'',
  ].join('; ');
  const e = env(t, 'ud', ['sh', '-c', script], (s) => {
    userNs(s);
    s.linux!.devices = [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644 }];
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'uid=0(root) gid=0(root)');
  const both = ['0 100000 1000', '1000 200000 1000'];
  assert.deepEqual(mapText(lines.slice(1, 5).join('\n')), [...both, ...both]);
  // Written by root, who needs no "deny" to map gids: the kernel default stays.
  assert.equal(lines[5], 'allow');
  assert.equal(lines[6], 'null-ok');
  assert.equal(lines[7]?.trim(), '00');
  assert.equal(lines[8]?.trim(), '4');
  assert.equal(lines[9], 'crw-r--r-- 1,11');
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
});

test('userns: a second container joins the first one\'s user namespace by path, with its own mount namespace', { skip }, (t) => {
  const holder = env(t, 'uh', ['sleep', '100'], (s) => userNs(s));
  const hpid = create(holder);

  const script = 'id; cat /proc/self/uid_map; ls -lnd /dev /dev/shm /work2 | awk \'{print $3":"$4" "$NF}\'; echo x > /dev/null && echo null-ok';
  const e = env(t, 'uj', ['sh', '-c', script], (s) => {
    s.linux!.namespaces!.push({ type: 'user', path: `/proc/${hpid}/ns/user` });
    s.process!.cwd = '/work2';
  });
  const pid = create(e);
  assert.equal(nsInode(pid, 'user'), nsInode(hpid, 'user'));
  assert.notEqual(nsInode(pid, 'mnt'), nsInode(hpid, 'mnt'));
  assert.notEqual(nsInode(pid, 'user'), nsInode('self', 'user'));
  // init is the joined namespace's root, and so is what setup made.
  const uids = /^Uid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/);
  assert.deepEqual(uids, [String(HOST_ROOT), String(HOST_ROOT), String(HOST_ROOT), String(HOST_ROOT)]);
  assert.equal(fs.statSync(path.join(e.bundle.rootfs, 'work2')).uid, HOST_ROOT);
  assert.equal(fs.statSync(`/proc/${pid}/root/dev/shm`).uid, HOST_ROOT);

  const s = runtsIo(e.io, e.root, ['start', e.id]);
  assert.equal(s.status, 0, s.stderr);
  // `start` returns once the process runs; its output is complete when it has exited.
  const deadline = Date.now() + 10_000;
  while (!e.io.read().stdout.includes('null-ok') && Date.now() < deadline) execFileSync('sleep', ['0.05']);
  const lines = e.io.read().stdout.trim().split('\n');
  assert.equal(lines[0], 'uid=0(root) gid=0(root)');
  assert.deepEqual(mapText(lines.slice(1, 3).join('\n')), ['0 100000 1000', '1000 200000 1000']);
  assert.deepEqual(lines.slice(3), ['0:0 /dev', '0:0 /dev/shm', '0:0 /work2', 'null-ok']);
  deleteForce(e);
  deleteForce(holder);
});

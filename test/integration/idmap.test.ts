// Idmapped bind mounts (runtime-spec mounts[].uidMappings/gidMappings, the idmap and
// ridmap options; runc 1.2's rules) as root: owners seen inside through the mapping, a
// file created inside landing on the host with the mapped-back owner, with and without
// a container user namespace, the container's own mapping for a bare "idmap", ridmap
// against idmap on a tree with a submount, and runc's refusals. No mount may stay on
// the host. Debian's runc 1.1.5 has no idmapped mounts, so there is no differential.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IdMapping, Spec } from '../../src/spec/types';
import { assertNoLeftovers, containerEnv, runtsIo, type ContainerEnv } from '../support/container';
import { requires } from '../support/requires';

const skip = requires('root', 'busybox', 'userns');

/** The container's user namespace: container ids 0..65535 are host ids 100000..165535. */
const CONTAINER_BASE = 100000;
const CONTAINER_MAP: IdMapping[] = [{ containerID: 0, hostID: CONTAINER_BASE, size: 65536 }];

/**
 * A mount mapping is "on-disk id (containerID) -> kernel id (hostID)". This one swaps
 * the two owners of the source directory as the container sees them:
 *   on-disk 1000 -> kernel 100000 = container uid 0      (the container maps 0 -> 100000)
 *   on-disk 0    -> kernel 101000 = container uid 1000
 * and a file container root (kernel 100000) creates is written as on-disk 1000.
 */
const SWAP_IN_USERNS: IdMapping[] = [
  { containerID: 1000, hostID: CONTAINER_BASE + 0, size: 1 },
  { containerID: 0, hostID: CONTAINER_BASE + 1000, size: 1 },
];
/** Without a user namespace kernel ids are host ids: on-disk 0 <-> 1000. */
const SWAP_ON_HOST: IdMapping[] = [
  { containerID: 0, hostID: 1000, size: 1 },
  { containerID: 1000, hostID: 0, size: 1 },
];

/** A source directory with a file owned by 0 and one by 1000 (uid and gid alike). */
function makeSource(t: TestContext): string {
  const src = fs.mkdtempSync('/tmp/runts-idmap-src-');
  t.after(() => {
    // a submount a test made must never outlive it (deepest first)
    for (const point of mountedUnder(src).map((l) => l.split(' ')[4]!).reverse()) execFileSync('umount', [point]);
    fs.rmSync(src, { recursive: true, force: true });
  });
  fs.chmodSync(src, 0o777);
  fs.writeFileSync(path.join(src, 'by-root'), '');
  fs.writeFileSync(path.join(src, 'by-1000'), '');
  fs.chownSync(path.join(src, 'by-1000'), 1000, 1000);
  return src;
}

function mountedUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir + '/') === true || l.split(' ')[4] === dir);
}

function env(t: TestContext, prefix: string, script: string, userns: boolean, mutate: (s: Spec) => void): ContainerEnv {
  const e = containerEnv(t, prefix, (s) => {
    s.process!.args = ['sh', '-c', script];
    if (userns) {
      s.linux!.namespaces!.push({ type: 'user' });
      s.linux!.uidMappings = CONTAINER_MAP;
      s.linux!.gidMappings = CONTAINER_MAP;
    }
    mutate(s);
  });
  if (userns) {
    execFileSync('chown', ['-R', `${CONTAINER_BASE}:${CONTAINER_BASE}`, e.bundle.rootfs]);
    fs.chmodSync(e.bundle.dir, 0o755);
  }
  return e;
}

/** run to completion; the container is gone afterwards and nothing is left on the host */
function run(e: ContainerEnv, src: string): string {
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assertNoLeftovers(e);
  assert.deepEqual(mountedUnder(src).filter((l) => !l.includes(' - tmpfs ')), []);
  return r.stdout;
}

const STAT = 'stat -c "%n %u %g" /data/by-root /data/by-1000';

test('idmap in a user-namespaced container: owners through the mount\'s mapping, new files mapped back', { skip }, (t) => {
  const src = makeSource(t);
  const e = env(t, 'idu', `${STAT} && touch /data/new && stat -c "%n %u %g" /data/new`, true, (s) => {
    s.mounts!.push({ destination: '/data', type: 'bind', source: src, options: ['bind', 'idmap'], uidMappings: SWAP_IN_USERNS, gidMappings: SWAP_IN_USERNS });
  });
  const out = run(e, src);
  assert.equal(out, '/data/by-root 1000 1000\n/data/by-1000 0 0\n/data/new 0 0\n');
  const st = fs.statSync(path.join(src, 'new'));
  assert.deepEqual([st.uid, st.gid], [1000, 1000], 'container root writes on-disk 1000 through the mapping');
});

test('idmap without mappings takes the container\'s: on-disk ids are container ids', { skip }, (t) => {
  const src = makeSource(t);
  const e = env(t, 'idc', `${STAT} && touch /data/new`, true, (s) => {
    s.mounts!.push({ destination: '/data', type: 'bind', source: src, options: ['rbind', 'idmap'] });
  });
  assert.equal(run(e, src), '/data/by-root 0 0\n/data/by-1000 1000 1000\n');
  const st = fs.statSync(path.join(src, 'new'));
  assert.deepEqual([st.uid, st.gid], [0, 0], 'container root (host 100000) writes on-disk 0');
});

test('idmapped mount in a container without a user namespace, read-only as asked', { skip }, (t) => {
  const src = makeSource(t);
  const e = env(t, 'idh', `${STAT} && touch /data/by-root 2>&1 || echo refused`, false, (s) => {
    s.mounts!.push({ destination: '/data', type: 'bind', source: src, options: ['bind', 'ro'], uidMappings: SWAP_ON_HOST, gidMappings: SWAP_ON_HOST });
  });
  const out = run(e, src);
  assert.match(out, /^\/data\/by-root 1000 1000\n\/data\/by-1000 0 0\n/);
  assert.match(out, /Read-only file system/);
  assert.match(out, /refused\n$/);
});

test('ridmap maps the submounts of an rbind tree, idmap only its top mount', { skip }, (t) => {
  const src = makeSource(t);
  fs.mkdirSync(path.join(src, 'sub'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', path.join(src, 'sub')]);
  fs.writeFileSync(path.join(src, 'sub', 'f'), '');
  for (const [opt, subOwner] of [['ridmap', '1000'], ['idmap', '0']] as const) {
    const e = env(t, `id${opt}`, 'stat -c "%n %u" /data/by-root /data/sub/f', false, (s) => {
      s.mounts!.push({ destination: '/data', type: 'bind', source: src, options: ['rbind', opt], uidMappings: SWAP_ON_HOST, gidMappings: SWAP_ON_HOST });
    });
    assert.equal(run(e, src), `/data/by-root 1000\n/data/sub/f ${subOwner}\n`, opt);
  }
});

test('bad idmapped mounts: exit 1, one error naming the field, nothing left', { skip }, (t) => {
  const src = makeSource(t);
  const cases: Array<[string, boolean, (s: Spec) => void, string, RegExp]> = [
    ['not a bind', true, (s) => s.mounts!.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['idmap'] }), '/mounts/7/options', /id-mapped mounts are only supported for bind-mounts/],
    ['idmap with no mapping anywhere', false, (s) => s.mounts!.push({ destination: '/data', type: 'bind', source: src, options: ['bind', 'idmap'] }), '/mounts/7/uidMappings', /must have both uid and gid mappings specified/],
    ['uid mappings without gid mappings', true, (s) => s.mounts!.push({ destination: '/data', type: 'bind', source: src, options: ['bind'], uidMappings: SWAP_IN_USERNS }), '/mounts/7/gidMappings', /must have both uid and gid mappings specified/],
  ];
  for (const [name, userns, mutate, pointer, msg] of cases) {
    const e = env(t, 'idbad', 'true', userns, mutate);
    const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 1, name);
    const errors = r.stderr.split('\n').filter((l) => l.includes('level=error'));
    assert.equal(errors.length, 1, `${name}: ${r.stderr}`);
    assert.ok(errors[0]!.includes(pointer), `${name}: ${errors[0]}`);
    assert.match(errors[0]!, msg, name);
    assertNoLeftovers(e);
  }
  assert.deepEqual(mountedUnder(src), []);
});

test('a missing idmapped source fails create with its name and leaves nothing', { skip }, (t) => {
  const e = env(t, 'idmiss', 'true', true, (s) => {
    s.mounts!.push({ destination: '/data', type: 'bind', source: '/nonexistent-runts-idmap', options: ['bind', 'idmap'] });
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /open_tree .*\/nonexistent-runts-idmap.*no such file or directory/i);
  assertNoLeftovers(e);
});

// Unit tests of the cgroup manager's rootless rules (runc's rootless cgroup manager):
// which controllers a config asks of, which hierarchies are dropped on a permission
// error, where a dropped hierarchy leaves the container, and the error a limit gets.
// No root needed: the unwritable hierarchy is a path under /sys, where mkdir fails
// with EPERM (root) or EACCES (a user).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CgroupManager, planControllersNeeded } from '../../../src/cgroups/manager';
import type { CgroupDir } from '../../../src/cgroups/paths';
import { isRootless } from '../../../src/container/create';

function tmp(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-cgmgr-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const v1 = (name: string, dir: string): CgroupDir => ({ name, kind: 'v1', mountpoint: path.dirname(dir), dir, cgroupPath: '/x' });

test('planControllersNeeded: unset and zero values ask nothing; each limit names its controller', () => {
  assert.deepEqual(planControllersNeeded({}), []);
  assert.deepEqual(planControllersNeeded({ devices: [{ allow: false, access: 'rwm' }], memory: { limit: 0 }, cpu: { shares: 0 } }), []);
  assert.deepEqual(planControllersNeeded({ memory: { limit: 1 << 20 } }), ['memory']);
  assert.deepEqual(planControllersNeeded({ cpu: { cpus: '0', quota: 1000 } }).sort(), ['cpu', 'cpuset']);
  assert.deepEqual(planControllersNeeded({ pids: { limit: 5 }, blockIO: { weight: 100 } }).sort(), ['blkio', 'pids']);
  assert.deepEqual(planControllersNeeded({ network: { classID: 7 } }), ['net_cls']);
  assert.deepEqual(planControllersNeeded({ unified: { 'memory.max': '1M' } }), ['unified']);
});

test('rootless: a hierarchy that cannot be made is dropped, the others kept; the container stays in the caller\'s cgroup there', (t) => {
  const base = tmp(t);
  const ok = v1('pids', path.join(base, 'pids', 'c1'));
  const denied = v1('memory', '/sys/runts-unit-no-such-hierarchy/c1');
  fs.mkdirSync(path.join(base, 'pids'));
  const own = [v1('pids', path.join(base, 'pids')), v1('memory', '/sys/runts-unit-no-such-hierarchy')];
  const m = new CgroupManager([ok, denied], { rootless: true }, own);
  const made = m.create();
  assert.deepEqual(made, [ok.dir]);
  assert.deepEqual(m.dirs, [ok]);
  assert.deepEqual(m.paths(), { pids: ok.dir });
  assert.equal(m.dropped.length, 1);
  assert.ok(['EPERM', 'EACCES'].includes(m.dropped[0]!.code));
  assert.deepEqual(m.mountDirs(), [ok, own[1]]);

  // No limit for the dropped controller: nothing to write, no error.
  assert.doesNotThrow(() => m.set({}, { update: true }));
  // A limit for it: runc's words, with the directory and the reason.
  assert.throws(
    () => m.set({ memory: { limit: 1 << 20 } }, { update: true }),
    /^RuntimeError: cannot set memory limit: container could not join or create cgroup \(\/sys\/runts-unit-no-such-hierarchy\/c1: E(PERM|ACCES);/,
  );
});

test('not rootless, or an explicit cgroupsPath: a permission error fails create', () => {
  const denied = v1('memory', '/sys/runts-unit-no-such-hierarchy/c1');
  assert.throws(() => new CgroupManager([denied]).create(), /E(PERM|ACCES)/);
  assert.throws(() => new CgroupManager([denied], { rootless: true, explicitPath: true }).create(), /E(PERM|ACCES)/);
});

test('--rootless: true and false are taken as said; auto means "not root"', () => {
  assert.equal(isRootless('true', 0), true);
  assert.equal(isRootless('false', 1000), false);
  assert.equal(isRootless('auto', 0), false);
  assert.equal(isRootless('auto', 1000), true);
  assert.equal(isRootless(undefined, 1000), true);
});

test('a create that fails half-way removes the directories it had made before throwing', (t) => {
  const base = tmp(t);
  fs.mkdirSync(path.join(base, 'pids'));
  const made = v1('pids', path.join(base, 'pids', 'parent', 'c1'));
  const denied = v1('memory', '/sys/runts-unit-no-such-hierarchy/c1');
  assert.throws(() => new CgroupManager([made, denied]).create(), /E(PERM|ACCES)/);
  assert.deepEqual(fs.readdirSync(path.join(base, 'pids')), []);
});

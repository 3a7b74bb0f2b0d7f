// The freezer against fake cgroup dirs: plain files for the simple cases, and a
// scripted "kernel" (FreezerIo) for FREEZING retries, timeouts and v2's delayed
// cgroup.events.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freezeCgroups, freezerDir, isFrozen, thawCgroups, type FreezerIo } from '../../../src/cgroups/freezer';

function tmp(t: TestContext): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-freezer-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function v1Tree(t: TestContext): { dirs: { name: string; kind: 'v1' | 'v2'; dir: string }[]; freezer: string } {
  const root = tmp(t);
  const freezer = path.join(root, 'freezer', 'c1');
  const memory = path.join(root, 'memory', 'c1');
  fs.mkdirSync(freezer, { recursive: true });
  fs.mkdirSync(memory, { recursive: true });
  fs.writeFileSync(path.join(freezer, 'freezer.state'), 'THAWED\n');
  fs.writeFileSync(path.join(freezer, 'freezer.self_freezing'), '0\n');
  return {
    dirs: [
      { name: 'memory', kind: 'v1', dir: memory },
      { name: 'freezer', kind: 'v1', dir: freezer },
    ],
    freezer,
  };
}

/** A v1 freezer that answers FREEZING `n` times before settling, recording every write. */
function slowV1(n: number): { io: FreezerIo; writes: string[] } {
  let state = 'THAWED';
  let left = n;
  const writes: string[] = [];
  return {
    writes,
    io: {
      write(_dir, file, value) {
        assert.equal(file, 'freezer.state');
        writes.push(value);
        state = value === 'FROZEN' ? (left-- > 0 ? 'FREEZING' : 'FROZEN') : 'THAWED';
      },
      read(_dir, file) {
        assert.equal(file, 'freezer.state');
        return state + '\n';
      },
    },
  };
}

test('freezerDir prefers the v1 freezer hierarchy; a v2 dir counts only with cgroup.freeze', (t) => {
  const { dirs, freezer } = v1Tree(t);
  const unified = path.join(tmp(t), 'unified');
  fs.mkdirSync(unified);
  const withV2 = [...dirs, { name: 'unified', kind: 'v2' as const, dir: unified }];
  assert.deepEqual(freezerDir(withV2), { kind: 'v1', dir: freezer });
  assert.equal(freezerDir([{ name: 'unified', kind: 'v2', dir: unified }]), undefined);
  fs.writeFileSync(path.join(unified, 'cgroup.freeze'), '0\n');
  assert.deepEqual(freezerDir([{ name: 'unified', kind: 'v2', dir: unified }]), { kind: 'v2', dir: unified });
});

test('v1: freeze writes FROZEN, thaw writes THAWED, isFrozen follows', async (t) => {
  const { dirs, freezer } = v1Tree(t);
  assert.equal(isFrozen(dirs), false);
  await freezeCgroups(dirs);
  assert.equal(fs.readFileSync(path.join(freezer, 'freezer.state'), 'utf8'), 'FROZEN');
  fs.writeFileSync(path.join(freezer, 'freezer.self_freezing'), '1\n');
  assert.equal(isFrozen(dirs), true);
  await thawCgroups(dirs);
  assert.equal(fs.readFileSync(path.join(freezer, 'freezer.state'), 'utf8'), 'THAWED');
  assert.equal(isFrozen(dirs), false);
});

test('v1: FROZEN only because a parent is frozen is not "paused" (self_freezing 0)', (t) => {
  const { dirs, freezer } = v1Tree(t);
  fs.writeFileSync(path.join(freezer, 'freezer.state'), 'FROZEN\n');
  assert.equal(isFrozen(dirs), false);
});

test('v1: FREEZING is retried by writing FROZEN again until the state reads FROZEN', async (t) => {
  const { dirs } = v1Tree(t);
  const k = slowV1(5);
  await freezeCgroups(dirs, { io: k.io });
  assert.deepEqual(k.writes, Array(6).fill('FROZEN'));
});

test('v1: a long FREEZING spell is broken by an occasional thaw, then succeeds', async (t) => {
  const { dirs } = v1Tree(t);
  const k = slowV1(60);
  await freezeCgroups(dirs, { io: k.io });
  assert.ok(k.writes.includes('THAWED'), 'expected a thaw between retries');
  assert.equal(k.writes.at(-1), 'FROZEN');
});

test('v1: stuck in FREEZING past the deadline fails and leaves the cgroup thawed', async (t) => {
  const { dirs } = v1Tree(t);
  const k = slowV1(Number.POSITIVE_INFINITY);
  await assert.rejects(freezeCgroups(dirs, { io: k.io, timeoutMs: 30 }), /unable to freeze/);
  assert.equal(k.writes.at(-1), 'THAWED');
});

test('v1: an unexpected state after writing FROZEN is an error naming it', async (t) => {
  const { dirs } = v1Tree(t);
  const io: FreezerIo = { write: () => undefined, read: () => 'SOMETHING\n' };
  await assert.rejects(freezeCgroups(dirs, { io }), /unexpected freezer.state "SOMETHING"/);
});

test('v1: thaw that does not take (a frozen parent) is an error', async (t) => {
  const { dirs } = v1Tree(t);
  const io: FreezerIo = { write: () => undefined, read: () => 'FROZEN\n' };
  await assert.rejects(thawCgroups(dirs, { io }), /freezer.state is FROZEN after writing THAWED/);
});

test('no freezer anywhere is an error, and isFrozen is false', async () => {
  const dirs = [{ name: 'memory', kind: 'v1' as const, dir: '/nonexistent/memory' }];
  await assert.rejects(freezeCgroups(dirs), /no freezer cgroup/);
  assert.equal(isFrozen(dirs), false);
});

/** A v2 cgroup whose cgroup.events catches up with cgroup.freeze after `lag` reads. */
function laggingV2(dir: string, lag: number): { io: FreezerIo; writes: string[] } {
  let want = '0';
  let shown = '0';
  let reads = 0;
  const writes: string[] = [];
  return {
    writes,
    io: {
      write(d, file, value) {
        assert.equal(d, dir);
        assert.equal(file, 'cgroup.freeze');
        writes.push(value);
        want = value;
        reads = 0;
      },
      read(_d, file) {
        assert.equal(file, 'cgroup.events');
        if (++reads > lag) shown = want;
        return `populated 1\nfrozen ${shown}\n`;
      },
    },
  };
}

test('v2: freeze writes cgroup.freeze 1 and waits until cgroup.events says frozen 1', async (t) => {
  const dir = tmp(t);
  fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0\n');
  const dirs = [{ name: 'unified', kind: 'v2' as const, dir }];
  const k = laggingV2(dir, 3);
  await freezeCgroups(dirs, { io: k.io });
  assert.deepEqual(k.writes, ['1']);
  await thawCgroups(dirs, { io: k.io });
  assert.deepEqual(k.writes, ['1', '0']);
});

test('v2: never reported frozen -> timeout error, and cgroup.freeze is set back to 0', async (t) => {
  const dir = tmp(t);
  fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0\n');
  const k = laggingV2(dir, Number.POSITIVE_INFINITY);
  await assert.rejects(freezeCgroups([{ name: 'unified', kind: 'v2', dir }], { io: k.io, timeoutMs: 30 }), /does not say frozen 1/);
  assert.deepEqual(k.writes, ['1', '0']);
});

test('v2: isFrozen reads cgroup.freeze', (t) => {
  const dir = tmp(t);
  const dirs = [{ name: 'unified', kind: 'v2' as const, dir }];
  fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '1\n');
  assert.equal(isFrozen(dirs), true);
  fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0\n');
  assert.equal(isFrozen(dirs), false);
});

// pause, resume, update, ps and events on real containers (root), observed from the
// cgroup files, the container's own output and `state`; shapes compared with runc.
// Every test removes what it made, even when it fails, and asserts nothing is left.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeIo, runtsIo, spawnRunts, stateOf, waitFor, containerEnv, assertNoLeftovers, type ContainerEnv } from '../support/container';
import { requires } from '../support/requires';
import { runts, tmpRoot } from '../support/runts';
import type { Spec } from '../../src/spec/types';

const skip = requires('root', 'busybox', 'cgroup-v1');

type Env = ContainerEnv;

function setup(t: TestContext, args: string[], mutate?: (s: Spec) => void): Env {
  return containerEnv(t, 'cg', (s) => {
    s.process!.args = args;
    mutate?.(s);
  });
}

function runDetached(e: Env): number {
  const r = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const st = stateOf(e.root, e.id);
  assert.equal(st?.status, 'running');
  return st!.pid;
}

const assertClean = assertNoLeftovers;

function stateJson(e: Env): { cgroupPaths: Record<string, string>; paused: boolean; config: { spec: Spec } } {
  return JSON.parse(fs.readFileSync(path.join(e.root, e.id, 'state.json'), 'utf8')) as ReturnType<typeof stateJson>;
}

function cgroupFile(e: Env, controller: string, file: string): string {
  const paths = stateJson(e).cgroupPaths;
  const key = Object.keys(paths).find((k) => k.split(',').includes(controller));
  assert.ok(key !== undefined, `no ${controller} cgroup in ${JSON.stringify(paths)}`);
  return fs.readFileSync(path.join(paths[key]!, file), 'utf8').trim();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A counter the container bumps every 20 ms in /tmp/count (seen from the host through the rootfs). */
const COUNTER = ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done'];

function readCount(e: Env): number {
  return Number(fs.readFileSync(path.join(e.bundle.rootfs, 'tmp', 'count'), 'utf8').trim() || '0');
}

test('pause freezes the container (its counter stops), resume thaws it; wrong-state errors are runc\'s', { skip }, async (t) => {
  const e = setup(t, COUNTER, (s) => {
    s.root!.readonly = false;
  });
  runDetached(e);
  await waitFor('counter', () => fs.existsSync(path.join(e.bundle.rootfs, 'tmp', 'count')) && readCount(e) > 2);

  const notPaused = runtsIo(e.io, e.root, ['resume', e.id]);
  assert.equal(notPaused.status, 1);
  assert.match(notPaused.stderr, /container not paused/);

  assert.equal(runtsIo(e.io, e.root, ['pause', e.id]).status, 0);
  assert.equal(stateOf(e.root, e.id)?.status, 'paused');
  assert.equal(stateJson(e).paused, true);
  assert.equal(cgroupFile(e, 'freezer', 'freezer.state'), 'FROZEN');
  const frozenAt = readCount(e);
  await sleep(300);
  assert.equal(readCount(e), frozenAt, 'a paused container must not run');

  const again = runtsIo(e.io, e.root, ['pause', e.id]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /container not running/);

  assert.equal(runtsIo(e.io, e.root, ['resume', e.id]).status, 0);
  assert.equal(stateOf(e.root, e.id)?.status, 'running');
  assert.equal(cgroupFile(e, 'freezer', 'freezer.state'), 'THAWED');
  await waitFor('counter advancing again', () => readCount(e) > frozenAt + 2);

  assert.equal(runtsIo(e.io, e.root, ['kill', e.id, 'KILL']).status, 0);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  for (const verb of ['pause', 'update']) {
    const r = runtsIo(e.io, e.root, verb === 'update' ? ['update', '--memory', '64m', e.id] : [verb, e.id]);
    assert.equal(r.status, 1, `${verb} of a stopped container`);
    assert.match(r.stderr, /level=error msg="container not running"/);
  }
  const ev = runtsIo(e.io, e.root, ['events', '--stats', e.id]);
  assert.equal(ev.status, 1);
  assert.match(ev.stderr, new RegExp(`container with id ${e.id} is not running`));
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});

test('delete --force of a paused container kills it (thawing it) and leaves nothing', { skip }, (t) => {
  const e = setup(t, ['sleep', '100']);
  runDetached(e);
  assert.equal(runtsIo(e.io, e.root, ['pause', e.id]).status, 0);
  const del = runtsIo(e.io, e.root, ['delete', e.id]);
  assert.equal(del.status, 1);
  assert.match(del.stderr, /cannot delete container .* that is not stopped: paused/);
  const r = runtsIo(e.io, e.root, ['delete', '--force', e.id]);
  assert.equal(r.status, 0, r.stderr);
  assertClean(e);
});

test('kill of a paused container: TERM stays queued, KILL ends it (runc thaws for SIGKILL)', { skip }, async (t) => {
  const e = setup(t, ['sleep', '100']);
  runDetached(e);
  assert.equal(runtsIo(e.io, e.root, ['pause', e.id]).status, 0);
  assert.equal(runtsIo(e.io, e.root, ['kill', e.id, 'TERM']).status, 0);
  await sleep(200);
  assert.equal(stateOf(e.root, e.id)?.status, 'paused', 'a frozen init acts on TERM only once thawed');
  assert.equal(runtsIo(e.io, e.root, ['kill', e.id, 'KILL']).status, 0);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});

test('update changes the limits of a running container and state.json keeps them; dockerd\'s zero-filled JSON changes only memory', { skip }, (t) => {
  const e = setup(t, ['sleep', '100']);
  runDetached(e);
  const r = runtsIo(e.io, e.root, ['update', '--memory', '100m', '--pids-limit', '50', '--cpu-share', '512', e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(cgroupFile(e, 'memory', 'memory.limit_in_bytes'), String(100 * 1024 * 1024));
  assert.equal(cgroupFile(e, 'pids', 'pids.max'), '50');
  assert.equal(cgroupFile(e, 'cpu', 'cpu.shares'), '512');
  let res = stateJson(e).config.spec.linux?.resources;
  assert.equal(res?.memory?.limit, 100 * 1024 * 1024);
  assert.equal(res?.pids?.limit, 50);
  assert.equal(res?.cpu?.shares, 512);
  assert.deepEqual(res?.devices, [{ allow: false, access: 'rwm' }], 'devices are kept as they were');
  assert.equal(stateOf(e.root, e.id)?.status, 'running');

  const docker = '{"memory":{"limit":134217728,"reservation":0,"swap":268435456,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"blockIO":{"weight":0}}';
  const viaStdin = runts(['update', '--resources', '-', e.id], { root: e.root, input: docker });
  assert.equal(viaStdin.status, 0, viaStdin.stderr);
  assert.equal(viaStdin.stderr, '');
  assert.equal(cgroupFile(e, 'memory', 'memory.limit_in_bytes'), '134217728');
  if (fs.existsSync(path.join(stateJson(e).cgroupPaths['memory'] ?? '', 'memory.memsw.limit_in_bytes'))) {
    assert.equal(cgroupFile(e, 'memory', 'memory.memsw.limit_in_bytes'), '268435456');
  }
  assert.equal(cgroupFile(e, 'cpu', 'cpu.shares'), '512', 'zero shares means unchanged');
  assert.equal(cgroupFile(e, 'pids', 'pids.max'), '50');
  res = stateJson(e).config.spec.linux?.resources;
  assert.deepEqual(res?.memory, { limit: 134217728, swap: 268435456 });
  assert.equal(res?.cpu?.shares, 512);

  const bad = runtsIo(e.io, e.root, ['update', '--memory', '1x', e.id]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /invalid value for memory: invalid size: '1x'/);
  const rdt = runtsIo(e.io, e.root, ['update', '--l3-cache-schema', 'L3:0=f', e.id]);
  assert.equal(rdt.status, 1);
  assert.match(rdt.stderr, /Intel RDT\/CAT: l3 cache schema is not enabled/);
  assert.equal(cgroupFile(e, 'memory', 'memory.limit_in_bytes'), '134217728', 'a refused update changes nothing');

  const missing = runtsIo(e.io, e.root, ['update', '--memory', '1m', `${e.id}-nope`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /container does not exist/);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertClean(e);
});

test('ps: json lists the container\'s pids, table keeps ps\'s header and exactly their rows', { skip }, async (t) => {
  const e = setup(t, ['sh', '-c', 'sleep 100 & sleep 100 & wait']);
  const init = runDetached(e);
  const procs = (): number[] => cgroupFile(e, 'pids', 'cgroup.procs').split('\n').filter(Boolean).map(Number);
  await waitFor('three processes', () => procs().length >= 3);
  const expected = procs().sort((a, b) => a - b);
  assert.ok(expected.length >= 3 && expected.includes(init), `cgroup.procs: ${expected.join(' ')}`);

  const json = runtsIo(e.io, e.root, ['ps', '--format', 'json', e.id]);
  assert.equal(json.status, 0, json.stderr);
  assert.match(json.stdout, /^\[\d+(,\d+)*\]\n$/);
  assert.deepEqual((JSON.parse(json.stdout) as number[]).sort((a, b) => a - b), expected);

  const table = runtsIo(e.io, e.root, ['ps', e.id]);
  assert.equal(table.status, 0, table.stderr);
  const lines = table.stdout.split('\n').filter(Boolean);
  assert.match(lines[0]!, /^UID\s+PID\s+PPID/);
  const pidCol = lines.slice(1).map((l) => Number(l.trim().split(/\s+/)[1]));
  assert.deepEqual(pidCol.sort((a, b) => a - b), expected);

  const custom = runtsIo(e.io, e.root, ['ps', e.id, '-o', 'pid,comm']);
  assert.equal(custom.status, 0, custom.stderr);
  const rows = custom.stdout.split('\n').filter(Boolean);
  assert.match(rows[0]!, /^\s*PID COMMAND$/);
  assert.deepEqual(rows.slice(1).map((l) => l.trim().split(/\s+/)[1]).sort(), ['sh', 'sleep', 'sleep']);

  const badFormat = runtsIo(e.io, e.root, ['ps', '-f', 'xml', e.id]);
  assert.equal(badFormat.status, 1);
  assert.match(badFormat.stderr, /invalid format option/);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertClean(e);
});

test('events --stats prints one stats line with memory, pids and cpu', { skip }, (t) => {
  const e = setup(t, ['sleep', '100']);
  runDetached(e);
  const r = runtsIo(e.io, e.root, ['events', '--stats', e.id]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 2, 'one line and a final newline');
  const ev = JSON.parse(lines[0]!) as { type: string; id: string; data: { memory: { usage: { usage: number; limit: number } }; pids: { current: number }; cpu: { usage: { total: number } } } };
  assert.equal(ev.type, 'stats');
  assert.equal(ev.id, e.id);
  assert.ok(ev.data.memory.usage.usage > 0);
  assert.ok(ev.data.memory.usage.limit > 0);
  assert.equal(ev.data.pids.current, 1);
  assert.ok(ev.data.cpu.usage.total > 0);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertClean(e);
});

test('events: periodic stats, an oom event when the memory limit is hit, and the stream ends when the container stops', { skip }, async (t) => {
  // The allocation waits for a go-ahead so that events is listening before it happens.
  const e = setup(t, ['sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.02; done; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 0.2'], (s) => {
    s.linux!.resources = { ...s.linux!.resources, memory: { limit: 16 * 1024 * 1024 } };
  });
  runDetached(e);
  const evIo = makeIo();
  t.after(() => evIo.remove());
  const ev = spawnRunts(evIo, e.root, ['events', '--interval', '100ms', e.id]);
  t.after(() => ev.child.kill('SIGKILL'));
  await waitFor('first stats line', () => evIo.read().stdout.includes('"type":"stats"'));
  fs.writeFileSync(path.join(e.bundle.rootfs, 'tmp', 'go'), '');
  const status = await Promise.race([ev.exited, sleep(15_000).then(() => -1)]);
  assert.equal(status, 0, `events should exit 0 once the container stops: ${evIo.read().stderr}`);
  const events = evIo
    .read()
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; id: string; data?: unknown });
  assert.ok(events.some((x) => x.type === 'oom'), `no oom event in ${events.map((x) => x.type).join(',')}`);
  const oom = events.find((x) => x.type === 'oom')!;
  assert.deepEqual(oom, { type: 'oom', id: e.id });
  assert.ok(events.filter((x) => x.type === 'stats').length >= 1);
  assert.equal(stateOf(e.root, e.id)?.status, 'stopped');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});

/** Every key path of a JSON value (arrays by their first element), for shape comparison. */
function shape(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.length === 0 ? [prefix + '[]'] : shape(v[0], prefix + '[]');
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => [prefix + k, ...shape(x, `${prefix}${k}.`)]);
  }
  return [];
}

test('events --stats and ps have runc\'s shape for the same bundle', { skip: skip || requires('runc') }, (t) => {
  const e = setup(t, ['sleep', '100'], (s) => {
    s.linux!.resources = { ...s.linux!.resources, memory: { limit: 64 * 1024 * 1024 } };
  });
  runDetached(e);
  const runcRoot = tmpRoot(t).path;
  const runcId = `${e.id}-runc`;
  // tmpRoot's cleanup deletes runc containers too (a later hook here would make runc recreate the root).
  const fds = [fs.openSync('/dev/null', 'r'), fs.openSync(e.io.outFile, 'a'), fs.openSync(e.io.errFile, 'a')];
  const rc = spawnSync('runc', ['--root', runcRoot, 'run', '-d', '--bundle', e.bundle.dir, runcId], { stdio: fds });
  for (const fd of fds) fs.closeSync(fd);
  assert.equal(rc.status, 0);

  const ours = JSON.parse(runtsIo(e.io, e.root, ['events', '--stats', e.id]).stdout) as { data: unknown };
  const theirs = JSON.parse(spawnSync('runc', ['--root', runcRoot, 'events', '--stats', runcId], { encoding: 'utf8' }).stdout) as { data: unknown };
  // Values differ; the fields present (including what omitempty dropped) must not —
  // except hugetlb sizes, which runts also reads from the unified hierarchy, and the
  // omitempty numbers whose presence depends on the workload (memory.cache is 0 or not
  // depending on what page cache each container happened to touch).
  const VALUE_DEPENDENT = new Set(['data.memory.cache']);
  const strip = (keys: string[]): string[] => keys.filter((k) => !k.startsWith('data.hugetlb.') && !VALUE_DEPENDENT.has(k)).sort();
  assert.deepEqual(strip(shape(ours, '')), strip(shape(theirs, '')));

  const ourPs = runtsIo(e.io, e.root, ['ps', '-f', 'json', e.id]).stdout;
  const theirPs = spawnSync('runc', ['--root', runcRoot, 'ps', '-f', 'json', runcId], { encoding: 'utf8' }).stdout;
  assert.match(ourPs, /^\[\d+\]\n$/);
  assert.match(theirPs, /^\[\d+\]\n$/);
  const ourHeader = runtsIo(e.io, e.root, ['ps', e.id]).stdout.split('\n')[0];
  const theirHeader = spawnSync('runc', ['--root', runcRoot, 'ps', runcId], { encoding: 'utf8' }).stdout.split('\n')[0];
  assert.equal(ourHeader, theirHeader);

  assert.equal(spawnSync('runc', ['--root', runcRoot, 'delete', '-f', runcId]).status, 0);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertClean(e);
});

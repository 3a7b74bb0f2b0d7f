// `runts state` and `runts list` through the real CLI, on state dirs written by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MSG } from '../../../src/errors';
import { userName } from '../../../src/cli/commands/list';
import { createExecFifo } from '../../../src/container/exec-fifo';
import { procStartTime } from '../../../src/container/liveness';
import { createStateDir, writeState, type ContainerState } from '../../../src/container/state-store';
import { runts, tmpRoot } from '../../support/runts';

const CREATED = '2026-11-22T06:57:03.123456789Z';

function write(root: string, id: string, extra: Partial<ContainerState>): void {
  createStateDir(root, id);
  writeState(root, {
    ociVersion: '1.0.2-dev', id, bundle: `/bundles/${id}`, rootfs: `/bundles/${id}/rootfs`, created: CREATED,
    owner: '', annotations: {}, pid: 0, initStartTime: 0, paused: false, cgroupPaths: {}, config: {}, ...extra,
  });
}

/** A live process to stand in for a container's init; killed when the test ends. */
async function sleeper(t: { after(fn: () => void): void }): Promise<{ pid: number; start: number }> {
  const child = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid!;
  return { pid, start: procStartTime(pid)! };
}

/** exactly one logrus text error line on stderr carrying `msg` */
function assertOneError(stderr: string, msg: string): void {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /^time="[^"]+" level=error msg=/);
  assert.ok(lines[0]!.endsWith(`msg=${JSON.stringify(msg)}`), lines[0]);
}

test('state of a running, a created and a stopped container', async (t) => {
  const root = tmpRoot(t).path;
  const p = await sleeper(t);
  write(root, 'run1', { pid: p.pid, initStartTime: p.start, annotations: { z: '1', a: '2' } });
  write(root, 'cre1', { pid: p.pid, initStartTime: p.start });
  createExecFifo(root, 'cre1');
  write(root, 'stop1', { pid: spawnSync('/bin/true').pid, initStartTime: 1 });
  write(root, 'reused', { pid: p.pid, initStartTime: p.start + 1 });

  const r = runts(['state', 'run1'], { root });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(
    r.stdout,
    `{\n  "ociVersion": "1.0.2-dev",\n  "id": "run1",\n  "pid": ${p.pid},\n  "status": "running",\n` +
      `  "bundle": "/bundles/run1",\n  "rootfs": "/bundles/run1/rootfs",\n  "created": "${CREATED}",\n` +
      `  "annotations": {\n    "a": "2",\n    "z": "1"\n  },\n  "owner": ""\n}`,
  );
  const created = JSON.parse(runts(['state', 'cre1'], { root }).stdout) as Record<string, unknown>;
  assert.equal(created['status'], 'created');
  assert.equal(created['pid'], p.pid);
  for (const id of ['stop1', 'reused']) {
    const s = JSON.parse(runts(['state', id], { root }).stdout) as Record<string, unknown>;
    assert.equal(s['status'], 'stopped', id);
    assert.equal(s['pid'], 0, id);
  }

  const owner = userName(process.getuid!());
  const table = runts(['list'], { root });
  assert.equal(table.status, 0, table.stderr);
  assert.equal(
    table.stdout,
    'ID          PID         STATUS      BUNDLE            CREATED                          OWNER\n' +
      `cre1        ${String(p.pid).padEnd(12)}created     /bundles/cre1     ${CREATED}   ${owner}\n` +
      `reused      0           stopped     /bundles/reused   ${CREATED}   ${owner}\n` +
      `run1        ${String(p.pid).padEnd(12)}running     /bundles/run1     ${CREATED}   ${owner}\n` +
      `stop1       0           stopped     /bundles/stop1    ${CREATED}   ${owner}\n`,
  );
  const json = runts(['list', '--format', 'json'], { root });
  assert.equal(json.status, 0, json.stderr);
  assert.ok(json.stdout.endsWith(']\n'));
  const arr = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(arr.map((c) => [c['id'], c['status'], c['owner']]), [
    ['cre1', 'created', owner], ['reused', 'stopped', owner], ['run1', 'running', owner], ['stop1', 'stopped', owner],
  ]);
  assert.deepEqual(Object.keys(arr[2]!), ['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'annotations', 'owner']);
  assert.equal(runts(['list', '-q'], { root }).stdout, 'cre1\nreused\nrun1\nstop1\n');
  // Go flag style, as shims pass it
  assert.equal(runts(['list', '-format=json'], { root }).stdout, json.stdout);
});

test('state of an unknown id: exit 1, container does not exist', (t) => {
  const root = tmpRoot(t).path;
  const r = runts(['state', 'nope'], { root });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assertOneError(r.stderr, MSG.notExist);
});

test('state of an invalid id: exit 1, invalid container ID format, nothing created', (t) => {
  const root = tmpRoot(t).path;
  for (const id of ['../x', 'a/b', '']) {
    const r = runts(['state', id], { root });
    assert.equal(r.status, 1, id);
    assertOneError(r.stderr, MSG.invalidId);
  }
  assert.deepEqual(fs.readdirSync(root), []);
});

test('state needs exactly one argument', (t) => {
  const root = tmpRoot(t).path;
  const r = runts(['state'], { root });
  assert.equal(r.status, 1);
  assertOneError(r.stderr, 'runts: "state" requires exactly 1 argument(s)');
});

test('list on a missing root is empty, not an error', (t) => {
  const missing = path.join(tmpRoot(t).path, 'does-not-exist');
  const table = runts(['list'], { root: missing });
  assert.equal(table.status, 0, table.stderr);
  assert.equal(table.stdout, 'ID          PID         STATUS      BUNDLE      CREATED     OWNER\n');
  assert.equal(runts(['list', '-f', 'json'], { root: missing }).stdout, 'null\n');
  assert.equal(runts(['list', '-q'], { root: missing }).stdout, '');
  assert.equal(fs.existsSync(missing), false, 'list must not create the root');
});

test('list: bad format, extra arguments, an unreadable container', (t) => {
  const root = tmpRoot(t).path;
  const bad = runts(['list', '-f', 'xml'], { root });
  assert.equal(bad.status, 1);
  assertOneError(bad.stderr, 'invalid format option');
  const extra = runts(['list', 'x'], { root });
  assert.equal(extra.status, 1);
  assertOneError(extra.stderr, 'runts: "list" requires exactly 0 argument(s)');
  write(root, 'ok1', {});
  createStateDir(root, 'half'); // a create in progress: no state.json yet
  const r = runts(['list', '-q'], { root });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'ok1\n');
  assert.equal(r.stderr, `load container half: ${MSG.notExist}\n`);
});

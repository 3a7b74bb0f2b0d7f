import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MSG, StateError } from '../../../src/errors';
import { createExecFifo, execFifoPath, hasExecFifo, removeExecFifo } from '../../../src/container/exec-fifo';
import { procStartTime } from '../../../src/container/liveness';
import { createStateDir, type ContainerState } from '../../../src/container/state-store';
import {
  assertCanDelete,
  assertCanKill,
  assertCanPause,
  assertCanResume,
  assertCanStart,
  canDelete,
  currentStatus,
  type Status,
} from '../../../src/container/status';

function setup(t: { after(fn: () => void): void }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-status-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  createStateDir(root, 'c');
  return root;
}

function state(extra: Partial<ContainerState>): ContainerState {
  return {
    ociVersion: '1.0.2-dev', id: 'c', bundle: '/b', rootfs: '/b/rootfs', created: '', owner: '',
    annotations: {}, pid: process.pid, initStartTime: procStartTime(process.pid)!, paused: false,
    cgroupPaths: {}, config: null, ...extra,
  };
}

test('status is computed from the process and exec.fifo', (t) => {
  const root = setup(t);
  assert.equal(currentStatus(root, state({})), 'running');
  createExecFifo(root, 'c');
  assert.equal(hasExecFifo(root, 'c'), true);
  assert.equal(currentStatus(root, state({})), 'created');
  assert.equal(currentStatus(root, state({ paused: true })), 'paused');
  assert.equal(currentStatus(root, state({ initStartTime: 1 })), 'stopped');
  assert.equal(currentStatus(root, state({ pid: 0 })), 'stopped');
  const gone = spawnSync('/bin/true').pid;
  assert.equal(currentStatus(root, state({ pid: gone, paused: true })), 'stopped');
  removeExecFifo(root, 'c');
  removeExecFifo(root, 'c'); // absent is fine
  assert.equal(currentStatus(root, state({})), 'running');
});

test('exec.fifo is a FIFO with mode 0622 whatever the umask', (t) => {
  const root = setup(t);
  const old = process.umask(0o077);
  try {
    createExecFifo(root, 'c');
  } finally {
    process.umask(old);
  }
  const st = fs.lstatSync(execFifoPath(root, 'c'));
  assert.ok(st.isFIFO());
  assert.equal(st.mode & 0o7777, 0o622);
  assert.throws(() => createExecFifo(root, 'c'), (e: unknown) => (e as { code?: string }).code === 'EEXIST');
  assert.throws(() => execFifoPath(root, '../c'), /invalid container ID format/);
});

function msg(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof StateError);
    return e.message;
  }
}

const all: Status[] = ['creating', 'created', 'running', 'stopped', 'paused'];

test('start guard: runc start.go wording', () => {
  assert.deepEqual(all.map((s) => msg(() => assertCanStart(s))), [
    'cannot start a container in the creating state',
    undefined,
    'cannot start an already running container',
    'cannot start a container that has stopped',
    'cannot start a container in the paused state',
  ]);
});

test('kill guard', () => {
  assert.deepEqual(all.map((s) => msg(() => assertCanKill(s))), [MSG.notRunning, undefined, undefined, MSG.notRunning, undefined]);
});

test('delete guard: runc delete.go wording, force allows anything', () => {
  assert.deepEqual(all.map((s) => msg(() => assertCanDelete('x', s))), [
    'cannot delete container x that is not stopped: creating',
    undefined,
    'cannot delete container x that is not stopped: running',
    undefined,
    'cannot delete container x that is not stopped: paused',
  ]);
  assert.ok(all.every((s) => canDelete(s, true)));
});

test('pause and resume guards', () => {
  assert.deepEqual(all.map((s) => msg(() => assertCanPause(s))), [MSG.notRunning, undefined, undefined, MSG.notRunning, MSG.notRunning]);
  assert.deepEqual(all.map((s) => msg(() => assertCanResume(s))), [MSG.notPaused, MSG.notPaused, MSG.notPaused, MSG.notPaused, undefined]);
});

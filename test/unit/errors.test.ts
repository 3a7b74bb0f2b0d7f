import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  ExistsError,
  MSG,
  NotFoundError,
  RuntimeError,
  StateError,
  SyscallError,
  exitCodeOf,
  renderError,
} from '../../src/errors';

test('MSG strings are runc\'s, exactly (callers match on them)', () => {
  assert.deepEqual(MSG, {
    notExist: 'container does not exist',
    notRunning: 'container not running',
    exists: 'container with given ID already exists',
    paused: 'container paused',
    stillRunning: 'container still running',
    notPaused: 'container not paused',
    invalidId: 'invalid container ID format',
    noSuchProcess: 'no such process',
  });
});

test('renderError joins the cause chain like Go %w', () => {
  const root = new SyscallError('mount', 1, 'EPERM', '/proc', 'operation not permitted');
  const mid = new RuntimeError('mount proc on /proc', { cause: root });
  const top = new RuntimeError('create container abc', { cause: mid });
  assert.equal(renderError(top), 'create container abc: mount proc on /proc: mount /proc: operation not permitted');
  assert.equal(renderError(new NotFoundError(MSG.notExist)), 'container does not exist');
  assert.equal(renderError('plain'), 'plain');
});

test('a cause whose text the outer message already ends with is not repeated', () => {
  const inner = new StateError(MSG.notRunning);
  assert.equal(renderError(new RuntimeError(`kill: ${MSG.notRunning}`, { cause: inner })), 'kill: container not running');
});

test('codes, names and exit status', () => {
  const e = new ConfigError('bad', '/linux/namespaces/0/type');
  assert.equal(e.pointer, '/linux/namespaces/0/type');
  assert.equal(e.code, 'ECONFIG');
  assert.equal(e.name, 'ConfigError');
  assert.equal(new ExistsError(MSG.exists).code, 'EEXISTS');
  assert.equal(new SyscallError('open', 2, 'ENOENT', '/x').message, 'open /x: ENOENT');
  assert.equal(new SyscallError('open', 2, 'ENOENT', '/x').code, 'ENOENT');
  assert.equal(exitCodeOf(new StateError('x')), 1);
  assert.equal(exitCodeOf(new Error('x')), 1);
});

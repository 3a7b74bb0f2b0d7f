import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLONE_FLAG, planNamespaces } from '../../../src/container/namespaces';

test('new namespaces become clone flags; paths are joined user first, mount last', () => {
  const plan = planNamespaces([
    { type: 'mount', path: '/proc/1/ns/mnt' },
    { type: 'pid' },
    { type: 'network', path: '/run/netns/x' },
    { type: 'user', path: '/proc/1/ns/user' },
    { type: 'uts' },
  ]);
  assert.equal(plan.cloneFlags, (CLONE_FLAG.pid | CLONE_FLAG.uts) >>> 0);
  assert.deepEqual(plan.created, ['pid', 'uts']);
  assert.deepEqual(plan.join.map((j) => j.type), ['user', 'network', 'mount']);
});

test('no namespaces: nothing to create or join (the host\'s are shared)', () => {
  assert.deepEqual(planNamespaces(undefined), { cloneFlags: 0, created: [], join: [] });
});

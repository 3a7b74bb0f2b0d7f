import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { planIdMapWrites, planSetgroups, toIdMapText } from '../../../src/process/idmap';

test('id mappings become one "container host size" line each', () => {
  assert.equal(
    toIdMapText([
      { containerID: 0, hostID: 100000, size: 65536 },
      { containerID: 65536, hostID: 1000, size: 1 },
    ]),
    '0 100000 65536\n65536 1000 1\n',
  );
  assert.equal(toIdMapText([]), '');
});

test('setgroups is written only to deny, and before gid_map', () => {
  assert.deepEqual(planIdMapWrites(42, { uidMap: 'u', gidMap: 'g', setgroups: 'deny' }), [
    { path: '/proc/42/setgroups', data: 'deny' },
    { path: '/proc/42/uid_map', data: 'u' },
    { path: '/proc/42/gid_map', data: 'g' },
  ]);
  assert.deepEqual(planIdMapWrites(42, { uidMap: 'u', gidMap: 'g', setgroups: 'allow' }), [
    { path: '/proc/42/uid_map', data: 'u' },
    { path: '/proc/42/gid_map', data: 'g' },
  ]);
});

test('setgroups: "deny" when the maps are written by a non-root caller, left alone by root', () => {
  assert.equal(planSetgroups(0), 'allow');
  assert.equal(planSetgroups(1000), 'deny');
});

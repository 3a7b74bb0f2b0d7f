import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors';
import { planIdmapSources } from '../../../src/container/idmap-mounts';
import type { Linux, Mount } from '../../../src/spec/types';

const OWN = [{ containerID: 0, hostID: 1000, size: 1 }];
const CONTAINER = [{ containerID: 0, hostID: 100000, size: 65536 }];
const withUserns: Linux = { namespaces: [{ type: 'mount' }, { type: 'user' }], uidMappings: CONTAINER, gidMappings: CONTAINER };
const bind = (extra: Partial<Mount>): Mount => ({ destination: '/d', type: 'bind', source: '/src', options: ['bind'], ...extra });

test('plain mounts are not idmapped; any mapping field or the idmap/ridmap option makes one', () => {
  assert.deepEqual(planIdmapSources([bind({}), { destination: '/t', type: 'tmpfs', source: 'tmpfs' }], withUserns), []);
  assert.deepEqual(
    planIdmapSources([bind({ uidMappings: OWN, gidMappings: OWN })], undefined),
    [{ index: 0, source: '/src', recursiveTree: false, recursiveIdmap: false, uidMap: '0 1000 1\n', gidMap: '0 1000 1\n' }],
  );
});

test('rbind clones the whole tree; ridmap maps every mount of it, idmap only the top one (runc mountFd)', () => {
  const [a, b, c] = planIdmapSources(
    [
      bind({ options: ['rbind', 'idmap'], uidMappings: OWN, gidMappings: OWN }),
      bind({ options: ['rbind', 'ridmap'], uidMappings: OWN, gidMappings: OWN }),
      bind({ options: ['bind', 'ridmap'], uidMappings: OWN, gidMappings: OWN }),
    ],
    undefined,
  );
  assert.deepEqual([a?.recursiveTree, a?.recursiveIdmap], [true, false]);
  assert.deepEqual([b?.recursiveTree, b?.recursiveIdmap], [true, true]);
  assert.deepEqual([c?.recursiveTree, c?.recursiveIdmap], [false, true]);
});

test('idmap without mappings takes the container\'s: its maps, or the joined namespace itself', () => {
  const [own] = planIdmapSources([bind({ options: ['bind', 'idmap'] })], withUserns);
  assert.equal(own?.uidMap, '0 100000 65536\n');
  assert.equal(own?.gidMap, '0 100000 65536\n');
  assert.equal(own?.usernsPath, undefined);
  const joined: Linux = { namespaces: [{ type: 'user', path: '/proc/77/ns/user' }] };
  const [j] = planIdmapSources([bind({ options: ['rbind', 'ridmap'] })], joined);
  assert.equal(j?.usernsPath, '/proc/77/ns/user');
  // a mount's own mappings win over the container's
  const [m] = planIdmapSources([bind({ options: ['bind', 'idmap'], uidMappings: OWN, gidMappings: OWN })], withUserns);
  assert.equal(m?.uidMap, '0 1000 1\n');
});

test('runc\'s refusals are ConfigErrors naming the field', () => {
  const bad: Array<[Mount, Linux | undefined, string, RegExp]> = [
    [{ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['idmap'] }, withUserns, '/mounts/0/options', /only supported for bind-mounts/],
    // type "bind" alone is not a bind: runc looks at the bind/rbind option (MS_BIND)
    [{ destination: '/t', type: 'bind', source: '/s', uidMappings: OWN, gidMappings: OWN }, undefined, '/mounts/0/options', /only supported for bind-mounts/],
    [bind({ options: ['bind', 'idmap'] }), undefined, '/mounts/0/uidMappings', /must have both uid and gid mappings/],
    [bind({ uidMappings: OWN }), withUserns, '/mounts/0/gidMappings', /must have both uid and gid mappings/],
    [bind({ gidMappings: OWN }), undefined, '/mounts/0/uidMappings', /must have both uid and gid mappings/],
    [bind({ uidMappings: [], gidMappings: OWN }), withUserns, '/mounts/0/uidMappings', /must have both/],
  ];
  for (const [m, linux, pointer, msg] of bad) {
    assert.throws(
      () => planIdmapSources([m], linux),
      (e: unknown) => e instanceof ConfigError && e.pointer === pointer && msg.test(e.message),
      pointer,
    );
  }
});

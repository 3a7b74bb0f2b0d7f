import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildFeatures } from '../../../src/spec/features';
import { parseMountOptions } from '../../../src/rootfs/mount-options';
import { isKnownCapability } from '../../../src/security/capabilities';
import { RUNTS_BIN } from '../../support/runts';

test('features: only what runts really supports is advertised', () => {
  const f = buildFeatures({ seccomp: { enabled: false }, version: '1', commit: 'c' });
  assert.equal(f.ociVersionMin, '1.0.0');
  assert.equal(f.ociVersionMax, '1.3.0');
  assert.deepEqual(f.linux.namespaces, ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
  assert.ok(f.mountOptions.includes('tmpcopyup'), 'tmpcopyup works, so it is advertised');
  // idmap/ridmap are advertised as mountExtensions.idmap, not as mount options (runc 1.2)
  assert.ok(!f.mountOptions.includes('idmap'));
  assert.equal(f.linux.mountExtensions.idmap.enabled, true);
  for (const o of f.mountOptions) assert.doesNotThrow(() => parseMountOptions([o]), o);
  assert.ok(f.linux.capabilities.every(isKnownCapability));
  assert.equal(f.linux.cgroup.systemd, false);
});

test('runts features prints the document as runc does (4-space JSON and a newline)', () => {
  const r = spawnSync(process.execPath, [RUNTS_BIN, 'features'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.endsWith('}\n'));
  assert.match(r.stdout, /^\{\n {4}"ociVersionMin": "1\.0\.0",\n/);
  const f = JSON.parse(r.stdout) as { hooks: string[] };
  assert.equal(f.hooks.length, 6);
});

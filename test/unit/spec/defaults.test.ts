import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec, rootlessSpec } from '../../../src/spec/defaults';
import { SPEC_VERSION } from '../../../src/spec/types';
import { requires } from '../../support/requires';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-defaults-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** runc's file with its ociVersion replaced by ours: the only intended difference. */
function runcSpec(dir: string, args: string[], runAs?: number): string {
  const argv = ['spec', '-b', dir, ...args];
  if (runAs === undefined) execFileSync('runc', argv);
  else execFileSync('setpriv', [`--reuid=${runAs}`, `--regid=${runAs}`, '--clear-groups', 'runc', ...argv]);
  const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
  const m = /^\{\n\t"ociVersion": "([^"]*)"/.exec(text);
  assert.ok(m !== null, 'runc spec starts with ociVersion');
  return text.replace(`"ociVersion": "${m[1]}"`, `"ociVersion": "${SPEC_VERSION}"`);
}

test('defaultSpec is byte for byte runc spec', { skip: requires('runc') }, (t) => {
  assert.equal(JSON.stringify(defaultSpec(), null, '\t'), runcSpec(tmp(t), []));
});

test('rootlessSpec is byte for byte runc spec --rootless', { skip: requires('runc') }, (t) => {
  assert.equal(JSON.stringify(rootlessSpec(), null, '\t'), runcSpec(tmp(t), ['--rootless']));
});

test('rootlessSpec maps root to the calling user', { skip: requires('runc', 'root') }, (t) => {
  const dir = tmp(t);
  fs.chmodSync(dir, 0o777);
  assert.equal(JSON.stringify(rootlessSpec(65534, 65534), null, '\t'), runcSpec(dir, ['--rootless'], 65534));
});

test('the templates carry the spec version and fresh objects each time', () => {
  const a = defaultSpec();
  assert.equal(a.ociVersion, SPEC_VERSION);
  a.process!.capabilities!.bounding!.push('CAP_SYS_ADMIN');
  assert.deepEqual(defaultSpec().process!.capabilities!.bounding, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
  const r = rootlessSpec(1000, 1001);
  assert.deepEqual(r.linux!.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  assert.deepEqual(r.linux!.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }]);
  assert.deepEqual(r.linux!.namespaces!.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'user']);
  assert.equal(r.linux!.resources, undefined);
  assert.ok(!JSON.stringify(r.mounts).includes('gid=5'));
});

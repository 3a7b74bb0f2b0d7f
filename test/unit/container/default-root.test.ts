// Unit tests of the default --root (runc's XDG_RUNTIME_DIR rule) and the user
// namespace detection it depends on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultRoot, ensureXdgRoot, isRunningInUserNs } from '../../../src/container/state-store';

test('default root: /run/runts for root, $XDG_RUNTIME_DIR/runts for a user', () => {
  const no = () => false;
  const yes = () => true;
  assert.deepEqual(defaultRoot({}, 0, no), { root: '/run/runts', xdg: false });
  assert.deepEqual(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/0' }, 0, no), { root: '/run/runts', xdg: false });
  assert.deepEqual(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000, no), { root: '/run/user/1000/runts', xdg: true });
  // A user without XDG_RUNTIME_DIR gets the system root (and no permission there), as with runc.
  assert.deepEqual(defaultRoot({}, 1000, no), { root: '/run/runts', xdg: false });
  // Root of a user namespace: XDG only when $USER is not root.
  assert.deepEqual(defaultRoot({ XDG_RUNTIME_DIR: '/x', USER: 'me' }, 0, yes), { root: '/x/runts', xdg: true });
  assert.deepEqual(defaultRoot({ XDG_RUNTIME_DIR: '/x', USER: 'root' }, 0, yes), { root: '/run/runts', xdg: false });
});

test('user namespace detection from uid_map', () => {
  assert.equal(isRunningInUserNs('         0          0 4294967295\n'), false);
  assert.equal(isRunningInUserNs('         0       1000          1\n'), true);
  assert.equal(isRunningInUserNs('0 100000 65536\n'), true);
});

test('the XDG root is made private and sticky, whatever the umask', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-xdg-unit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'runts');
  const old = process.umask(0o077);
  try {
    ensureXdgRoot(root);
    ensureXdgRoot(root);
  } finally {
    process.umask(old);
  }
  assert.equal(fs.statSync(root).mode & 0o7777, 0o1700);
  assert.throws(() => ensureXdgRoot(path.join(dir, 'missing', 'runts')), /^RuntimeError: the path in \$XDG_RUNTIME_DIR must be writable by the user: /);
});

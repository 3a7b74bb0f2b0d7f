// Unit tests for NS_GET_NSTYPE: every process may open its own /proc/self/ns files, so
// no root is needed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SyscallError } from '../../../src/errors';
import { namespaceTypeOf } from '../../../src/sys/nsfs';

test('the kernel names the type of each /proc/self/ns file', () => {
  const files: Record<string, string> = { mnt: 'mount', net: 'network', pid: 'pid', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time' };
  for (const [file, type] of Object.entries(files)) {
    const p = `/proc/self/ns/${file}`;
    if (!fs.existsSync(p)) continue; // older kernels lack time/cgroup namespaces
    assert.equal(namespaceTypeOf(p), type, p);
  }
});

test('files that are not namespaces give undefined, without blocking on a fifo', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-nsfs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'plain');
  fs.writeFileSync(file, 'x');
  assert.equal(namespaceTypeOf(file), undefined);
  assert.equal(namespaceTypeOf(dir), undefined);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  assert.equal(namespaceTypeOf(fifo), undefined);
});

test('a missing path throws SyscallError ENOENT naming the path', () => {
  const p = path.join(os.tmpdir(), `runts-nsfs-missing-${process.pid}`);
  assert.throws(
    () => namespaceTypeOf(p),
    (err: unknown) => err instanceof SyscallError && err.code === 'ENOENT' && err.syscall === 'open' && err.path === p,
  );
});

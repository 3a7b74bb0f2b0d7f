// The one error line of a failing create/run, against runc 1.1 on the same bundle: the
// layers shims and users read ("runc run failed: unable to start container process:
// error during container init: ...") are runc's, with runts' name in the first one.
// Each case removes what it made and asserts nothing is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assertNoLeftovers, containerEnv, runtsIo } from '../support/container';
import { requires } from '../support/requires';
import type { Spec } from '../../src/spec/types';

const skip = requires('root', 'busybox', 'runc');

/** The msg of the last error line, quotes unescaped. */
function msgOf(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.includes('level=error'));
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(lines[lines.length - 1] ?? '');
  assert.ok(m !== null, `no error line in:\n${stderr}`);
  return JSON.parse(`"${m[1]}"`) as string;
}

const cases: Array<{ name: string; mutate: (s: Spec) => void; layers: string }> = [
  { name: 'missing binary', mutate: (s) => void (s.process!.args = ['nosuch']), layers: 'unable to start container process: exec: "nosuch": executable file not found in $PATH' },
  {
    name: 'missing bind source',
    mutate: (s) => void s.mounts!.push({ destination: '/x', type: 'bind', source: '/nonexistent-runts-src', options: ['bind'] }),
    layers: 'unable to start container process: error during container init: error mounting "/nonexistent-runts-src" to rootfs at "/x": stat /nonexistent-runts-src: no such file or directory',
  },
  {
    name: 'failing prestart hook',
    mutate: (s) => void (s.hooks = { prestart: [{ path: '/bin/false' }] }),
    layers: 'unable to start container process: error during container init: error running ',
  },
];

for (const c of cases) {
  test(`run fails like runc, layer for layer: ${c.name}`, { skip }, (t) => {
    const e = containerEnv(t, 'errline', (s) => {
      s.process!.args = ['true'];
      c.mutate(s);
    });
    const ours = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
    assert.equal(ours.status, 1, ours.stderr);
    const theirs = spawnSync('runc', ['--root', e.root, 'run', '--bundle', e.bundle.dir, `${e.id}-runc`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    assert.equal(theirs.status, 1, theirs.stderr);
    const mine = msgOf(ours.stderr);
    const runcs = msgOf(theirs.stderr);
    assert.ok(mine.startsWith(`runts run failed: ${c.layers}`), mine);
    assert.ok(runcs.startsWith(`runc run failed: ${c.layers}`), runcs);
    assertNoLeftovers(e);
  });
}

test('create: the outer layer names the command; errors before the process starts have no process layer', { skip }, (t) => {
  const e = containerEnv(t, 'errline', (s) => {
    s.root!.path = 'no-such-rootfs';
  });
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 1);
  const msg = msgOf(r.stderr);
  assert.match(msg, /^runts create failed: \/root\/path: invalid rootfs/);
  assert.ok(!msg.includes('unable to start container process'), msg);
  assertNoLeftovers(e);
});

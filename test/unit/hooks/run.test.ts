import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HookError } from '../../../src/errors';
import { runHook, runHooks } from '../../../src/hooks/run';
import { HOOK_PHASES } from '../../../src/hooks/phases';

function tmpdir(t: { after(fn: () => void): void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-hook-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('the state arrives on stdin, argv0 is args[0], env is exactly the given one', async (t) => {
  const d = tmpdir(t);
  const out = path.join(d, 'out');
  const state = JSON.stringify({ id: 'c1', status: 'creating' });
  await runHook('prestart', 0, {
    path: '/bin/sh',
    args: ['my-hook', '-c', `cat > ${out}.stdin; echo "$0" > ${out}.argv0; env > ${out}.env`],
    env: ['FOO=bar', 'EMPTY='],
  }, state);
  assert.equal(fs.readFileSync(`${out}.stdin`, 'utf8'), state);
  assert.equal(fs.readFileSync(`${out}.argv0`, 'utf8'), 'my-hook\n');
  const env = fs.readFileSync(`${out}.env`, 'utf8').split('\n').filter(Boolean)
    // sh itself exports PWD (and may add SHLVL, _): not ours
    .filter((l) => !/^(PWD|SHLVL|_)=/.test(l)).sort();
  assert.deepEqual(env, ['EMPTY=', 'FOO=bar']);
});

test('a non-zero exit is a HookError with kind, index, path, status and stderr', async () => {
  await assert.rejects(
    runHook('createRuntime', 2, { path: '/bin/sh', args: ['sh', '-c', 'echo out; echo oops >&2; exit 3'] }, '{}'),
    (err: unknown) => {
      assert.ok(err instanceof HookError);
      assert.equal(err.kind, 'createRuntime');
      assert.equal(err.index, 2);
      assert.equal(err.message, 'error running createRuntime hook #2 (/bin/sh): exit status 3, stdout: out, stderr: oops');
      return true;
    },
  );
});

test('a hook past its timeout is killed', async (t) => {
  const d = tmpdir(t);
  const marker = path.join(d, 'still-running');
  const start = Date.now();
  await assert.rejects(
    runHook('createContainer', 0, { path: '/bin/sh', args: ['sh', '-c', `sleep 5; touch ${marker}`], timeout: 1 }, '{}'),
    /error running createContainer hook #0 \(\/bin\/sh\): hook ran past specified timeout of 1\.0s/,
  );
  assert.ok(Date.now() - start < 4000, 'did not wait for the hook');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!fs.existsSync(marker));
});

test('a hook that cannot start, and one that ignores stdin', async () => {
  await assert.rejects(runHook('poststop', 0, { path: '/nonexistent/hook' }, '{}'), /poststop hook #0 \(\/nonexistent\/hook\): .*ENOENT/);
  await runHook('prestart', 0, { path: '/bin/true' }, 'x'.repeat(1 << 20));
});

test('runHooks stops at the first failure', async (t) => {
  const d = tmpdir(t);
  const ran = path.join(d, 'ran');
  await assert.rejects(
    runHooks('prestart', [
      { path: '/bin/sh', args: ['sh', '-c', `echo 0 >> ${ran}`] },
      { path: '/bin/false' },
      { path: '/bin/sh', args: ['sh', '-c', `echo 2 >> ${ran}`] },
    ], '{}'),
    (e: unknown) => e instanceof HookError && e.index === 1,
  );
  assert.equal(fs.readFileSync(ran, 'utf8'), '0\n');
});

test('phases: only poststart and poststop failures are warnings', () => {
  const nonFatal = Object.values(HOOK_PHASES).filter((p) => !p.fatal).map((p) => p.kind);
  assert.deepEqual(nonFatal, ['poststart', 'poststop']);
  assert.equal(HOOK_PHASES.createContainer.runner, 'setup');
  assert.equal(HOOK_PHASES.createContainer.namespace, 'container');
  assert.equal(HOOK_PHASES.prestart.namespace, 'runtime');
});

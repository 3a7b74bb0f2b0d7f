// Tests for `runts check`: option mapping through the real commander program (nothing
// runs), and the real CLI as a child process on good and broken bundles.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CommanderError } from 'commander';
import type { CheckCommandOptions } from '../../../src/cli/commands/check';
import { UsageError } from '../../../src/errors';
import type { Finding } from '../../../src/spec/finding';
import { makeBundle } from '../../support/bundle';
import { parseCommand } from '../../support/cli';

const RUNTS = path.resolve(__dirname, '../../../../bin/runts');

async function parse(argv: string[]): Promise<CheckCommandOptions[]> {
  const r = await parseCommand<CheckCommandOptions>(argv);
  if (r === undefined) return [];
  assert.equal(r.command, 'check');
  return [r.options];
}

test('options map to CheckCommandOptions', async () => {
  assert.deepEqual(await parse(['check']), [{ bundle: undefined, json: false, systemdCgroup: false }]);
  assert.deepEqual(await parse(['check', '-b', '/x', '--json']), [{ bundle: '/x', json: true, systemdCgroup: false }]);
  assert.deepEqual(await parse(['--systemd-cgroup', 'check', '--bundle=/y']), [{ bundle: '/y', json: false, systemdCgroup: true }]);
});

test('positional arguments and unknown options are refused before anything runs', async () => {
  await assert.rejects(parse(['check', 'extra']), (e: unknown) => e instanceof UsageError && e.message === 'runts: "check" requires exactly 0 argument(s)');
  await assert.rejects(parse(['check', '--nope']), (e: unknown) => e instanceof CommanderError && e.code === 'commander.unknownOption');
  await assert.rejects(parse(['check', '-b']), (e: unknown) => e instanceof CommanderError && e.code === 'commander.optionMissingArgument');
});

function runts(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [RUNTS, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a valid bundle: exit 0 and "config.json is valid"', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  const r = runts('check', '--bundle', b.dir);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'config.json is valid\n');
  assert.equal(r.status, 0);
  const j = runts('check', '-b', b.dir, '--json');
  assert.deepEqual(JSON.parse(j.stdout), []);
  assert.equal(j.status, 0);
});

function breakBundle(b: ReturnType<typeof makeBundle>): void {
  b.update((s) => {
    s.process!.cwd = 'relative';
    s.process!.capabilities!.bounding!.push('CAP_NOT_REAL');
    s.mounts![0]!.destination = 'proc';
    s.linux!.namespaces!.push({ type: 'pid' });
  });
}

test('a broken bundle: one line per finding, a summary, exit 1', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  breakBundle(b);
  const r = runts('check', '-b', b.dir);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'error: /process/cwd: cwd must be an absolute path (expected an absolute path, found "relative")',
    'error: /process/capabilities/bounding/3: unknown capability (expected a Linux capability name (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE), found "CAP_NOT_REAL")',
    'warning: /mounts/0/destination: mount destination is not absolute (deprecated: used as relative to /) (expected an absolute path, found "proc")',
    'error: /linux/namespaces/5/type: malformed spec file: duplicated namespace (expected each type once (already at /linux/namespaces/0), found "pid")',
    '3 error(s), 1 warning(s)',
  ]);
});

test('--json prints exactly the findings', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  breakBundle(b);
  const r = runts('check', '-b', b.dir, '--json');
  assert.equal(r.status, 1);
  const findings = JSON.parse(r.stdout) as Finding[];
  assert.deepEqual(
    findings.map((f) => [f.severity, f.pointer, f.rule]),
    [
      ['error', '/process/cwd', 'process-cwd'],
      ['error', '/process/capabilities/bounding/3', 'capability-unknown'],
      ['warning', '/mounts/0/destination', 'mount-destination'],
      ['error', '/linux/namespaces/5/type', 'namespace-duplicate'],
    ],
  );
  assert.deepEqual(findings[0], {
    pointer: '/process/cwd',
    rule: 'process-cwd',
    severity: 'error',
    message: 'cwd must be an absolute path',
    expected: 'an absolute path',
    found: '"relative"',
  });
});

test('warnings alone keep exit 0', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  b.update((s) => (s.mounts![0]!.destination = 'proc'));
  const r = runts('check', '-b', b.dir);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^warning: \/mounts\/0\/destination: .*\n0 error\(s\), 1 warning\(s\)\n$/);
});

test('--systemd-cgroup changes what cgroupsPath must look like', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  b.update((s) => (s.linux!.cgroupsPath = 'system.slice:runts:abc'));
  assert.equal(runts('--systemd-cgroup', 'check', '-b', b.dir).status, 0);
  const r = runts('check', '-b', b.dir);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^error: \/linux\/cgroupsPath: /m);
});

test('a missing bundle or config.json is a finding, not a crash', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  const missing = path.join(b.dir, 'nope');
  let r = runts('check', '-b', missing);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^error: chdir .*nope: .*\n1 error\(s\), 0 warning\(s\)\n$/);
  b.writeRaw('{"ociVersion": ');
  r = runts('check', '-b', b.dir, '--json');
  assert.equal(r.status, 1);
  const findings = JSON.parse(r.stdout) as Finding[];
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.rule, 'json-syntax');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatLine, rfc3339 } from '../../src/log';
import { requires } from '../support/requires';
import { runts, tmpRoot } from '../support/runts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

test('rfc3339 is Go time.RFC3339 in local time, without fractions', () => {
  const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  const s = rfc3339(d);
  assert.match(s, RFC3339);
  assert.equal(new Date(s).getTime(), Date.UTC(2026, 0, 2, 3, 4, 5));
});

test('rfc3339 under TZ=UTC and a positive offset', () => {
  const logJs = require.resolve('../../src/log');
  const at = Date.UTC(2026, 10, 22, 6, 57, 3);
  const run = (tz: string): string =>
    execFileSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(logJs)}).rfc3339(new Date(${at})))`], {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    });
  assert.equal(run('UTC'), '2026-11-22T06:57:03Z');
  assert.equal(run('Asia/Kolkata'), '2026-11-22T12:27:03+05:30');
});

test('json lines: keys level, msg, time in that order (logrus JSONFormatter)', () => {
  const d = new Date();
  const line = formatLine('error', 'container does not exist', 'json', d);
  const parsed = JSON.parse(line) as Record<string, string>;
  assert.deepEqual(Object.keys(parsed), ['level', 'msg', 'time']);
  assert.equal(parsed['level'], 'error');
  assert.equal(parsed['msg'], 'container does not exist');
  assert.equal(parsed['time'], rfc3339(d));
  assert.equal(line, `{"level":"error","msg":"container does not exist","time":"${rfc3339(d)}"}`);
  assert.ok(!line.includes('\n'));
  assert.ok(!formatLine('error', 'a\nb', 'json', d).includes('\n'), 'a newline in msg stays escaped');
});

test('text lines: logrus TextFormatter quoting', () => {
  const d = new Date();
  const t = rfc3339(d);
  assert.equal(formatLine('error', 'container does not exist', 'text', d), `time="${t}" level=error msg="container does not exist"`);
  assert.equal(formatLine('warning', 'plain-word_1.2/x', 'text', d), `time="${t}" level=warning msg=plain-word_1.2/x`);
  assert.equal(formatLine('error', 'say "hi"', 'text', d), `time="${t}" level=error msg="say \\"hi\\""`);
});

test('--log F --log-format json: one json error line in F, the bare message on stderr', (t) => {
  const root = tmpRoot(t).path;
  const r = runts(['state', 'nope'], { root, log: true });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'container does not exist\n');
  assert.equal(r.logLines.length, 1);
  assert.equal(r.logLines[0]!.level, 'error');
  assert.equal(r.logLines[0]!.msg, 'container does not exist');
  assert.match(r.logLines[0]!.time, RFC3339);
});

test('without --log the single error line goes to stderr, in the chosen format', (t) => {
  const root = tmpRoot(t).path;
  const json = runts(['--log-format', 'json', 'state', 'nope'], { root });
  assert.equal(json.status, 1);
  const lines = json.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1);
  assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), ['level', 'msg', 'time']);
  const text = runts(['state', 'nope'], { root });
  assert.match(text.stderr, /^time="[^"]+" level=error msg="container does not exist"\n$/);
});

test('the same as runc on the same command', { skip: requires('runc') }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-log-diff-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const logFile = path.join(dir, 'runc.log');
  const r = spawnSync('runc', ['--root', path.join(dir, 'root'), '--log', logFile, '--log-format', 'json', 'state', 'nope'], {
    encoding: 'utf8',
  });
  const ours = runts(['state', 'nope'], { root: path.join(dir, 'root'), log: true });
  assert.equal(ours.status, r.status);
  assert.equal(ours.stderr, r.stderr);
  const theirs = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.deepEqual(
    ours.logLines.map((l) => [Object.keys(l), l.level, l.msg]),
    theirs.map((l) => [Object.keys(l), l['level'], l['msg']]),
  );
});

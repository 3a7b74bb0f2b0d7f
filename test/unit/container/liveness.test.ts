import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { isAlive, parseProcStat, procStartTime } from '../../../src/container/liveness';

test('parseProcStat counts fields from the last parenthesis', () => {
  const tail = ' '.repeat(0) + Array.from({ length: 50 }, (_v, i) => String(i + 4)).join(' ');
  // field 22 is the 20th after the state (field 3): value "22" in this synthetic line
  assert.deepEqual(parseProcStat(`123 (sleep) S ${tail}`), { state: 'S', startTime: 22 });
  assert.deepEqual(parseProcStat(`123 (a b) c) (d) Z ${tail}`), { state: 'Z', startTime: 22 });
  assert.deepEqual(parseProcStat(`123 () R ${tail}`), { state: 'R', startTime: 22 });
  assert.equal(parseProcStat('123 (x) S 1 2'), undefined);
  assert.equal(parseProcStat('garbage'), undefined);
});

test('own process is alive with its own start time', () => {
  const start = procStartTime(process.pid);
  assert.equal(typeof start, 'number');
  const raw = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  assert.equal(start, Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[19]));
  assert.equal(isAlive(process.pid, start!), true);
});

test('a wrong start time means the pid was reused', () => {
  const start = procStartTime(process.pid)!;
  assert.equal(isAlive(process.pid, start + 1), false);
});

test('a finished child is not alive', () => {
  const r = spawnSync('/bin/true');
  assert.equal(r.status, 0);
  assert.equal(procStartTime(r.pid), undefined);
  assert.equal(isAlive(r.pid, 0), false);
});

test('nonsense pids are not alive', () => {
  assert.equal(isAlive(0, 0), false);
  assert.equal(isAlive(-1, 0), false);
  assert.equal(isAlive(1.5, 0), false);
  assert.equal(procStartTime(0), undefined);
});

test('a zombie is not alive', async (t) => {
  const { spawn } = await import('node:child_process');
  // sh starts a short child, then execs a sleep that never reaps it: a zombie once it exits.
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => parent.kill('SIGKILL'));
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  let state = '';
  for (let i = 0; i < 100 && state !== 'Z'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    state = raw.slice(raw.lastIndexOf(')') + 2).split(' ')[0]!;
  }
  assert.equal(state, 'Z');
  const start = procStartTime(pid);
  assert.equal(typeof start, 'number');
  assert.equal(isAlive(pid, start!), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MSG, NotFoundError } from '../../../src/errors';
import { lockContainer, withLock } from '../../../src/container/lock';
import { createStateDir, removeStateDir } from '../../../src/container/state-store';

const lockJs = require.resolve('../../../src/container/lock');

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-lock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A child process that takes the lock and logs start/end around a sleep. */
function racer(root: string, id: string, log: string, name: string): Promise<number | null> {
  const script = `
    const { withLock } = require(${JSON.stringify(lockJs)});
    const fs = require('node:fs');
    withLock(${JSON.stringify(root)}, ${JSON.stringify(id)}, async () => {
      fs.appendFileSync(${JSON.stringify(log)}, 'start ${name}\\n');
      await new Promise((r) => setTimeout(r, 300));
      fs.appendFileSync(${JSON.stringify(log)}, 'end ${name}\\n');
    }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

test('two processes on one id do not interleave', async (t) => {
  const root = tmp(t);
  createStateDir(root, 'c');
  const log = path.join(root, 'log');
  const codes = await Promise.all([racer(root, 'c', log, 'a'), racer(root, 'c', log, 'b'), racer(root, 'c', log, 'd')]);
  assert.deepEqual(codes, [0, 0, 0]);
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 6);
  for (let i = 0; i < lines.length; i += 2) {
    const who = lines[i]!.split(' ')[1];
    assert.equal(lines[i], `start ${who}`);
    assert.equal(lines[i + 1], `end ${who}`, `interleaved: ${lines.join(', ')}`);
  }
});

test('different ids do not wait for each other', async (t) => {
  const root = tmp(t);
  createStateDir(root, 'one');
  createStateDir(root, 'two');
  const held = lockContainer(root, 'one');
  t.after(() => held.release());
  const other = lockContainer(root, 'two', { nonblocking: true });
  other.release();
});

test('a held lock makes a nonblocking attempt fail, and an error in fn releases it', async (t) => {
  const root = tmp(t);
  createStateDir(root, 'c');
  // flock locks belong to the open file description, so a second open in the same
  // process conflicts just as another process would.
  const held = lockContainer(root, 'c');
  assert.throws(() => lockContainer(root, 'c', { nonblocking: true }), (e: unknown) => (e as { code?: string }).code === 'EAGAIN');
  held.release();
  held.release(); // idempotent
  await assert.rejects(withLock(root, 'c', () => { throw new Error('boom'); }), /boom/);
  const again = lockContainer(root, 'c', { nonblocking: true });
  again.release();
  const shared1 = lockContainer(root, 'c', { shared: true });
  const shared2 = lockContainer(root, 'c', { shared: true, nonblocking: true });
  assert.throws(() => lockContainer(root, 'c', { nonblocking: true }), (e: unknown) => (e as { code?: string }).code === 'EAGAIN');
  shared1.release();
  shared2.release();
  assert.equal(await withLock(root, 'c', async () => 7), 7);
});

test('locking a missing container is NotFoundError', (t) => {
  const root = tmp(t);
  assert.throws(() => lockContainer(root, 'nope'), (e: unknown) => e instanceof NotFoundError && e.message === MSG.notExist);
  assert.throws(() => lockContainer(root, '../x'), /invalid container ID format/);
});

async function waiterAfter(root: string, change: () => void): Promise<string> {
  const script = `
    const { lockContainer } = require(${JSON.stringify(lockJs)});
    try { lockContainer(${JSON.stringify(root)}, 'c'); console.log('locked'); }
    catch (e) { console.log(e.constructor.name + ': ' + e.message); }
  `;
  const held = lockContainer(root, 'c');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    // Wait until the child is blocked in flock: /proc/locks lists waiters with "->".
    const blocked = new RegExp(`-> FLOCK\\s+ADVISORY\\s+WRITE\\s+${child.pid} `);
    for (let i = 0; i < 500 && !blocked.test(fs.readFileSync('/proc/locks', 'utf8')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.match(fs.readFileSync('/proc/locks', 'utf8'), blocked, 'the child never waited for the lock');
    change();
  } finally {
    held.release();
  }
  await exited;
  return out.trim();
}

test('a waiter whose container was deleted meanwhile is told it does not exist', async (t) => {
  const root = tmp(t);
  createStateDir(root, 'c');
  assert.equal(await waiterAfter(root, () => removeStateDir(root, 'c')), `NotFoundError: ${MSG.notExist}`);
});

test('a waiter whose container was deleted and created again locks the new one', async (t) => {
  const root = tmp(t);
  createStateDir(root, 'c');
  const out = await waiterAfter(root, () => {
    removeStateDir(root, 'c');
    createStateDir(root, 'c');
  });
  assert.equal(out, 'locked');
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UsageError } from '../../../src/errors';
import { parseSignal, signalName, signalTable } from '../../../src/process/signals';

test('names parse with or without SIG, in any case, and numbers pass through', () => {
  for (const raw of ['KILL', 'kill', 'SIGKILL', 'SigKill', '9']) assert.equal(parseSignal(raw), 9, raw);
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('SIGCLD'), 17);
  assert.equal(parseSignal('IOT'), 6);
  assert.equal(parseSignal('POLL'), 29);
  assert.equal(parseSignal('WINCH'), 28);
  assert.equal(parseSignal('0'), 0);
});

test('real-time signals parse by RTMIN+n and RTMAX-n', () => {
  assert.equal(parseSignal('RTMIN'), 34);
  assert.equal(parseSignal('SIGRTMIN+1'), 35);
  assert.equal(parseSignal('rtmax-1'), 63);
  assert.equal(parseSignal('RTMAX'), 64);
  assert.equal(parseSignal('RTMIN+16'), 50);
  assert.equal(parseSignal('RTMAX-14'), 50);
});

test('an unknown name is runc\'s error', () => {
  assert.throws(() => parseSignal('FOO'), (e: unknown) => e instanceof UsageError && e.message === 'unknown signal "FOO"');
  assert.throws(() => parseSignal('RTMIN+40'), { message: 'unknown signal "RTMIN+40"' });
});

test('numbers name back like kill -l', () => {
  assert.equal(signalName(9), 'SIGKILL');
  assert.equal(signalName(6), 'SIGABRT');
  assert.equal(signalName(17), 'SIGCHLD');
  assert.equal(signalName(29), 'SIGIO');
  assert.equal(signalName(49), 'SIGRTMIN+15');
  assert.equal(signalName(50), 'SIGRTMAX-14');
  assert.equal(signalName(32), undefined);
  const nums = signalTable().map(([n]) => n);
  assert.deepEqual(nums, [...Array.from({ length: 31 }, (_, i) => i + 1), ...Array.from({ length: 31 }, (_, i) => i + 34)]);
});

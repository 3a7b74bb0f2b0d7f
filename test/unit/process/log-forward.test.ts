import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { forwardLogs, parseLogLine } from '../../../src/process/log-forward';

test('native JSON lines keep their level and gain a runts-init prefix', () => {
  assert.deepEqual(parseLogLine('{"level":"debug","msg":"child: unshare(0x20000)"}'), {
    level: 'debug',
    msg: 'runts-init: child: unshare(0x20000)',
  });
});

test('anything else is forwarded as a warning, not dropped', () => {
  assert.deepEqual(parseLogLine('not json'), { level: 'warning', msg: 'runts-init: not json' });
  assert.deepEqual(parseLogLine('{"level":"loud","msg":"x"}'), { level: 'warning', msg: 'runts-init: {"level":"loud","msg":"x"}' });
});

test('lines split across chunks are joined, and the stream end flushes the rest', async () => {
  const s = new PassThrough();
  const got: string[] = [];
  const done = forwardLogs(s, (level, msg) => got.push(`${level} ${msg}`));
  s.write('{"level":"debug","ms');
  s.write('g":"a"}\n{"level":"info","msg":"b"}\n');
  s.end('{"level":"debug","msg":"c"}');
  await done;
  assert.deepEqual(got, ['debug runts-init: a', 'info runts-init: b', 'debug runts-init: c']);
});

// `ps` and `events`: the pure parts (ps output filtering, pid JSON, Go durations,
// event lines) and their registration, without running anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration, type EventsCommandOptions } from '../../../src/cli/commands/events';
import type { PsOptions } from '../../../src/cli/commands/ps';
import { filterPsOutput, pidsDir, renderPidsJson } from '../../../src/container/ps';
import { renderEvent } from '../../../src/container/events';
import { emptyStats, statsJson } from '../../../src/cgroups/stats';
import { parseOptions } from '../../support/cli';

const PS = `UID        PID  PPID  C STIME TTY          TIME CMD
root         1     0  0 10:00 ?        00:00:01 /sbin/init
root      5965     1  0 22:59 ?        00:00:00 sh -c while true; do sleep 1; done
root      5971  5965  0 22:59 ?        00:00:00 sleep 1
`;

test('ps table: header plus the rows of the container pids, PID column found by name', () => {
  assert.equal(filterPsOutput(PS, [5965, 5971]), PS.split('\n').filter((_l, i) => i !== 1).join('\n'));
  assert.equal(filterPsOutput('  PID COMMAND\n 5965 sh\n    7 x\n', [5965]), '  PID COMMAND\n 5965 sh\n');
  assert.throws(() => filterPsOutput('USER COMMAND\nroot sh\n', [1]), { message: "couldn't find PID field in ps output" });
  assert.throws(() => filterPsOutput('PID CMD\nabc x\n', [1]), { message: 'unable to parse pid: strconv.Atoi: parsing "abc": invalid syntax' });
});

test('ps json: Go\'s encoding of []int, null when there are none', () => {
  assert.equal(renderPidsJson([5965, 5971]), '[5965,5971]\n');
  assert.equal(renderPidsJson([]), 'null\n');
});

test('ps reads pids from the devices hierarchy when there is one', () => {
  assert.equal(pidsDir({ memory: '/m', devices: '/d', unified: '/u' }), '/d');
  assert.equal(pidsDir({ 'cpu,cpuacct': '/c', unified: '/u' }), '/u');
  assert.equal(pidsDir({}), undefined);
});

test('Go durations', () => {
  assert.equal(parseGoDuration('5s'), 5000);
  assert.equal(parseGoDuration('1m30s'), 90000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('.5s'), 500);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('-1s'), -1000);
  for (const bad of ['', '5', '1.5', 'abc', '5x', 's', '.s']) assert.equal(parseGoDuration(bad), undefined, bad);
});

test('event lines: stats carry data, oom has none', () => {
  assert.equal(renderEvent({ type: 'oom', id: 'c1' }), '{"type":"oom","id":"c1"}\n');
  const s = emptyStats();
  assert.equal(renderEvent({ type: 'stats', id: 'c1', data: s }), `{"type":"stats","id":"c1","data":${statsJson(s)}}\n`);
});

const parse = parseOptions;

test('registration: ps passes everything after the id to ps; -f before the id is ours', async () => {
  assert.deepEqual(await parse<PsOptions>(['ps', '-f', 'json', 'c1']), { root: '/run/runts', id: 'c1', format: 'json', psArgs: [] });
  assert.deepEqual((await parse<PsOptions>(['ps', 'c1', '-o', 'pid,comm'])).psArgs, ['-o', 'pid,comm']);
  assert.deepEqual((await parse<PsOptions>(['ps', 'c1', '-f'])).psArgs, ['-f']);
  assert.equal((await parse<PsOptions>(['ps', 'c1'])).format, 'table');
});

test('registration: events --interval is a Go duration (default 5s), --stats a switch', async () => {
  assert.deepEqual(await parse<EventsCommandOptions>(['events', 'c1']), { root: '/run/runts', id: 'c1', stats: false, intervalMs: 5000 });
  assert.deepEqual(await parse<EventsCommandOptions>(['events', '--stats', '--interval', '100ms', 'c1']), { root: '/run/runts', id: 'c1', stats: true, intervalMs: 100 });
  await assert.rejects(parse(['events', '--interval', 'abc', 'c1']), { message: 'invalid value "abc" for flag -interval: parse error' });
});

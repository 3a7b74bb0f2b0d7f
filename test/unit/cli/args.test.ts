import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkArgs, normalizeArgv, type OptionTable } from '../../../src/cli/args';
import { UsageError } from '../../../src/errors';

const table: OptionTable = {
  global: new Map([['root', true], ['log', true], ['log-format', true], ['debug', false]]),
  commands: new Map([
    ['create', { options: new Map([['bundle', true], ['b', true], ['pid-file', true], ['no-pivot', false]]), stopAtFirstArg: false }],
    ['exec', { options: new Map([['user', true], ['u', true], ['detach', false], ['d', false], ['tty', false], ['t', false]]), stopAtFirstArg: true }],
  ]),
};

test('single-dash long flags become double-dash, values kept', () => {
  assert.deepEqual(
    normalizeArgv(['-root', '/r', '-log-format=json', 'create', '-bundle', 'b', '-no-pivot', 'id'], table),
    ['--root', '/r', '--log-format=json', 'create', '--bundle', 'b', '--no-pivot', 'id'],
  );
});

test('short flags stay short and their values are skipped', () => {
  assert.deepEqual(normalizeArgv(['create', '-b', '-weird', 'id'], table), ['create', '-b', '-weird', 'id']);
});

test('exec: nothing after the container id is touched', () => {
  assert.deepEqual(
    normalizeArgv(['exec', '-u', '1000', '-detach', 'id', 'ps', '-ef', '-root'], table),
    ['exec', '-u', '1000', '--detach', 'id', 'ps', '-ef', '-root'],
  );
});

test('unknown single-dash words and everything after -- are left alone', () => {
  assert.deepEqual(normalizeArgv(['create', '-nope', '--', '-root'], table), ['create', '-nope', '--', '-root']);
});

test('checkArgs uses runc\'s wording', () => {
  assert.throws(() => checkArgs('start', [], { exact: 1 }), (e: unknown) => e instanceof UsageError && e.message === 'runts: "start" requires exactly 1 argument(s)');
  assert.throws(() => checkArgs('exec', [], { min: 1 }), /requires a minimum of 1 argument\(s\)/);
  assert.doesNotThrow(() => checkArgs('list', [], { max: 0 }));
});

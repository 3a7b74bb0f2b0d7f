// Device access rules: the spec's rules plus runc's defaults, as v1 devices.allow/deny
// lines and as the cgroup v2 eBPF filter (bytes pinned). As root, the filter is loaded
// for real and attached to a tmp cgroup2 directory, and a process inside it is refused
// the device the rules leave out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deviceFilterBytes, disassemble, planDeviceFilter, DEVICE_FILTER_LICENSE } from '../../../src/cgroups/devices-bpf';
import { toV1 } from '../../../src/cgroups/devices-v1';
import { DEFAULT_ALLOWED_DEVICES, planDeviceRules, ruleString, type DeviceRule } from '../../../src/cgroups/resources/devices';
import { ConfigError } from '../../../src/errors';
import { requires } from '../../support/requires';

const lines = (rules: DeviceRule[]): string[] => toV1(rules).map((w) => `${w.file} ${w.value}`);
const rule = (type: 'a' | 'b' | 'c', major: number, minor: number, access: string, allow: boolean): DeviceRule => ({ type, major, minor, access, allow });

test("runc's default allowed devices, in runc's order", () => {
  assert.deepEqual(
    DEFAULT_ALLOWED_DEVICES.map((d) => ruleString(d.rule)),
    ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:8 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 1:5 rwm', 'c 1:9 rwm', 'c 136:* rwm', 'c 5:2 rwm', 'c 10:200 rwm'],
  );
});

test('v1: the default config (deny all) gives one deny-all, then the defaults', () => {
  assert.deepEqual(lines(planDeviceRules([{ allow: false, access: 'rwm' }])), [
    'devices.deny a',
    'devices.allow c *:* m',
    'devices.allow b *:* m',
    'devices.allow c 1:3 rwm',
    'devices.allow c 1:8 rwm',
    'devices.allow c 1:7 rwm',
    'devices.allow c 5:0 rwm',
    'devices.allow c 1:5 rwm',
    'devices.allow c 1:9 rwm',
    'devices.allow c 136:* rwm',
    'devices.allow c 5:2 rwm',
    'devices.allow c 10:200 rwm',
  ]);
});

test('v1: no rules still starts from deny-all (runc); spec rules come before the defaults, in order', () => {
  assert.equal(lines(planDeviceRules())[0], 'devices.deny a');
  const l = lines(planDeviceRules([{ allow: true, type: 'b', major: 8, minor: 0, access: 'r' }, { allow: false, type: 'c', major: 1, access: 'w' }]));
  assert.deepEqual(l.slice(0, 4), ['devices.deny a', 'devices.allow b 8:0 r', 'devices.deny c 1:* w', 'devices.allow c *:* m']);
  // A privileged config: allow-all after the initial deny-all.
  assert.deepEqual(lines(planDeviceRules([{ allow: true, access: 'rwm' }])).slice(0, 2), ['devices.deny a', 'devices.allow a *:* rwm']);
});

test('a linux.devices entry takes over the default rule for its path', () => {
  const rules = planDeviceRules([], [{ path: '/dev/null', type: 'c', major: 1, minor: 3 }, { path: '/dev/fuse', type: 'c', major: 10, minor: 229 }]);
  const s = rules.map(ruleString);
  assert.ok(!s.includes('c 1:3 rwm'), 'the default /dev/null rule is dropped');
  assert.ok(!s.includes('c 10:229 rwm'), 'spec devices are not allowed implicitly (runc)');
  assert.equal(s.length, DEFAULT_ALLOWED_DEVICES.length - 1);
});

test('bad rules are config errors naming the field', () => {
  assert.throws(
    () => planDeviceRules([{ allow: true, type: 'c', major: 1, minor: 3, access: '' }]),
    (e: unknown) => e instanceof ConfigError && e.pointer === '/linux/resources/devices/0/access' && e.message === 'device access at 0 field cannot be empty',
  );
  assert.throws(() => planDeviceRules([{ allow: true, access: 'rwx' }]), /invalid device access "rwx"/);
  assert.throws(
    () => planDeviceRules([{ allow: true, access: 'r' }, { allow: true, type: 'u', access: 'r' }]),
    (e: unknown) => e instanceof ConfigError && e.pointer === '/linux/resources/devices/1/type',
  );
});

test('bpf: one allowed device, pinned instruction by instruction and byte by byte', () => {
  const prog = planDeviceFilter([rule('a', -1, -1, 'rwm', false), rule('c', 1, 3, 'rwm', true)]);
  assert.deepEqual(disassemble(prog), [
    'ldxw r2, [r1+0]',
    'and32 r2, 0xffff',
    'ldxw r3, [r1+0]',
    'rsh32 r3, 16',
    'ldxw r4, [r1+4]',
    'ldxw r5, [r1+8]',
    'jne r2, 2, +4',
    'jne r4, 1, +3',
    'jne r5, 3, +2',
    'mov32 r0, 1',
    'exit',
    'mov32 r0, 0',
    'exit',
  ]);
  assert.equal(
    deviceFilterBytes([rule('a', -1, -1, 'rwm', false), rule('c', 1, 3, 'rwm', true)]).toString('hex'),
    [
      '6112000000000000',
      '54020000ffff0000',
      '6113000000000000',
      '7403000010000000',
      '6114040000000000',
      '6115080000000000',
      '5502040002000000',
      '5504030001000000',
      '5505020003000000',
      'b400000001000000',
      '9500000000000000',
      'b400000000000000',
      '9500000000000000',
    ].join(''),
  );
});

test('bpf: partial access is checked as a subset; wildcards skip the compare', () => {
  const prog = disassemble(planDeviceFilter([rule('b', -1, -1, 'm', true), rule('c', 136, -1, 'rw', false)]));
  assert.deepEqual(prog.slice(6), [
    // last rule first: c 136:* rw deny
    'jne r2, 2, +6',
    'mov32 r1, r3',
    'and32 r1, 0x6',
    'jne r1, r3, +3',
    'jne r4, 136, +2',
    'mov32 r0, 0',
    'exit',
    // b *:* m allow
    'jne r2, 1, +5',
    'mov32 r1, r3',
    'and32 r1, 0x1',
    'jne r1, r3, +2',
    'mov32 r0, 1',
    'exit',
    'mov32 r0, 0',
    'exit',
  ]);
});

test('bpf: a type "a" rule becomes the default verdict and hides the rules before it (as in runc)', () => {
  assert.deepEqual(disassemble(planDeviceFilter([rule('a', -1, -1, 'rwm', true)])).slice(6), ['mov32 r0, 1', 'exit']);
  // runc TestDeviceFilter_Weird: deny 8:1, allow all, deny 8:2 -> only 8:2 is denied.
  assert.deepEqual(disassemble(planDeviceFilter([rule('b', 8, 1, 'rwm', false), rule('a', -1, -1, 'rwm', true), rule('b', 8, 2, 'rwm', false)])).slice(6), [
    'jne r2, 1, +4',
    'jne r4, 8, +3',
    'jne r5, 2, +2',
    'mov32 r0, 0',
    'exit',
    'mov32 r0, 1',
    'exit',
  ]);
});

test("bpf: runc's defaults give runc's block layout (TestDeviceFilter_BuiltInAllowList)", () => {
  const prog = planDeviceFilter(planDeviceRules());
  assert.equal(prog.length, 64);
  const d = disassemble(prog);
  // tuntap is the first block, c *:* m the last before the default deny.
  assert.deepEqual(d.slice(6, 11), ['jne r2, 2, +4', 'jne r4, 10, +3', 'jne r5, 200, +2', 'mov32 r0, 1', 'exit']);
  assert.deepEqual(d.slice(56), ['jne r2, 2, +5', 'mov32 r1, r3', 'and32 r1, 0x1', 'jne r1, r3, +2', 'mov32 r0, 1', 'exit', 'mov32 r0, 0', 'exit']);
});

const UNIFIED = '/sys/fs/cgroup/unified';
const cgroup2 = fs.existsSync(path.join(UNIFIED, 'cgroup.controllers')) ? UNIFIED : '/sys/fs/cgroup';

test('as root: the filter loads, attaches, replaces, and a process in the cgroup is refused /dev/zero', { skip: requires('root', 'cgroup-v2') }, (t) => {
  const { queryCgroupDevicePrograms, replaceCgroupDeviceFilter } = require('../../../src/sys/bpf') as typeof import('../../../src/sys/bpf');
  const dir = path.join(cgroup2, `runts-devtest-${process.pid}`);
  fs.mkdirSync(dir);
  t.after(() => fs.rmdirSync(dir));
  // First a program allowing everything, then the real one: the second must replace the first.
  replaceCgroupDeviceFilter(dir, deviceFilterBytes([rule('a', -1, -1, 'rwm', true)]), DEVICE_FILTER_LICENSE);
  const onlyNull = [rule('a', -1, -1, 'rwm', false), rule('c', 1, 3, 'rwm', true)];
  replaceCgroupDeviceFilter(dir, deviceFilterBytes(onlyNull), DEVICE_FILTER_LICENSE);
  const fd = fs.openSync(dir, 'r');
  try {
    assert.equal(queryCgroupDevicePrograms(fd).length, 1, 'exactly one filter stays attached');
  } finally {
    fs.closeSync(fd);
  }
  const probe = [
    `echo $$ > ${dir}/cgroup.procs || exit 9`,
    'if echo x > /dev/null; then echo null-ok; else echo null-denied; fi',
    'if head -c1 /dev/zero > /dev/null 2>&1; then echo zero-ok; else echo zero-denied; fi',
  ].join('\n');
  const r = spawnSync('/bin/sh', ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['null-ok', 'zero-denied']);
});

// Unit tests for src/security/process-attrs.ts and src/security/lsm.ts: runc's checks on
// personality, ioPriority, scheduler and the LSM fields (pointer, rule, exact text), the
// spec -> wire conversion, the bootstrap records, and the LSM probes on a tmp tree.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeBootstrap, encodeSchedAttr, parseRecords, type InitRequest } from '../../../src/process/bootstrap';
import { ATTR_APPARMOR, ATTR_IOPRIO, ATTR_PERSONALITY, ATTR_SCHEDULER, ATTR_SELINUX_LABEL } from '../../../src/process/proto';
import { isAppArmorEnabled, isSELinuxEnabled, type LsmPaths } from '../../../src/security/lsm';
import {
  MSG_APPARMOR_NOT_ENABLED,
  MSG_MOUNT_LABEL_NOT_ENABLED,
  MSG_SELINUX_NOT_ENABLED,
  SCHED_ATTR_SIZE,
  processAttrFindings,
  toProcessAttrs,
  withMountLabel,
  type LsmStatus,
} from '../../../src/security/process-attrs';
import type { Finding } from '../../../src/spec/finding';
import type { Process, Spec } from '../../../src/spec/types';
import { semanticFindings } from '../../../src/spec/validate';
import { baseSpec } from '../../support/bundle';

const NO_LSM: LsmStatus = { apparmor: false, selinux: false };
const ALL_LSM: LsmStatus = { apparmor: true, selinux: true };

function findings(mutate: (s: Spec) => void, lsm: LsmStatus = NO_LSM): Finding[] {
  const s = baseSpec();
  mutate(s);
  return processAttrFindings(s, lsm);
}

function one(found: Finding[], pointer: string, message: string, severity: 'error' | 'warning' = 'error'): void {
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0]!.pointer, pointer);
  assert.equal(found[0]!.severity, severity);
  assert.equal(found[0]!.message, message);
}

function proc(over: Partial<Process>): Process {
  return { ...baseSpec().process!, ...over };
}

test('a config without these fields has no findings and no attributes', () => {
  assert.deepEqual(findings(() => undefined), []);
  assert.deepEqual(toProcessAttrs(baseSpec().linux, baseSpec().process!, NO_LSM), {});
});

test('personality: LINUX and LINUX32 become their personas; an unknown domain is an error; flags are ignored with a warning (runc specconv)', () => {
  assert.equal(toProcessAttrs({ personality: { domain: 'LINUX32' } }, proc({}), NO_LSM).personality, 0x0008);
  assert.equal(toProcessAttrs({ personality: { domain: 'LINUX' } }, proc({}), NO_LSM).personality, 0x0000);
  one(findings((s) => (s.linux!.personality = { domain: 'LINUX64' })), '/linux/personality/domain', 'invalid personality domain LINUX64');
  one(
    findings((s) => (s.linux!.personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] })),
    '/linux/personality/flags',
    'ignoring unsupported personality flags: [ADDR_NO_RANDOMIZE] because personality flag has not supported at this time',
    'warning',
  );
  // Flags do not reach the persona.
  assert.equal(toProcessAttrs({ personality: { domain: 'LINUX32', flags: ['ADDR_NO_RANDOMIZE'] } }, proc({}), NO_LSM).personality, 0x0008);
  assert.throws(() => toProcessAttrs({ personality: { domain: 'X' } }, proc({}), NO_LSM), {
    name: 'ConfigError',
    message: '/linux/personality/domain: invalid personality domain X (expected LINUX or LINUX32, found "X")',
  });
});

test('ioPriority: class << 13 | priority; priority outside 0..7 is runc\'s error', () => {
  assert.equal(toProcessAttrs(undefined, proc({ ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 0 } }), NO_LSM).ioprio, 1 << 13);
  assert.equal(toProcessAttrs(undefined, proc({ ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 3 } }), NO_LSM).ioprio, (2 << 13) | 3);
  assert.equal(toProcessAttrs(undefined, proc({ ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 7 } }), NO_LSM).ioprio, (3 << 13) | 7);
  for (const bad of [-1, 8, 2.5]) {
    one(findings((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: bad })), '/process/ioPriority/priority', `invalid ioPriority.Priority: ${bad}`);
  }
  one(
    findings((s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_NONE' as 'IOPRIO_CLASS_BE', priority: 0 })),
    '/process/ioPriority/class',
    'invalid io priority class: IOPRIO_CLASS_NONE',
  );
});

test('scheduler: runc validator rules, with its wording', () => {
  const sched = (s: Spec['process'] & object, v: object): void => {
    s.scheduler = v as never;
  };
  one(findings((s) => sched(s.process!, { policy: '' })), '/process/scheduler/policy', 'scheduler policy is required');
  one(findings((s) => sched(s.process!, { policy: 'SCHED_FOO' })), '/process/scheduler/policy', 'invalid scheduler policy: SCHED_FOO');
  one(findings((s) => sched(s.process!, { policy: 'SCHED_OTHER', nice: 20 })), '/process/scheduler/nice', 'invalid scheduler.nice: 20 when scheduler.policy is SCHED_OTHER');
  one(findings((s) => sched(s.process!, { policy: 'SCHED_BATCH', nice: -21 })), '/process/scheduler/nice', 'invalid scheduler.nice: -21 when scheduler.policy is SCHED_BATCH');
  one(
    findings((s) => sched(s.process!, { policy: 'SCHED_BATCH', priority: 3 })),
    '/process/scheduler/priority',
    'scheduler.priority can only be specified for SchedFIFO or SchedRR policy',
  );
  one(
    findings((s) => sched(s.process!, { policy: 'SCHED_OTHER', runtime: 1000 })),
    '/process/scheduler/runtime',
    'scheduler runtime/deadline/period can only be specified for SchedDeadline policy',
  );
  one(findings((s) => sched(s.process!, { policy: 'SCHED_FIFO' })), '/process/scheduler/priority', 'scheduler.priority must be 1 to 99 for SCHED_FIFO');
  one(findings((s) => sched(s.process!, { policy: 'SCHED_RR', priority: 100 })), '/process/scheduler/priority', 'scheduler.priority must be 1 to 99 for SCHED_RR');
  one(findings((s) => sched(s.process!, { policy: 'SCHED_ISO' })), '/process/scheduler/policy', 'scheduler policy SCHED_ISO is not implemented by linux');
  one(findings((s) => sched(s.process!, { policy: 'SCHED_IDLE', flags: ['SCHED_FLAG_NOPE'] })), '/process/scheduler/flags/0', 'invalid scheduler flag: SCHED_FLAG_NOPE');
  // Accepted: nice outside -20..19 for IDLE (the kernel ignores it there), deadline fields for DEADLINE.
  assert.deepEqual(findings((s) => sched(s.process!, { policy: 'SCHED_IDLE', nice: 30 })), []);
  assert.deepEqual(findings((s) => sched(s.process!, { policy: 'SCHED_DEADLINE', runtime: 1, deadline: 2, period: 3 })), []);
  assert.deepEqual(findings((s) => sched(s.process!, { policy: 'SCHED_FIFO', priority: 99, flags: ['SCHED_FLAG_RESET_ON_FORK'] })), []);
});

test('scheduler: struct sched_attr as the kernel lays it out (56 bytes)', () => {
  const a = toProcessAttrs(
    undefined,
    proc({ scheduler: { policy: 'SCHED_DEADLINE', nice: -5, flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_DL_OVERRUN'], runtime: 10_000_000, deadline: 20_000_000, period: 30_000_000 } }),
    NO_LSM,
  ).scheduler!;
  assert.deepEqual(a, { policy: 6, flags: 0x05n, nice: -5, priority: 0, runtime: 10_000_000n, deadline: 20_000_000n, period: 30_000_000n });
  const b = encodeSchedAttr(a);
  assert.equal(b.length, SCHED_ATTR_SIZE);
  assert.equal(SCHED_ATTR_SIZE, 56);
  const le = os.endianness() === 'LE';
  const r32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const r64 = (o: number): bigint => (le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  assert.equal(r32(0), 56);
  assert.equal(r32(4), 6);
  assert.equal(r64(8), 0x05n);
  assert.equal(le ? b.readInt32LE(16) : b.readInt32BE(16), -5);
  assert.equal(r32(20), 0);
  assert.equal(r64(24), 10_000_000n);
  assert.equal(r64(32), 20_000_000n);
  assert.equal(r64(40), 30_000_000n);
  assert.equal(r32(48), 0);
  assert.equal(r32(52), 0);
  const fifo = toProcessAttrs(undefined, proc({ scheduler: { policy: 'SCHED_FIFO', priority: 10 } }), NO_LSM).scheduler!;
  assert.deepEqual(fifo, { policy: 1, flags: 0n, nice: 0, priority: 10, runtime: 0n, deadline: 0n, period: 0n });
});

test('apparmorProfile, selinuxLabel, mountLabel: one clear error each on a host without the LSM (runc\'s text)', () => {
  one(findings((s) => (s.process!.apparmorProfile = 'docker-default')), '/process/apparmorProfile', MSG_APPARMOR_NOT_ENABLED);
  one(findings((s) => (s.process!.selinuxLabel = 'system_u:system_r:container_t:s0')), '/process/selinuxLabel', MSG_SELINUX_NOT_ENABLED);
  one(findings((s) => (s.linux!.mountLabel = 'system_u:object_r:container_file_t:s0')), '/linux/mountLabel', MSG_MOUNT_LABEL_NOT_ENABLED);
  assert.equal(MSG_SELINUX_NOT_ENABLED, 'selinux label is specified in config, but selinux is disabled or not supported');
  assert.equal(MSG_APPARMOR_NOT_ENABLED, 'apparmor: config provided but apparmor not supported');
  // Empty strings ask for nothing.
  assert.deepEqual(findings((s) => Object.assign(s.process!, { apparmorProfile: '', selinuxLabel: '' })), []);
  assert.throws(() => toProcessAttrs(undefined, proc({ apparmorProfile: 'p' }), NO_LSM), { name: 'ConfigError', message: /^\/process\/apparmorProfile: apparmor: config provided/ });
  // With the LSMs: no finding, and the text native writes.
  const all = (s: Spec): void => {
    s.process!.apparmorProfile = 'docker-default';
    s.process!.selinuxLabel = 'system_u:system_r:container_t:s0';
    s.linux!.mountLabel = 'system_u:object_r:container_file_t:s0';
  };
  assert.deepEqual(findings(all, ALL_LSM), []);
  const a = toProcessAttrs(undefined, proc({ apparmorProfile: 'docker-default', selinuxLabel: 'system_u:system_r:container_t:s0' }), ALL_LSM);
  assert.equal(a.apparmorExec, 'exec docker-default');
  assert.equal(a.selinuxLabel, 'system_u:system_r:container_t:s0');
  // Only the LSM that is missing is an error.
  one(findings(all, { apparmor: true, selinux: false }).filter((f) => f.pointer.startsWith('/process')), '/process/selinuxLabel', MSG_SELINUX_NOT_ENABLED);
});

test('the exec\'d process is checked under its own pointer base', () => {
  assert.throws(() => toProcessAttrs(undefined, proc({ ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 9 } }), NO_LSM, '/process'), {
    message: '/process/ioPriority/priority: invalid ioPriority.Priority: 9 (expected 0 to 7, found 9)',
  });
});

test('records: ids and payloads native decodes, in id order; a NUL in a label is refused', () => {
  const a = toProcessAttrs(
    { personality: { domain: 'LINUX32' } },
    proc({ ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 3 }, scheduler: { policy: 'SCHED_BATCH', nice: 5 }, apparmorProfile: 'p', selinuxLabel: 'l' }),
    ALL_LSM,
  );
  const request = (attrs: InitRequest['attrs']): InitRequest => ({
    mode: 'exec',
    cloneFlags: 0,
    join: [],
    process: { args: ['true'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [], rlimits: [], noNewPrivileges: false, preserveFds: 0 },
    ...(attrs !== undefined ? { attrs } : {}),
  });
  const ids = new Set([ATTR_PERSONALITY, ATTR_IOPRIO, ATTR_SCHEDULER, ATTR_APPARMOR, ATTR_SELINUX_LABEL]);
  const recs = parseRecords(encodeBootstrap(request(a), {})).filter((r) => ids.has(r.id));
  assert.deepEqual(recs.map((r) => r.id), [ATTR_PERSONALITY, ATTR_IOPRIO, ATTR_SCHEDULER, ATTR_APPARMOR, ATTR_SELINUX_LABEL]);
  assert.equal(recs[0]!.payload.length, 4);
  assert.equal(recs[2]!.payload.length, 56);
  assert.deepEqual(recs[3]!.payload, Buffer.from('exec p\0'));
  assert.deepEqual(recs[4]!.payload, Buffer.from('l\0'));
  assert.throws(() => encodeBootstrap(request({ selinuxLabel: 'a\0b' }), {}), /selinuxLabel contains a NUL byte/);
  assert.equal(parseRecords(encodeBootstrap(request(undefined), {})).filter((r) => ids.has(r.id)).length, 0);
});

test('check: the rule is in the semantic table and takes the host\'s LSM state from the probes', () => {
  const s = baseSpec();
  s.process!.apparmorProfile = 'x';
  s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 9 };
  const without = semanticFindings(s, '/bundle', { isDirectory: () => true, pathExists: () => true, lsm: () => NO_LSM });
  assert.deepEqual(
    without.filter((f) => f.severity === 'error').map((f) => f.pointer),
    ['/process/ioPriority/priority', '/process/apparmorProfile'],
  );
  const withLsm = semanticFindings(s, '/bundle', { isDirectory: () => true, pathExists: () => true, lsm: () => ALL_LSM });
  assert.deepEqual(withLsm.filter((f) => f.severity === 'error').map((f) => f.pointer), ['/process/ioPriority/priority']);
});

test('withMountLabel: go-selinux FormatMountLabel', () => {
  assert.equal(withMountLabel('mode=755', undefined), 'mode=755');
  assert.equal(withMountLabel('mode=755', ''), 'mode=755');
  assert.equal(withMountLabel('', 'system_u:object_r:container_file_t:s0'), 'context="system_u:object_r:container_file_t:s0"');
  assert.equal(withMountLabel('mode=755,size=65536k', 'l'), 'mode=755,size=65536k,context="l"');
});

test('LSM probes: apparmor from securityfs and the module parameter, selinux from a selinuxfs mount and our label', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-lsm-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const paths: LsmPaths = {
    apparmorDir: path.join(dir, 'apparmor'),
    apparmorEnabled: path.join(dir, 'enabled'),
    mountinfo: path.join(dir, 'mountinfo'),
    currentLabel: path.join(dir, 'current'),
  };
  assert.equal(isAppArmorEnabled(paths), false);
  fs.mkdirSync(paths.apparmorDir);
  fs.writeFileSync(paths.apparmorEnabled, 'N\n');
  assert.equal(isAppArmorEnabled(paths), false);
  fs.writeFileSync(paths.apparmorEnabled, 'Y\n');
  assert.equal(isAppArmorEnabled(paths), true);

  fs.writeFileSync(paths.mountinfo, '22 1 0:21 / /proc rw,nosuid - proc proc rw\n');
  fs.writeFileSync(paths.currentLabel, 'system_u:system_r:unconfined_t:s0\0');
  assert.equal(isSELinuxEnabled(paths), false);
  fs.appendFileSync(paths.mountinfo, '30 25 0:27 / /sys/fs/selinux rw,relatime - selinuxfs selinuxfs rw\n');
  assert.equal(isSELinuxEnabled(paths), true);
  fs.writeFileSync(paths.currentLabel, 'kernel\0');
  assert.equal(isSELinuxEnabled(paths), false);
  fs.rmSync(paths.currentLabel);
  assert.equal(isSELinuxEnabled(paths), false);
});

// Unit tests for the capability table and the per-set bit masks.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
  CAPABILITY_NAMES,
  CAP_LAST_KNOWN,
  capabilityNumber,
  isKnownCapability,
  lastCapOfKernel,
  toCapMasks,
} from '../../../src/security/capabilities';

test('capability numbers follow linux/capability.h', () => {
  assert.equal(capabilityNumber('CAP_CHOWN'), 0);
  assert.equal(capabilityNumber('CAP_KILL'), 5);
  assert.equal(capabilityNumber('CAP_NET_BIND_SERVICE'), 10);
  assert.equal(capabilityNumber('CAP_SYS_ADMIN'), 21);
  assert.equal(capabilityNumber('CAP_AUDIT_WRITE'), 29);
  assert.equal(capabilityNumber('CAP_SETFCAP'), 31);
  assert.equal(capabilityNumber('CAP_AUDIT_READ'), 37);
  assert.equal(capabilityNumber('CAP_PERFMON'), 38);
  assert.equal(capabilityNumber('CAP_BPF'), 39);
  assert.equal(capabilityNumber('CAP_CHECKPOINT_RESTORE'), 40);
  assert.equal(CAP_LAST_KNOWN, 40);
  assert.equal(new Set(CAPABILITY_NAMES).size, 41);
});

test('only exact CAP_ names are capabilities', () => {
  assert.equal(isKnownCapability('CAP_MKNOD'), true);
  for (const bad of ['MKNOD', 'cap_mknod', 'CAP_BOGUS', '', 'CAP_MKNOD ']) {
    assert.equal(isKnownCapability(bad), false, bad);
    assert.equal(capabilityNumber(bad), undefined, bad);
  }
});

test('lastCapOfKernel reads /proc/sys/kernel/cap_last_cap', () => {
  const expected = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  assert.equal(lastCapOfKernel(), expected);
});

test('toCapMasks builds one mask per set', () => {
  const m = toCapMasks(
    { bounding: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_SYS_ADMIN'], ambient: ['CAP_CHECKPOINT_RESTORE'] },
    40,
  );
  assert.equal(m.bounding, (1n << 0n) | (1n << 5n));
  assert.equal(m.effective, 1n << 5n);
  assert.equal(m.permitted, 1n << 21n);
  assert.equal(m.inheritable, 0n);
  assert.equal(m.ambient, 1n << 40n);
  assert.deepEqual(m.skipped, []);
});

test('toCapMasks skips and lists what this kernel lacks (and unknown names)', () => {
  const m = toCapMasks({ bounding: ['CAP_KILL', 'CAP_BPF', 'CAP_PERFMON', 'CAP_NOPE'], effective: ['CAP_BPF'] }, 37);
  assert.equal(m.bounding, 1n << 5n);
  assert.equal(m.effective, 0n);
  assert.deepEqual(m.skipped, ['CAP_BPF', 'CAP_NOPE', 'CAP_PERFMON']);
});

test('every capability fits: the full set is 41 bits', () => {
  const m = toCapMasks({ bounding: [...CAPABILITY_NAMES] }, 40);
  assert.equal(m.bounding, (1n << 41n) - 1n);
});

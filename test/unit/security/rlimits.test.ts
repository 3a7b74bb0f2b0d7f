// Unit tests for the RLIMIT_* table.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RLIMIT_NAMES, isKnownRlimit, rlimitNumber } from '../../../src/security/rlimits';

test('rlimit numbers follow asm-generic/resource.h', () => {
  const expected: Record<string, number> = {
    RLIMIT_CPU: 0,
    RLIMIT_FSIZE: 1,
    RLIMIT_DATA: 2,
    RLIMIT_STACK: 3,
    RLIMIT_CORE: 4,
    RLIMIT_RSS: 5,
    RLIMIT_NPROC: 6,
    RLIMIT_NOFILE: 7,
    RLIMIT_MEMLOCK: 8,
    RLIMIT_AS: 9,
    RLIMIT_LOCKS: 10,
    RLIMIT_SIGPENDING: 11,
    RLIMIT_MSGQUEUE: 12,
    RLIMIT_NICE: 13,
    RLIMIT_RTPRIO: 14,
    RLIMIT_RTTIME: 15,
  };
  assert.equal(RLIMIT_NAMES.length, 16);
  for (const [name, n] of Object.entries(expected)) assert.equal(rlimitNumber(name), n, name);
});

test('unknown rlimit names', () => {
  for (const bad of ['NOFILE', 'rlimit_nofile', 'RLIMIT_BOGUS', '']) {
    assert.equal(rlimitNumber(bad), undefined, bad);
    assert.equal(isKnownRlimit(bad), false, bad);
  }
  assert.equal(isKnownRlimit('RLIMIT_NOFILE'), true);
});

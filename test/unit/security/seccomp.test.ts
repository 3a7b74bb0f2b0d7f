// Unit tests of the seccomp compiler (src/security/seccomp.ts through libseccomp), its
// bootstrap record and the semantic rules of `check`. No root needed: compiling a
// filter does not load it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors';
import { encodeBootstrap, parseRecords, type InitRequest } from '../../../src/process/bootstrap';
import { ATTR_SECCOMP } from '../../../src/process/proto';
import { compileSeccomp, SECCOMP_FILTER_FLAG, toAction } from '../../../src/security/seccomp';
import { semanticFindings } from '../../../src/spec/validate';
import type { LinuxSeccomp, Spec } from '../../../src/spec/types';

const mkdirErrno = (errnoRet: number): LinuxSeccomp => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet }],
});

/** SECCOMP_RET_ERRNO | errno as the k of a BPF "ret" instruction (code 0x06). */
function returns(filter: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 8 <= filter.length; off += 8) {
    if (filter.readUInt16LE(off) === 0x06) out.push(filter.readUInt32LE(off + 4));
  }
  return out;
}

function throwsAt(fn: () => unknown, pointer: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.pointer, pointer);
    assert.match(err.message, message);
    return true;
  });
}

test('a profile compiles to whole BPF instructions, different for different profiles', () => {
  const a = compileSeccomp(mkdirErrno(1));
  const b = compileSeccomp(mkdirErrno(38));
  const c = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] });
  for (const p of [a, b, c]) {
    assert.ok(p.filter.length >= 8 * 4, `only ${p.filter.length} bytes`);
    assert.equal(p.filter.length % 8, 0);
    assert.equal(p.flags, 0);
  }
  assert.notDeepEqual(a.filter, b.filter);
  assert.notDeepEqual(a.filter, c.filter);
  // The errno travels in the return value: 0x00050000 | errno.
  assert.ok(returns(a.filter).includes(0x00050001));
  assert.ok(returns(b.filter).includes(0x00050026));
  assert.ok(!returns(a.filter).includes(0x00050026));
  assert.ok(returns(c.filter).includes(0x00050001), 'default ERRNO is EPERM');
});

test('syscall names this libseccomp does not know are skipped', () => {
  const known = compileSeccomp(mkdirErrno(1));
  const withUnknown = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['no_such_syscall_xyz', 'mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
  });
  assert.deepEqual(withUnknown.filter, known.filter);
});

test('rules with the default action are skipped, as runc does', () => {
  const none = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' });
  const same = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ALLOW' }] });
  assert.deepEqual(same.filter, none.filter);
});

test('argument conditions: every operator compiles, and two on one index become separate rules', () => {
  const ops = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
  const filters = ops.map(
    (op) => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, valueTwo: 8, op }] }] }).filter,
  );
  assert.equal(new Set(filters.map((f) => f.toString('hex'))).size, ops.length, 'each operator gives its own program');
  // libseccomp refuses two comparisons of one argument in a rule; runc splits them.
  const two = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }, { index: 1, value: 15, op: 'SCMP_CMP_EQ' }] }],
  });
  assert.ok(two.filter.length > 0);
});

test('every action and flag maps to its kernel value', () => {
  assert.equal(toAction('SCMP_ACT_KILL', undefined, ''), 0);
  assert.equal(toAction('SCMP_ACT_KILL_THREAD', undefined, ''), 0);
  assert.equal(toAction('SCMP_ACT_KILL_PROCESS', undefined, ''), 0x80000000);
  assert.equal(toAction('SCMP_ACT_TRAP', undefined, ''), 0x00030000);
  assert.equal(toAction('SCMP_ACT_ERRNO', undefined, ''), 0x00050001);
  assert.equal(toAction('SCMP_ACT_ERRNO', 38, ''), 0x00050026);
  assert.equal(toAction('SCMP_ACT_TRACE', undefined, ''), 0x7ff00001);
  assert.equal(toAction('SCMP_ACT_ALLOW', undefined, ''), 0x7fff0000);
  assert.equal(toAction('SCMP_ACT_LOG', undefined, ''), 0x7ffc0000);
  const p = compileSeccomp({ ...mkdirErrno(1), flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'] });
  assert.equal(p.flags, SECCOMP_FILTER_FLAG.LOG | SECCOMP_FILTER_FLAG.SPEC_ALLOW | SECCOMP_FILTER_FLAG.TSYNC);
});

test('extra architectures add their own sections to the program', () => {
  const native = compileSeccomp(mkdirErrno(1));
  const both = compileSeccomp({ ...mkdirErrno(1), architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] });
  assert.ok(both.filter.length > native.filter.length);
});

test('rules that collapse into one on x86 socketcall compile, as under runc (podman --cap-drop ALL)', () => {
  // podman's profile: socket(16 = AF_NETLINK, _, 9 = NETLINK_AUDIT) -> EINVAL, else allowed; on x86 the
  // multiplexed socketcall cannot see these arguments, so libseccomp reports EEXIST.
  const profile: LinuxSeccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, op: 'SCMP_CMP_EQ' }] },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: 9, op: 'SCMP_CMP_NE' }] },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, op: 'SCMP_CMP_NE' }] },
    ],
  };
  const compiled = compileSeccomp(profile);
  assert.ok(returns(compiled.filter).includes(0x00050000 | 22), 'the EINVAL rule is in the program');
});

test('bad actions, operators, indexes, architectures and NOTIFY are errors naming the JSON pointer', () => {
  throwsAt(() => compileSeccomp({ defaultAction: 'SCMP_ACT_BOGUS' }), '/linux/seccomp/defaultAction', /unknown seccomp action "SCMP_ACT_BOGUS"/);
  throwsAt(
    () => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOPE' }] }),
    '/linux/seccomp/syscalls/0/action',
    /unknown seccomp action/,
  );
  throwsAt(
    () => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_FOO' }] }] }),
    '/linux/seccomp/syscalls/0/args/0/op',
    /unknown seccomp operator/,
  );
  throwsAt(
    () => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }),
    '/linux/seccomp/syscalls/0/args/0/index',
    /out of range/,
  );
  throwsAt(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_VAX'] }), '/linux/seccomp/architectures/0', /unknown seccomp architecture/);
  throwsAt(
    () => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }),
    '/linux/seccomp/listenerPath',
    /listenerPath is not set/,
  );
  throwsAt(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }), '/linux/seccomp/flags/0', /not supported yet/);
});

test('the filter travels as one ATTR_SECCOMP record: u32 flags then the program', () => {
  const p = compileSeccomp(mkdirErrno(1));
  const req: InitRequest = {
    mode: 'exec',
    cloneFlags: 0,
    join: [],
    process: { args: ['true'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [], rlimits: [], noNewPrivileges: false, preserveFds: 0 },
    seccomp: { flags: 2, filter: p.filter },
  };
  const recs = parseRecords(encodeBootstrap(req, {})).filter((r) => r.id === ATTR_SECCOMP);
  assert.equal(recs.length, 1);
  assert.equal(recs[0]!.payload.readUInt32LE(0), 2);
  assert.deepEqual(recs[0]!.payload.subarray(4), p.filter);
  assert.throws(() => encodeBootstrap({ ...req, seccomp: { flags: 0, filter: Buffer.alloc(12) } }, {}), /seccomp filter of 12 bytes/);
  assert.throws(() => encodeBootstrap({ ...req, seccomp: { flags: 0, filter: Buffer.alloc(8 * 4097) } }, {}), /seccomp filter/);
});

function findingsFor(sc: unknown): { rule: string; pointer: string; severity: string }[] {
  const spec = { ociVersion: '1.0.2', linux: { seccomp: sc } } as unknown as Spec;
  return semanticFindings(spec, '/nonexistent', { pathExists: () => true, isDirectory: () => true })
    .filter((f) => f.rule.startsWith('seccomp'))
    .map((f) => ({ rule: f.rule, pointer: f.pointer, severity: f.severity }));
}

test('check: semantic seccomp rules name the field', () => {
  assert.deepEqual(findingsFor(mkdirErrno(1)), []);
  assert.deepEqual(findingsFor({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 3 }), [
    { rule: 'seccomp-errnoret', pointer: '/linux/seccomp/defaultErrnoRet', severity: 'error' },
  ]);
  assert.deepEqual(findingsFor({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }), [
    { rule: 'seccomp-errnoret', pointer: '/linux/seccomp/syscalls/0/errnoRet', severity: 'error' },
  ]);
  assert.deepEqual(findingsFor({ defaultAction: 'SCMP_ACT_NOTIFY' }), [
    { rule: 'seccomp-listener', pointer: '/linux/seccomp/listenerPath', severity: 'error' },
    { rule: 'seccomp-notify', pointer: '/linux/seccomp/defaultAction', severity: 'error' },
  ]);
  assert.deepEqual(
    findingsFor({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 7, value: 1, valueTwo: 2, op: 'SCMP_CMP_EQ' }] }] }),
    [
      { rule: 'seccomp-arg-index', pointer: '/linux/seccomp/syscalls/0/args/0/index', severity: 'error' },
      { rule: 'seccomp-value-two', pointer: '/linux/seccomp/syscalls/0/args/0/valueTwo', severity: 'warning' },
    ],
  );
  assert.deepEqual(findingsFor({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_FOO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_XX' }] }] }), [
    { rule: 'seccomp-action', pointer: '/linux/seccomp/syscalls/0/action', severity: 'error' },
    { rule: 'seccomp-operator', pointer: '/linux/seccomp/syscalls/0/args/0/op', severity: 'error' },
  ]);
  assert.deepEqual(findingsFor({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }), [
    { rule: 'seccomp-unsupported', pointer: '/linux/seccomp/flags/0', severity: 'warning' },
  ]);
});

// Unit tests of runc's -ENOSYS stub (src/security/seccomp-enosys.ts), alone and in
// front of real libseccomp programs (compileSeccomp): the programs run in a small
// classic-BPF interpreter over a seccomp_data written here. No root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { compileSeccomp, SECCOMP_ARCH_NAMES, SECCOMP_FILTER_FLAG } from '../../../src/security/seccomp';
import {
  AUDIT_ARCH,
  needsEnosysStub,
  parseProgram,
  patchEnosys,
  planEnosysSections,
  SECCOMP_RET_ERRNO_ENOSYS,
  toEnosysStub,
  toProgramBytes,
  X32_SYSCALL_BIT,
  type EnosysArch,
  type SockFilter,
} from '../../../src/security/seccomp-enosys';
import { archToken, syscallNumberOnArch } from '../../../src/sys/libseccomp';
import type { LinuxSeccomp } from '../../../src/spec/types';

const ENOSYS = 0x00050026;
const EPERM = 0x00050001;
const ALLOW = 0x7fff0000;
/** What the stub-only programs below end with: "fell through to libseccomp's program". */
const FALLTHROUGH = 0xdeadbeef;

// ---- a classic-BPF interpreter with the kernel's semantics for seccomp programs ----

interface SeccompData {
  nr: number;
  arch: number;
  ip?: bigint;
  args?: bigint[];
}

function seccompData(d: SeccompData): Buffer {
  const b = Buffer.alloc(64);
  const le = os.endianness() === 'LE';
  const u32 = (v: number, o: number): number => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const u64 = (v: bigint, o: number): number => (le ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o));
  u32(d.nr, 0);
  u32(d.arch, 4);
  u64(d.ip ?? 0xdeadbeefcafen, 8);
  (d.args ?? [0x1337n, 0xf00ba5n]).forEach((a, i) => u64(a, 16 + 8 * i));
  return b;
}

function readInsns(buf: Buffer): SockFilter[] {
  const le = os.endianness() === 'LE';
  const out: SockFilter[] = [];
  for (let o = 0; o < buf.length; o += 8) {
    out.push({ code: le ? buf.readUInt16LE(o) : buf.readUInt16BE(o), jt: buf[o + 2]!, jf: buf[o + 3]!, k: le ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 4) });
  }
  return out;
}

/** Runs a program the way the kernel does (forward jumps only, u32 arithmetic); throws on what seccomp would refuse. */
function runBpf(prog: readonly SockFilter[], data: Buffer): number {
  let a = 0;
  let x = 0;
  const mem = new Array<number>(16).fill(0);
  const le = os.endianness() === 'LE';
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc]!;
    const cls = code & 0x07;
    const src = code & 0x08 ? x : k;
    switch (cls) {
      case 0x00: // BPF_LD
        if (code === 0x20) {
          assert.ok(k % 4 === 0 && k + 4 <= 64, `ld [${k}]`);
          a = le ? data.readUInt32LE(k) : data.readUInt32BE(k);
        } else if (code === 0x00) a = k;
        else if (code === 0x60) a = mem[k]!;
        else throw new Error(`unsupported ld ${code.toString(16)}`);
        break;
      case 0x01: // BPF_LDX
        if (code === 0x01) x = k;
        else if (code === 0x61) x = mem[k]!;
        else throw new Error(`unsupported ldx ${code.toString(16)}`);
        break;
      case 0x02: // BPF_ST
        mem[k] = a;
        break;
      case 0x03: // BPF_STX
        mem[k] = x;
        break;
      case 0x04: {
        // BPF_ALU
        const op = code & 0xf0;
        const ops: Record<number, () => number> = {
          0x00: () => a + src,
          0x10: () => a - src,
          0x20: () => Math.imul(a, src),
          0x30: () => Math.floor(a / src),
          0x40: () => a | src,
          0x50: () => a & src,
          0x60: () => a << src,
          0x70: () => a >>> src,
          0x80: () => -a,
          0xa0: () => a ^ src,
        };
        const f = ops[op];
        if (f === undefined) throw new Error(`unsupported alu ${code.toString(16)}`);
        a = f() >>> 0;
        break;
      }
      case 0x05: {
        // BPF_JMP
        const op = code & 0xf0;
        if (op === 0x00) {
          pc += k;
          break;
        }
        const s = src >>> 0;
        const cond = op === 0x10 ? a === s : op === 0x20 ? a > s : op === 0x30 ? a >= s : op === 0x40 ? (a & s) !== 0 : undefined;
        if (cond === undefined) throw new Error(`unsupported jmp ${code.toString(16)}`);
        pc += cond ? jt : jf;
        break;
      }
      case 0x06: // BPF_RET
        return (code & 0x18) === 0x10 ? a : k;
      case 0x07: // BPF_MISC
        if (code === 0x07) x = a;
        else if (code === 0x87) a = x;
        else throw new Error(`unsupported misc ${code.toString(16)}`);
        break;
    }
  }
  throw new Error('ran off the end of the program');
}

const run = (prog: Buffer | readonly SockFilter[], d: SeccompData): number => runBpf(Buffer.isBuffer(prog) ? readInsns(prog) : prog, seccompData(d)) >>> 0;

const X86_64 = AUDIT_ARCH['x86_64']!;
const I386 = AUDIT_ARCH['x86']!;
const AARCH64 = AUDIT_ARCH['aarch64']!;
const S390X = AUDIT_ARCH['s390x']!;

const onArch = (arch: string, name: string): number => {
  const n = syscallNumberOnArch(archToken(arch), name);
  assert.ok(n !== undefined, `${name} on ${arch}`);
  return n;
};

/** A stub-only program the way runc's tests build it: the stub, then a sentinel return. */
function stubOnly(arches: EnosysArch[]): SockFilter[] {
  const stub = toEnosysStub(planEnosysSections(arches).sections);
  return [...stub, { code: 0x06, jt: 0, jf: 0, k: FALLTHROUGH }];
}

const resolved = (name: string, names: readonly string[]): EnosysArch => ({
  specName: name,
  name,
  numbers: names.flatMap((n) => syscallNumberOnArch(archToken(name), n) ?? []),
});

// ---- the stub alone ----

test('AUDIT_ARCH matches what libseccomp puts in its programs (x32 is x86_64 plus the syscall bit)', () => {
  for (const name of Object.values(SECCOMP_ARCH_NAMES)) {
    assert.ok(AUDIT_ARCH[name] !== undefined, `no AUDIT_ARCH for ${name}`);
    const token = archToken(name);
    if (token === 0) continue; // this libseccomp does not know the arch
    if (name === 'x32') assert.equal(AUDIT_ARCH[name], X86_64);
    else assert.equal(AUDIT_ARCH[name], token, name);
  }
  assert.equal(X86_64, 0xc000003e);
  assert.equal(I386, 0x40000003);
  assert.equal(X32_SYSCALL_BIT, 0x40000000);
  assert.equal(SECCOMP_RET_ERRNO_ENOSYS, ENOSYS);
});

test('which default actions get the stub, as runc decides', () => {
  for (const a of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE']) assert.equal(needsEnosysStub(a), false, a);
  for (const a of ['SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP']) assert.equal(needsEnosysStub(a), true, a);
  assert.equal(needsEnosysStub('SCMP_ACT_TRACE', 1), false);
  // runc compares defaultErrnoRet with the action value ERRNO(ENOSYS), not with 38.
  assert.equal(needsEnosysStub('SCMP_ACT_ERRNO', 38), true);
  assert.equal(needsEnosysStub('SCMP_ACT_ERRNO', SECCOMP_RET_ERRNO_ENOSYS), false);
  assert.equal(needsEnosysStub('SCMP_ACT_ERRNO', 1), true);
});

test('the largest number per arch: all names count, unknown and pseudo numbers do not, an arch with none is reported', () => {
  const { sections, empty } = planEnosysSections([
    { specName: 'SCMP_ARCH_X86_64', name: 'x86_64', numbers: [0, 1, 435, 3] },
    { specName: 'SCMP_ARCH_X32', name: 'x32', numbers: [X32_SYSCALL_BIT + 2, X32_SYSCALL_BIT + 400] },
    { specName: 'SCMP_ARCH_AARCH64', name: 'aarch64', numbers: [0] },
    { specName: 'SCMP_ARCH_S390X', name: 's390x', numbers: [5] },
  ]);
  assert.deepEqual(sections, [
    { auditArch: X86_64, last: 435, lastX32: X32_SYSCALL_BIT + 400, s390: false },
    { auditArch: S390X, last: 5, s390: true },
  ]);
  assert.deepEqual(empty, ['SCMP_ARCH_AARCH64']);
  assert.throws(() => planEnosysSections([{ specName: 'SCMP_ARCH_VAX', name: 'vax', numbers: [1] }]), /cannot map architecture SCMP_ARCH_VAX to AUDIT_ARCH_ constant/);
  assert.deepEqual(toEnosysStub([]), []);
});

test("runc's matrix: newer than the last listed -> ENOSYS, listed and older -> on to the filter, other arches untouched", () => {
  // enosys_linux_test.go: syscalls in increasing order of age on every arch.
  const explicit = ['setns', 'kcmp', 'renameat2', 'copy_file_range'];
  const implicit = ['clone', 'openat', 'read', 'write'];
  const all = ['x86', 'x86_64', 'x32', 'arm', 'aarch64', 'mips', 'mips64', 'mips64n32', 'mipsel', 'mipsel64', 'mipsel64n32', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x'];
  const archSets = [...all.map((a) => [a]), ...all.flatMap((_, end) => all.slice(0, end).map((__, start) => all.slice(start, end)).filter((s) => s.length > 1))];
  const ranges = [
    [0, 1],
    [0, 2],
    [1, 2],
    [1, 3],
    [1, 4],
    [3, 4],
  ] as const;
  let checked = 0;
  for (const arches of archSets) {
    for (const [start, end] of ranges) {
      const listed = explicit.slice(start, end);
      const prog = stubOnly(arches.map((a) => resolved(a, listed)));
      for (const arch of all) {
        const enabled = arches.includes(arch);
        const cases: [number, number][] = [
          ...explicit.map((n, i): [number, number] => [onArch(arch, n), enabled && i >= end ? ENOSYS : FALLTHROUGH]),
          ...implicit.map((n): [number, number] => [onArch(arch, n), FALLTHROUGH]),
          ...[1000, 7331].map((d): [number, number] => [onArch(arch, 'copy_file_range') + d, enabled ? ENOSYS : FALLTHROUGH]),
        ];
        for (const [nr, want] of cases) {
          assert.equal(run(prog, { nr, arch: AUDIT_ARCH[arch]! }), want, `${arch} nr ${nr} with ${arches.join(',')} listing ${listed.join(',')}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 100_000, `${checked} cases`);
});

test('x86_64 and x32 share AUDIT_ARCH_X86_64: the syscall bit picks which last syscall applies', () => {
  const both = stubOnly([
    { specName: 'SCMP_ARCH_X86_64', name: 'x86_64', numbers: [435] },
    { specName: 'SCMP_ARCH_X32', name: 'x32', numbers: [X32_SYSCALL_BIT + 300] },
  ]);
  assert.equal(run(both, { nr: 435, arch: X86_64 }), FALLTHROUGH);
  assert.equal(run(both, { nr: 436, arch: X86_64 }), ENOSYS);
  assert.equal(run(both, { nr: X32_SYSCALL_BIT + 300, arch: X86_64 }), FALLTHROUGH);
  assert.equal(run(both, { nr: X32_SYSCALL_BIT + 301, arch: X86_64 }), ENOSYS);

  // Only one mode in the profile: the other mode's syscalls are left to the program.
  const native = stubOnly([{ specName: 'SCMP_ARCH_X86_64', name: 'x86_64', numbers: [435] }]);
  assert.equal(run(native, { nr: 452, arch: X86_64 }), ENOSYS);
  assert.equal(run(native, { nr: X32_SYSCALL_BIT + 452, arch: X86_64 }), FALLTHROUGH);
  const x32 = stubOnly([{ specName: 'SCMP_ARCH_X32', name: 'x32', numbers: [X32_SYSCALL_BIT + 300] }]);
  assert.equal(run(x32, { nr: 452, arch: X86_64 }), FALLTHROUGH);
  assert.equal(run(x32, { nr: X32_SYSCALL_BIT + 452, arch: X86_64 }), ENOSYS);
  assert.equal(run(x32, { nr: X32_SYSCALL_BIT + 2, arch: X86_64 }), FALLTHROUGH);
});

test('s390 and s390x: syscall 0 (the multiplexer for numbers the kernel does not know) gets ENOSYS too', () => {
  for (const arch of ['s390', 's390x']) {
    const prog = stubOnly([resolved(arch, ['read', 'openat'])]);
    assert.equal(run(prog, { nr: 0, arch: AUDIT_ARCH[arch]! }), ENOSYS, arch);
    assert.equal(run(prog, { nr: onArch(arch, 'read'), arch: AUDIT_ARCH[arch]! }), FALLTHROUGH, arch);
  }
  const x86 = stubOnly([resolved('x86_64', ['read', 'openat'])]);
  assert.equal(run(x86, { nr: 0, arch: X86_64 }), FALLTHROUGH);
});

test('every conditional jump of the largest stub fits in 8 bits, and every ja lands just past the stub', () => {
  const names = ['read', 'write', 'openat', 'close_range', 'setns'];
  const arches = Object.values(SECCOMP_ARCH_NAMES).filter((a) => archToken(a) !== 0);
  const stub = toEnosysStub(planEnosysSections(arches.map((a) => resolved(a, names))).sections);
  assert.ok(stub.length > 60, `${stub.length} instructions`);
  stub.forEach((ins, i) => {
    if (ins.code === 0x05) assert.equal(i + 1 + ins.k, stub.length, `ja at ${i}`);
    else if ((ins.code & 0x07) === 0x05) assert.ok(i + 1 + Math.max(ins.jt, ins.jf) <= stub.length, `jump at ${i} leaves the stub`);
  });
  const prog = [...stub, { code: 0x06, jt: 0, jf: 0, k: FALLTHROUGH }];
  for (const a of arches) {
    const last = Math.max(...names.flatMap((n) => syscallNumberOnArch(archToken(a), n) ?? []));
    const audit = AUDIT_ARCH[a]!;
    assert.equal(run(prog, { nr: last, arch: audit }), FALLTHROUGH, a);
    // x86_64 alone in the table sees x32 numbers with the bit set; x32 sees the same audit arch.
    assert.equal(run(prog, { nr: last + 1, arch: audit }), ENOSYS, a);
  }
});

test('byte order: the program round-trips through host-endian struct sock_filter', () => {
  const insns: SockFilter[] = [
    { code: 0x20, jt: 0, jf: 0, k: 4 },
    { code: 0x15, jt: 3, jf: 250, k: 0xc000003e },
    { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 },
  ];
  const bytes = toProgramBytes(insns);
  assert.equal(bytes.length, 24);
  assert.deepEqual(parseProgram(bytes), insns);
  assert.deepEqual(readInsns(bytes), insns);
  assert.throws(() => parseProgram(Buffer.alloc(12)), /not whole instructions/);
});

// ---- in front of libseccomp's programs ----

const PROFILE: LinuxSeccomp = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['read', 'write', 'openat', 'close', 'getpid', 'exit_group', 'clone3'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
  ],
};

test('compiled profile on x86_64: newer -> ENOSYS, older unlisted -> the default, listed -> their action', () => {
  const { filter } = compileSeccomp(PROFILE);
  const on = (nr: number, arch = X86_64): number => run(filter, { nr, arch });
  assert.equal(on(452), ENOSYS, 'fchmodat2');
  assert.equal(on(436), ENOSYS, 'close_range, just past clone3');
  assert.equal(on(1000), ENOSYS);
  assert.equal(on(onArch('x86_64', 'sysinfo')), EPERM, 'sysinfo is older and unlisted');
  assert.equal(on(onArch('x86_64', 'getpid')), ALLOW);
  assert.equal(on(onArch('x86_64', 'clone3')), ALLOW);
  assert.equal(on(onArch('x86_64', 'mkdirat')), 0x0005000d);
  // i386, by its own table.
  assert.equal(on(onArch('x86', 'getpid'), I386), ALLOW);
  assert.equal(on(onArch('x86', 'sysinfo'), I386), EPERM);
  assert.equal(on(452, I386), ENOSYS);
  // x32: numbers with the syscall bit.
  assert.equal(on(onArch('x32', 'getpid')), ALLOW);
  assert.equal(on(onArch('x32', 'sysinfo')), EPERM);
  assert.equal(on(X32_SYSCALL_BIT + 452), ENOSYS);
});

test('compiled profile: the stub changes nothing but the newer syscalls, on every arch (and the original follows untouched)', () => {
  const ours = compileSeccomp(PROFILE).filter;
  const names = PROFILE.syscalls!.flatMap((c) => c.names ?? []);
  const stub = toProgramBytes(toEnosysStub(planEnosysSections(['x86_64', 'x86', 'x32'].map((a) => resolved(a, names))).sections));
  assert.ok(stub.length > 0);
  assert.deepEqual(ours.subarray(0, stub.length), stub, 'the stub comes first');
  const original = ours.subarray(stub.length);
  const last: Record<number, number> = { [X86_64]: 435, [I386]: 435 };
  for (const arch of [X86_64, I386, AARCH64]) {
    for (let nr = 0; nr < 520; nr++) {
      for (const bit of arch === X86_64 ? [0, X32_SYSCALL_BIT] : [0]) {
        const want = run(original, { nr: nr + bit, arch });
        const got = run(ours, { nr: nr + bit, arch });
        const newer = arch !== AARCH64 && nr > (last[arch] ?? Infinity);
        assert.equal(got, newer ? ENOSYS : want, `arch ${arch.toString(16)} nr ${nr + bit}`);
      }
    }
  }
  // An arch the profile does not name gets libseccomp's bad-arch action, stub or not.
  assert.equal(run(ours, { nr: 452, arch: AARCH64 }), run(original, { nr: 452, arch: AARCH64 }));
  assert.notEqual(run(ours, { nr: 452, arch: AARCH64 }), ENOSYS);
});

test('no stub: ALLOW, LOG and TRACE defaults, no architectures, or an arch with nothing known', () => {
  for (const defaultAction of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE']) {
    const sc: LinuxSeccomp = { ...PROFILE, defaultAction, syscalls: [{ names: ['mkdirat'], action: 'SCMP_ACT_ERRNO' }] };
    const { filter } = compileSeccomp(sc);
    assert.equal(run(filter, { nr: 452, arch: X86_64 }), defaultAction === 'SCMP_ACT_ALLOW' ? ALLOW : run(filter, { nr: 453, arch: X86_64 }));
    assert.notEqual(run(filter, { nr: 452, arch: X86_64 }), ENOSYS, defaultAction);
    const patch = patchEnosys({ defaultAction, architectures: [resolved('x86_64', ['read', 'mkdirat'])] }, filter);
    assert.equal(patch.program, filter, 'program unchanged');
    assert.equal(patch.stubLength, 0);
  }
  // No architectures: runc's stub has no section and only falls through.
  const none = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: PROFILE.syscalls! });
  assert.equal(run(none.filter, { nr: 452, arch: X86_64 }), EPERM);
  // Only syscall 0 named: runc warns and adds nothing for the arch.
  const program = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: PROFILE.syscalls! }).filter;
  const zero = patchEnosys({ defaultAction: 'SCMP_ACT_ERRNO', architectures: [resolved('x86_64', ['read'])] }, program);
  assert.deepEqual(zero, { program, stubLength: 0, empty: ['x86_64'] });
});

test('defaultErrnoRet: 38 keeps the stub (answers the same), the action value ERRNO(ENOSYS) drops it, as in runc', () => {
  const enosysDefault = compileSeccomp({ ...PROFILE, defaultErrnoRet: 38 }).filter;
  assert.equal(run(enosysDefault, { nr: 452, arch: X86_64 }), ENOSYS);
  assert.equal(run(enosysDefault, { nr: onArch('x86_64', 'sysinfo'), arch: X86_64 }), ENOSYS);
  const program = compileSeccomp({ ...PROFILE, defaultAction: 'SCMP_ACT_ALLOW' }).filter;
  const kept = patchEnosys({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: [resolved('x86_64', ['clone3'])] }, program);
  assert.ok(kept.stubLength > 0);
  const dropped = patchEnosys({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: SECCOMP_RET_ERRNO_ENOSYS, architectures: [resolved('x86_64', ['clone3'])] }, program);
  assert.equal(dropped.stubLength, 0);
});

test('flags are untouched by the stub, and the stub sits in front of notify and kill defaults too', () => {
  const flagged = compileSeccomp({ ...PROFILE, flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] });
  assert.equal(flagged.flags, SECCOMP_FILTER_FLAG.LOG | SECCOMP_FILTER_FLAG.SPEC_ALLOW);
  assert.equal(run(flagged.filter, { nr: 452, arch: X86_64 }), ENOSYS);
  const kill = compileSeccomp({ ...PROFILE, defaultAction: 'SCMP_ACT_KILL_PROCESS' });
  assert.equal(run(kill.filter, { nr: 452, arch: X86_64 }), ENOSYS);
  assert.equal(run(kill.filter, { nr: onArch('x86_64', 'sysinfo'), arch: X86_64 }), 0x80000000);
  const notify = compileSeccomp(
    { ...PROFILE, listenerPath: '/run/agent.sock', syscalls: [...PROFILE.syscalls!, { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] },
    () => 6,
  );
  assert.equal(notify.flags, SECCOMP_FILTER_FLAG.NEW_LISTENER);
  assert.equal(run(notify.filter, { nr: 452, arch: X86_64 }), ENOSYS);
  assert.equal(run(notify.filter, { nr: onArch('x86_64', 'mkdir'), arch: X86_64 }), 0x7fc00000);
});

test('a program longer than 255 instructions: the stub still jumps into it and its own jumps still hold', () => {
  // Argument conditions on many syscalls make libseccomp's program long.
  const names = ['read', 'write', 'openat', 'close', 'lseek', 'mmap', 'mprotect', 'munmap', 'ioctl', 'pread64', 'pwrite64', 'readv', 'writev', 'fcntl', 'flock', 'fsync'];
  const sc: LinuxSeccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'],
    syscalls: [
      // Values differ per syscall: libseccomp shares identical comparison chains.
      ...names.flatMap((n, i) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => ({ names: [n], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 10 * i + v, op: 'SCMP_CMP_EQ' }] }))),
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
    ],
  };
  const { filter } = compileSeccomp(sc);
  assert.ok(filter.length / 8 > 255, `${filter.length / 8} instructions`);
  const lastNr = Math.max(...[...names, 'getpid'].map((n) => onArch('x86_64', n)));
  assert.equal(run(filter, { nr: lastNr + 1, arch: X86_64 }), ENOSYS);
  // fsync is names[15]: its values are 151..159.
  assert.equal(run(filter, { nr: onArch('x86_64', 'fsync'), arch: X86_64, args: [159n] }), ALLOW);
  assert.equal(run(filter, { nr: onArch('x86_64', 'fsync'), arch: X86_64, args: [160n] }), EPERM);
  assert.equal(run(filter, { nr: onArch('x86_64', 'read'), arch: X86_64, args: [1n] }), ALLOW);
  assert.equal(run(filter, { nr: onArch('x86', 'fsync'), arch: I386, args: [153n] }), ALLOW);
  assert.equal(run(filter, { nr: onArch('aarch64', 'fsync'), arch: AARCH64, args: [154n] }), ALLOW);
  assert.equal(run(filter, { nr: onArch('aarch64', 'fsync'), arch: AARCH64, args: [5n] }), EPERM);
  assert.equal(run(filter, { nr: 452, arch: AARCH64 }), ENOSYS);
  assert.equal(run(filter, { nr: onArch('aarch64', 'getpid'), arch: AARCH64 }), ALLOW);
});

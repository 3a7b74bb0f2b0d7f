// Owns: runc's -ENOSYS stub (libcontainer/seccomp/patchbpf): a few classic-BPF
// instructions prepended to libseccomp's program so that syscalls newer than anything
// the profile names get ENOSYS instead of the default action. Pure. Runs in: cli.
//
// Why: a profile written before a syscall existed (docker 20.10's default profile vs
// fchmodat2, cachestat, mseal ...) leaves the new syscall to the default action,
// usually ERRNO(EPERM). libc falls back to the older syscall only on ENOSYS, so under
// EPERM programs fail where they would have worked. runc's rule, kept here exactly:
// per audit arch, "newer" means a number above the largest one the profile names on
// that arch (whatever the rule's action), which is wrong for syscalls added out of
// order in the table (close_range) but is what runc does.
//
// Layout (runc builds the same decisions backwards from the end; this builds them
// forwards, one self-contained section per audit arch):
//
//   ld   [4]                          arch
//   jeq  AUDIT_ARCH_A, 0, <next sec>  ┐
//   ld   [0]                          │ nr
//   ...  (s390: jeq 0 -> enosys; x86_64: jset __X32_SYSCALL_BIT picks the mode)
//   jgt  <last on A>, enosys, 0       │
//   ja   <program>                    │ filter: on to libseccomp's program
//   ret  ERRNO(ENOSYS)                ┘ enosys
//   ... one section per arch; an arch no section claims falls into the program
//
// Conditional jumps hold only 8 bits of offset: here they never leave their section
// (at most 7 instructions), and every jump into the program is a `ja`, whose 32-bit
// offset reaches past any stub. The program's own jumps are relative, so prepending
// leaves them right.
import { RuntimeError } from '../errors';

/** AUDIT_ARCH_* (include/uapi/linux/audit.h): EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
const ARCH_64BIT = 0x80000000;
const ARCH_LE = 0x40000000;
const MIPS64_N32 = 0x20000000;
const audit = (em: number, ...bits: number[]): number => bits.reduce((a, b) => (a | b) >>> 0, em);

/**
 * The kernel's seccomp_data.arch per libseccomp arch name. x32 has no AUDIT_ARCH of its
 * own: its syscalls arrive as AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT in the number
 * (libseccomp's SCMP_ARCH_X32 token is a made-up value, which is why runc maps names to
 * these and not to tokens).
 */
export const AUDIT_ARCH: Readonly<Record<string, number>> = {
  x86: audit(3, ARCH_LE), // AUDIT_ARCH_I386
  x86_64: audit(62, ARCH_64BIT, ARCH_LE),
  x32: audit(62, ARCH_64BIT, ARCH_LE),
  arm: audit(40, ARCH_LE),
  aarch64: audit(183, ARCH_64BIT, ARCH_LE),
  loongarch64: audit(258, ARCH_64BIT, ARCH_LE),
  m68k: audit(4),
  mips: audit(8),
  mipsel: audit(8, ARCH_LE),
  mips64: audit(8, ARCH_64BIT),
  mips64n32: audit(8, ARCH_64BIT, MIPS64_N32),
  mipsel64: audit(8, ARCH_64BIT, ARCH_LE),
  mipsel64n32: audit(8, ARCH_64BIT, ARCH_LE, MIPS64_N32),
  parisc: audit(15),
  parisc64: audit(15, ARCH_64BIT),
  ppc: audit(20),
  ppc64: audit(21, ARCH_64BIT),
  ppc64le: audit(21, ARCH_64BIT, ARCH_LE),
  riscv64: audit(243, ARCH_64BIT, ARCH_LE),
  s390: audit(22),
  s390x: audit(22, ARCH_64BIT),
  sh: audit(42, ARCH_LE),
  sheb: audit(42),
};

/** arch/x86/include/uapi/asm/unistd.h: set in the number of every x32 syscall. */
export const X32_SYSCALL_BIT = 0x40000000;
/** SECCOMP_RET_ERRNO | ENOSYS: what the stub answers. */
export const SECCOMP_RET_ERRNO_ENOSYS = 0x00050026;
/** On s390(x) syscall 0 multiplexes large syscall numbers; one the kernel does not know stays 0. */
const S390_MULTIPLEX_SYSCALL = 0;

/** Classic BPF opcodes (include/uapi/linux/bpf_common.h) the stub uses. */
export const BPF = {
  LD_W_ABS: 0x20, // BPF_LD | BPF_W | BPF_ABS
  JA: 0x05, // BPF_JMP | BPF_JA
  JEQ_K: 0x15, // BPF_JMP | BPF_JEQ | BPF_K
  JGT_K: 0x25,
  JSET_K: 0x45,
  RET_K: 0x06, // BPF_RET | BPF_K
} as const;

/** Offsets into struct seccomp_data. */
const SECCOMP_DATA_NR = 0;
const SECCOMP_DATA_ARCH = 4;

/** struct sock_filter. */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** One arch of the profile and the numbers its syscall names resolve to there. */
export interface EnosysArch {
  /** the spec's name (SCMP_ARCH_X86_64), for messages */
  specName: string;
  /** libseccomp's name (x86_64): the key of AUDIT_ARCH */
  name: string;
  /** every name of every rule, resolved on this arch; unknown names left out */
  numbers: readonly number[];
}

export interface EnosysProfile {
  defaultAction: string;
  defaultErrnoRet?: number | undefined;
  architectures: readonly EnosysArch[];
}

/** The decisions of one stub section: one audit arch and its last syscall(s). */
export interface EnosysSection {
  auditArch: number;
  /** last syscall of the arch itself (for x86_64: of the non-x32 mode) */
  last?: number;
  /** AUDIT_ARCH_X86_64 only: last x32 syscall, __X32_SYSCALL_BIT included */
  lastX32?: number;
  /** s390/s390x: syscall 0 gets ENOSYS too */
  s390: boolean;
}

/**
 * Whether runc would prepend the stub. Not for ALLOW, LOG and TRACE defaults: the
 * unknown syscall is not refused there (a tracer is expected to handle new syscalls
 * itself). runc also skips it when defaultErrnoRet equals SCMP_ACT_ERRNO(ENOSYS), the
 * action value and not the errno, so a defaultErrnoRet of 38 still gets the stub; that
 * changes nothing observable (the default answers ENOSYS anyway) and is kept as is.
 */
export function needsEnosysStub(defaultAction: string, defaultErrnoRet?: number): boolean {
  if (defaultErrnoRet === SECCOMP_RET_ERRNO_ENOSYS) return false;
  return !['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE'].includes(defaultAction);
}

/**
 * Per audit arch, the largest syscall number the profile names (runc findLastSyscalls).
 * An arch whose largest number is 0 (nothing known there) gets no section and is
 * returned in `empty`, for runc's warning. Sections keep the profile's arch order.
 */
export function planEnosysSections(arches: readonly EnosysArch[]): { sections: EnosysSection[]; empty: string[] } {
  const byAudit = new Map<number, Map<string, number>>();
  const empty: string[] = [];
  for (const a of arches) {
    const auditArch = AUDIT_ARCH[a.name];
    if (auditArch === undefined) throw new RuntimeError(`seccomp: cannot map architecture ${a.specName} to AUDIT_ARCH_ constant`);
    let modes = byAudit.get(auditArch);
    if (modes === undefined) byAudit.set(auditArch, (modes = new Map()));
    if (modes.has(a.name)) continue;
    const last = a.numbers.reduce((m, n) => (n > m ? n : m), 0);
    if (last === 0) {
      empty.push(a.specName);
      continue;
    }
    modes.set(a.name, last);
  }
  const sections: EnosysSection[] = [];
  for (const [auditArch, modes] of byAudit) {
    if (modes.size === 0) continue;
    const last = [...modes].find(([n]) => n !== 'x32')?.[1];
    const lastX32 = modes.get('x32');
    const s390 = modes.size === 1 && (modes.has('s390') || modes.has('s390x'));
    sections.push({ auditArch, ...(last !== undefined ? { last } : {}), ...(lastX32 !== undefined ? { lastX32 } : {}), s390 });
  }
  return { sections, empty };
}

/** A section instruction whose jumps name places in its section, or a place. */
type Draft = { code: number; k: number; jt?: Place; jf?: Place } | { at: Place };
type Place = 'x32' | 'filter' | 'enosys' | 'section-end';

function sectionDraft(s: EnosysSection): Draft[] {
  const d: Draft[] = [{ code: BPF.JEQ_K, k: s.auditArch, jf: 'section-end' }, { code: BPF.LD_W_ABS, k: SECCOMP_DATA_NR }];
  if (s.s390) d.push({ code: BPF.JEQ_K, k: S390_MULTIPLEX_SYSCALL, jt: 'enosys' });
  if (s.last !== undefined && s.lastX32 !== undefined) {
    d.push(
      { code: BPF.JSET_K, k: X32_SYSCALL_BIT, jt: 'x32' },
      { code: BPF.JGT_K, k: s.last, jt: 'enosys', jf: 'filter' },
      { at: 'x32' },
      { code: BPF.JGT_K, k: s.lastX32, jt: 'enosys' },
    );
  } else if (s.lastX32 !== undefined) {
    // x32 alone: x86_64-mode syscalls go on to the program (which answers them as a bad arch).
    d.push({ code: BPF.JSET_K, k: X32_SYSCALL_BIT, jf: 'filter' }, { code: BPF.JGT_K, k: s.lastX32, jt: 'enosys' });
  } else {
    // x86_64 alone: x32 syscalls go on to the program, as with runc.
    if (s.auditArch === AUDIT_ARCH['x86_64']) d.push({ code: BPF.JSET_K, k: X32_SYSCALL_BIT, jt: 'filter' });
    d.push({ code: BPF.JGT_K, k: s.last ?? 0, jt: 'enosys' });
  }
  d.push({ at: 'filter' }, { code: BPF.JA, k: 0 }, { at: 'enosys' }, { code: BPF.RET_K, k: SECCOMP_RET_ERRNO_ENOSYS }, { at: 'section-end' });
  return d;
}

/** Resolves a section's places; its ja (into the program) is aimed by toEnosysStub. */
function assembleSection(draft: readonly Draft[]): SockFilter[] {
  const places = new Map<Place, number>();
  const body: { code: number; k: number; jt?: Place; jf?: Place }[] = [];
  for (const d of draft) {
    if ('at' in d) places.set(d.at, body.length);
    else body.push(d);
  }
  const off = (p: Place | undefined, i: number): number => {
    if (p === undefined) return 0;
    const at = places.get(p);
    if (at === undefined || at <= i) throw new RuntimeError(`seccomp: enosys stub: bad jump to ${p}`);
    const o = at - i - 1;
    // Cannot happen (a section is a handful of instructions), but a truncated offset would be a silent hole.
    if (o > 255) throw new RuntimeError(`seccomp: enosys stub: jump of ${o} does not fit`);
    return o;
  };
  return body.map((d, i) => ({ code: d.code, jt: off(d.jt, i), jf: off(d.jf, i), k: d.k >>> 0 }));
}

/** The stub for these sections; empty when there is none (runc's stub then only falls through). */
export function toEnosysStub(sections: readonly EnosysSection[]): SockFilter[] {
  if (sections.length === 0) return [];
  const stub: SockFilter[] = [{ code: BPF.LD_W_ABS, jt: 0, jf: 0, k: SECCOMP_DATA_ARCH }];
  for (const s of sections) stub.push(...assembleSection(sectionDraft(s)));
  // Every ja of the stub goes to the first instruction after it.
  stub.forEach((ins, i) => {
    if (ins.code === BPF.JA) ins.k = stub.length - i - 1;
  });
  return stub;
}

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** struct sock_filter[] in host byte order (what seccomp_export_bpf writes) -> instructions. */
export function parseProgram(buf: Buffer): SockFilter[] {
  if (buf.length % 8 !== 0) throw new RuntimeError(`seccomp: program of ${buf.length} bytes is not whole instructions`);
  const out: SockFilter[] = [];
  for (let o = 0; o < buf.length; o += 8) {
    out.push({
      code: LE ? buf.readUInt16LE(o) : buf.readUInt16BE(o),
      jt: buf.readUInt8(o + 2),
      jf: buf.readUInt8(o + 3),
      k: LE ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 4),
    });
  }
  return out;
}

/** Instructions -> struct sock_filter[] bytes in host byte order. */
export function toProgramBytes(prog: readonly SockFilter[]): Buffer {
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((ins, i) => {
    const o = i * 8;
    if (LE) buf.writeUInt16LE(ins.code, o);
    else buf.writeUInt16BE(ins.code, o);
    buf.writeUInt8(ins.jt, o + 2);
    buf.writeUInt8(ins.jf, o + 3);
    if (LE) buf.writeUInt32LE(ins.k >>> 0, o + 4);
    else buf.writeUInt32BE(ins.k >>> 0, o + 4);
  });
  return buf;
}

export interface EnosysPatch {
  /** the program to load: the stub, then libseccomp's program unchanged */
  program: Buffer;
  /** instructions prepended (0: program unchanged) */
  stubLength: number;
  /** spec arch names with no known syscall (runc warns "could not find any syscalls for arch") */
  empty: string[];
}

/** runc's PatchAndLoad minus the load: libseccomp's exported program -> the program to load. */
export function patchEnosys(profile: EnosysProfile, program: Buffer): EnosysPatch {
  if (!needsEnosysStub(profile.defaultAction, profile.defaultErrnoRet)) return { program, stubLength: 0, empty: [] };
  parseProgram(program); // whole instructions, or an error now rather than a bad load later
  const { sections, empty } = planEnosysSections(profile.architectures);
  const stub = toEnosysStub(sections);
  if (stub.length === 0) return { program, stubLength: 0, empty };
  return { program: Buffer.concat([toProgramBytes(stub), program]), stubLength: stub.length, empty };
}

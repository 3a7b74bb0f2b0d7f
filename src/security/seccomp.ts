// Owns: linux.seccomp -> classic BPF bytes and seccomp(2) flags, compiled through
// libseccomp the way runc's libcontainer/seccomp/seccomp_linux.go does it. The native
// init only loads the result. Runs in: cli.
//
// SCMP_ACT_NOTIFY adds SECCOMP_FILTER_FLAG_NEW_LISTENER: init then hands the listener
// to the CLI, which sends it to the agent at listenerPath (src/security/seccomp-agent.ts).
//
// Like runc's patchbpf, syscalls newer than any the profile names answer ENOSYS rather
// than the default action, so libc falls back to older ones (src/security/seccomp-enosys.ts).
import { ConfigError, RuntimeError } from '../errors';
import { log, warn } from '../log';
import type { LinuxSeccomp, LinuxSeccompArg } from '../spec/types';
import { hasNotify } from './seccomp-agent';
import { needsEnosysStub, patchEnosys, type EnosysArch } from './seccomp-enosys';
import { archToken, Filter, SCMP_ACT, SCMP_CMP, SCMP_FLTATR, seccompApiLevel, syscallNumber, syscallNumberOnArch, type ArgCmp } from '../sys/libseccomp';

/** seccomp(2) SECCOMP_FILTER_FLAG_* (include/uapi/linux/seccomp.h). */
export const SECCOMP_FILTER_FLAG = { TSYNC: 1, LOG: 2, SPEC_ALLOW: 4, NEW_LISTENER: 8, TSYNC_ESRCH: 16 } as const;

/** runc's wording for the notify rules (libcontainer/seccomp/seccomp_linux.go). */
export const MSG_NOTIFY_DEFAULT = 'SCMP_ACT_NOTIFY cannot be used as default action';
export const MSG_NOTIFY_WRITE = 'SCMP_ACT_NOTIFY cannot be used for the write syscall';
export const MSG_NOTIFY_NO_LISTENER = 'listenerPath is not set';
/** libseccomp's API level that has everything notify needs (libseccomp 2.5, Linux 5.7). */
export const NOTIFY_MIN_API_LEVEL = 6;

export interface CompiledSeccomp {
  /** SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) */
  flags: number;
  /** struct sock_filter[] (8 bytes each), in host byte order */
  filter: Buffer;
}

/** The spec's SCMP_ARCH_* -> libseccomp's arch names (seccomp_arch_resolve_name). */
export const SECCOMP_ARCH_NAMES: Readonly<Record<string, string>> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
  SCMP_ARCH_M68K: 'm68k',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
  SCMP_ARCH_SH: 'sh',
  SCMP_ARCH_SHEB: 'sheb',
};

const OPERATORS: Readonly<Record<string, number>> = {
  SCMP_CMP_NE: SCMP_CMP.NE,
  SCMP_CMP_LT: SCMP_CMP.LT,
  SCMP_CMP_LE: SCMP_CMP.LE,
  SCMP_CMP_EQ: SCMP_CMP.EQ,
  SCMP_CMP_GE: SCMP_CMP.GE,
  SCMP_CMP_GT: SCMP_CMP.GT,
  SCMP_CMP_MASKED_EQ: SCMP_CMP.MASKED_EQ,
};

const FLAGS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: SECCOMP_FILTER_FLAG.TSYNC,
  SECCOMP_FILTER_FLAG_LOG: SECCOMP_FILTER_FLAG.LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SECCOMP_FILTER_FLAG.SPEC_ALLOW,
};

/** runc's default for ERRNO and TRACE without errnoRet. */
const EPERM = 1;
/** seccomp(2) compares at most six arguments. */
const MAX_ARGS = 6;

/** An action name and its errnoRet -> libseccomp's action value. */
export function toAction(name: string, errnoRet: number | undefined, pointer: string): number {
  switch (name) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SCMP_ACT.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SCMP_ACT.KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SCMP_ACT.TRAP;
    case 'SCMP_ACT_ERRNO':
      return SCMP_ACT.errno(errnoRet ?? EPERM);
    case 'SCMP_ACT_TRACE':
      return SCMP_ACT.trace(errnoRet ?? EPERM);
    case 'SCMP_ACT_ALLOW':
      return SCMP_ACT.ALLOW;
    case 'SCMP_ACT_LOG':
      return SCMP_ACT.LOG;
    case 'SCMP_ACT_NOTIFY':
      return SCMP_ACT.NOTIFY;
    default:
      throw new ConfigError(`unknown seccomp action ${JSON.stringify(name)}`, pointer);
  }
}

function toDatum(v: unknown, pointer: string): bigint {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ConfigError(`seccomp argument value ${JSON.stringify(v)} is not an unsigned integer`, pointer);
  }
  return BigInt(v);
}

/** One argument condition. MASKED_EQ: value is the mask, valueTwo the value (runc, libseccomp). */
export function toCondition(a: LinuxSeccompArg, pointer: string): ArgCmp {
  const op = OPERATORS[a.op];
  if (op === undefined) throw new ConfigError(`unknown seccomp operator ${JSON.stringify(a.op)}`, `${pointer}/op`);
  if (!Number.isInteger(a.index) || a.index < 0 || a.index >= MAX_ARGS) {
    throw new ConfigError(`seccomp argument index ${a.index} is out of range (0-${MAX_ARGS - 1})`, `${pointer}/index`);
  }
  return {
    arg: a.index,
    op,
    datumA: toDatum(a.value, `${pointer}/value`),
    datumB: op === SCMP_CMP.MASKED_EQ ? toDatum(a.valueTwo ?? 0, `${pointer}/valueTwo`) : 0n,
  };
}

/** seccomp(2) flags for the spec's flag names; WAIT_KILLABLE_RECV (only for NOTIFY) is refused. */
export function toFlags(names: readonly string[]): number {
  let flags = 0;
  names.forEach((f, i) => {
    const v = FLAGS[f];
    if (v === undefined) throw new ConfigError(`seccomp flag ${JSON.stringify(f)} is not supported yet`, `/linux/seccomp/flags/${i}`);
    flags |= v;
  });
  return flags;
}

/**
 * runc's rules for SCMP_ACT_NOTIFY, checked before anything exists. Not as the default
 * action, and not for write(2): init writes SYNC_SECCOMP_PLS under the new filter, before
 * any agent holds the listener, so a notified write would hang it for good (read and
 * close come after the agent has the listener, so they may be notified).
 */
export function checkNotify(sc: LinuxSeccomp, apiLevel: () => number): void {
  const base = '/linux/seccomp';
  if (sc.defaultAction === 'SCMP_ACT_NOTIFY') throw new ConfigError(MSG_NOTIFY_DEFAULT, `${base}/defaultAction`);
  (sc.syscalls ?? []).forEach((c, i) => {
    if (c.action !== 'SCMP_ACT_NOTIFY') return;
    if ((c.names ?? []).includes('write')) throw new ConfigError(MSG_NOTIFY_WRITE, `${base}/syscalls/${i}/names`);
  });
  if (!hasNotify(sc)) return;
  if ((sc.listenerPath ?? '') === '') throw new ConfigError(MSG_NOTIFY_NO_LISTENER, `${base}/listenerPath`);
  const level = apiLevel();
  if (level < NOTIFY_MIN_API_LEVEL) {
    throw new RuntimeError(
      `seccomp notify unsupported: API level: got ${level}, want at least ${NOTIFY_MIN_API_LEVEL}. Please try with libseccomp >= 2.5.0 and Linux >= 5.7`,
    );
  }
}

/**
 * Compile the profile. Syscall names this libseccomp does not know are skipped with
 * a debug line, and rules whose action is the default action are skipped (both as
 * runc does). When one rule compares the same argument twice, each comparison becomes
 * a rule of its own (runc's "old behaviour": libseccomp ANDs the comparisons of one
 * rule and refuses two on the same argument).
 */
export function compileSeccomp(sc: LinuxSeccomp, apiLevel: () => number = seccompApiLevel): CompiledSeccomp {
  const base = '/linux/seccomp';
  checkNotify(sc, apiLevel);
  const defaultAction = toAction(sc.defaultAction, sc.defaultErrnoRet, `${base}/defaultAction`);
  let flags = toFlags(sc.flags ?? []);
  // seccomp(2) then returns a listener fd, which init passes on (SYNC_SECCOMP_PLS). The
  // kernel refuses TSYNC with NEW_LISTENER (which thread's failure would it report?)
  // unless TSYNC_ESRCH says how; libseccomp adds it the same way.
  if (hasNotify(sc)) {
    flags |= SECCOMP_FILTER_FLAG.NEW_LISTENER;
    if (flags & SECCOMP_FILTER_FLAG.TSYNC) flags |= SECCOMP_FILTER_FLAG.TSYNC_ESRCH;
  }

  const arches = (sc.architectures ?? []).map((a, i) => {
    const name = SECCOMP_ARCH_NAMES[a];
    if (name === undefined) throw new ConfigError(`unknown seccomp architecture ${JSON.stringify(a)}`, `${base}/architectures/${i}`);
    const token = archToken(name);
    if (token === 0) throw new ConfigError(`seccomp architecture ${a} is not supported by this libseccomp`, `${base}/architectures/${i}`);
    return { specName: a, name, token };
  });

  const filter = new Filter(defaultAction);
  try {
    // The exported program ignores these (they are load-time settings), but setting
    // them checks that this libseccomp and kernel know them, as runc's load does.
    if (flags & SECCOMP_FILTER_FLAG.TSYNC) filter.setAttr(SCMP_FLTATR.CTL_TSYNC, 1, 'SECCOMP_FILTER_FLAG_TSYNC');
    if (flags & SECCOMP_FILTER_FLAG.LOG) filter.setAttr(SCMP_FLTATR.CTL_LOG, 1, 'SECCOMP_FILTER_FLAG_LOG');
    if (flags & SECCOMP_FILTER_FLAG.SPEC_ALLOW) filter.setAttr(SCMP_FLTATR.CTL_SSB, 1, 'SECCOMP_FILTER_FLAG_SPEC_ALLOW');
    for (const a of arches) filter.addArch(a.token);

    (sc.syscalls ?? []).forEach((call, i) => {
      const ptr = `${base}/syscalls/${i}`;
      const action = toAction(call.action, call.errnoRet, `${ptr}/action`);
      const conds = (call.args ?? []).map((a, j) => toCondition(a, `${ptr}/args/${j}`));
      if (action === defaultAction) return;
      const perArg = new Set(conds.map((c) => c.arg));
      const rules = perArg.size < conds.length ? conds.map((c) => [c]) : [conds];
      for (const name of call.names ?? []) {
        const nr = syscallNumber(name);
        if (nr === undefined) {
          log('debug', `unknown seccomp syscall ${JSON.stringify(name)} ignored`);
          continue;
        }
        for (const r of rules) {
          if (!filter.addRule(action, nr, r, name)) log('debug', `seccomp rule ${ptr} for ${name} overlaps an earlier one on some arch; the earlier one stays`);
        }
      }
    });
    return { flags, filter: withEnosysStub(sc, arches, filter.exportBpf()) };
  } finally {
    filter.release();
  }
}

/**
 * runc's -ENOSYS stub in front of the exported program. The last syscall per arch is
 * found among every name of every rule, including rules with the default action and
 * names unknown to the native arch (runc counts them all).
 */
function withEnosysStub(sc: LinuxSeccomp, arches: readonly { specName: string; name: string; token: number }[], program: Buffer): Buffer {
  if (!needsEnosysStub(sc.defaultAction, sc.defaultErrnoRet)) {
    log('debug', 'seccomp: skipping -ENOSYS stub filter generation');
    return program;
  }
  const names = [...new Set((sc.syscalls ?? []).flatMap((c) => c.names ?? []))];
  const architectures: EnosysArch[] = arches.map((a) => ({
    specName: a.specName,
    name: a.name,
    numbers: names.flatMap((n) => syscallNumberOnArch(a.token, n) ?? []),
  }));
  const patch = patchEnosys({ defaultAction: sc.defaultAction, defaultErrnoRet: sc.defaultErrnoRet, architectures }, program);
  for (const a of patch.empty) warn(`could not find any syscalls for arch ${a}`);
  if (patch.stubLength > 0) log('debug', `seccomp: prepending -ENOSYS stub filter (${patch.stubLength} instructions) to user filter`);
  return patch.program;
}

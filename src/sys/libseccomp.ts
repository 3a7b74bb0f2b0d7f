// Owns: the libseccomp binding (Debian's libseccomp2, 2.5.x) — the only file that
// declares libseccomp through koffi — and a Filter handle that builds a filter and
// exports it as classic BPF bytes. Runs in: cli.
//
// The library is loaded on first use: only containers with linux.seccomp pay for it.
// libseccomp returns negative errno values instead of setting errno.
import * as fs from 'node:fs';
import { RuntimeError } from '../errors';
import { errnoName } from './errno';
import { cfunc, check, koffi } from './libc';

/** Comparison operators (enum scmp_compare in seccomp.h). */
export const SCMP_CMP = { NE: 1, LT: 2, LE: 3, EQ: 4, GE: 5, GT: 6, MASKED_EQ: 7 } as const;

/** Filter attributes (enum scmp_filter_attr in seccomp.h). */
export const SCMP_FLTATR = { ACT_DEFAULT: 1, ACT_BADARCH: 2, CTL_NNP: 3, CTL_TSYNC: 4, CTL_LOG: 6, CTL_SSB: 7 } as const;

/** Action values (seccomp.h): ERRNO and TRACE carry 16 bits of data. */
export const SCMP_ACT = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  NOTIFY: 0x7fc00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
  errno: (e: number): number => (0x00050000 | (e & 0xffff)) >>> 0,
  trace: (e: number): number => (0x7ff00000 | (e & 0xffff)) >>> 0,
} as const;

/** One argument comparison: struct scmp_arg_cmp. */
export interface ArgCmp {
  arg: number;
  op: number;
  datumA: bigint;
  datumB: bigint;
}

type Fn = (...args: unknown[]) => unknown;
interface Lib {
  init: Fn;
  release: Fn;
  archAdd: Fn;
  archResolveName: Fn;
  syscallResolveName: Fn;
  syscallResolveNameArch: Fn;
  ruleAddArray: Fn;
  attrSet: Fn;
  exportBpf: Fn;
}

let lib: Lib | undefined;
let handle: koffi.LibraryHandle | undefined;

function open(): koffi.LibraryHandle {
  if (handle !== undefined) return handle;
  try {
    handle = koffi.load('libseccomp.so.2');
  } catch (err) {
    throw new RuntimeError(`seccomp: cannot load libseccomp.so.2 (install libseccomp2): ${(err as Error).message}`);
  }
  return handle;
}

let apiGet: Fn | null | undefined;
/**
 * libseccomp's API level (seccomp_api_get): 6 and up means this libseccomp and kernel
 * do everything runc's notify support needs (libseccomp >= 2.5.0, Linux >= 5.7); 0
 * when the function is missing (libseccomp < 2.4).
 */
export function seccompApiLevel(): number {
  if (apiGet === undefined) {
    try {
      apiGet = open().func('unsigned int seccomp_api_get(void)') as Fn;
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      apiGet = null;
    }
  }
  return apiGet === null ? 0 : (apiGet() as number);
}

function load(): Lib {
  if (lib !== undefined) return lib;
  const h = open();
  // The struct is declared once per process: koffi refuses a second type of the same name.
  koffi.struct('scmp_arg_cmp', { arg: 'uint', op: 'int', datum_a: 'uint64_t', datum_b: 'uint64_t' });
  lib = {
    init: h.func('void *seccomp_init(uint32_t def_action)') as Fn,
    release: h.func('void seccomp_release(void *ctx)') as Fn,
    archAdd: h.func('int seccomp_arch_add(void *ctx, uint32_t arch)') as Fn,
    archResolveName: h.func('uint32_t seccomp_arch_resolve_name(const char *name)') as Fn,
    syscallResolveName: h.func('int seccomp_syscall_resolve_name(const char *name)') as Fn,
    syscallResolveNameArch: h.func('int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name)') as Fn,
    ruleAddArray: h.func('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int cnt, const scmp_arg_cmp *args)') as Fn,
    attrSet: h.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)') as Fn,
    exportBpf: h.func('int seccomp_export_bpf(void *ctx, int fd)') as Fn,
  };
  return lib;
}

function fail(what: string, ret: number): never {
  const errno = -ret;
  throw new RuntimeError(`seccomp: ${what}: ${errnoName(errno)}`);
}

/** The arch token for a libseccomp arch name ("x86_64", "aarch64", ...); 0 when this libseccomp does not know it. */
export function archToken(name: string): number {
  return load().archResolveName(name) as number;
}

/** The syscall number on the native arch, or undefined when this libseccomp does not know the name. */
export function syscallNumber(name: string): number | undefined {
  const n = load().syscallResolveName(name) as number;
  return n < 0 ? undefined : n;
}

/**
 * The syscall number on the arch of an arch token (archToken), as libseccomp numbers it:
 * x32 numbers carry __X32_SYSCALL_BIT. undefined when the arch lacks the syscall, and for
 * libseccomp's negative pseudo numbers (socketcall-multiplexed calls on some arches).
 */
export function syscallNumberOnArch(token: number, name: string): number | undefined {
  const n = load().syscallResolveNameArch(token >>> 0, name) as number;
  return n < 0 ? undefined : n;
}

/** A libseccomp filter context; `release()` it (try/finally). */
export class Filter {
  private ctx: unknown;

  constructor(defaultAction: number) {
    const l = load();
    this.ctx = l.init(defaultAction >>> 0);
    if (this.ctx === null) throw new RuntimeError(`seccomp: seccomp_init(${defaultAction.toString(16)}) failed`);
  }

  /** Adds an arch; one the filter has already (the native one) is not an error. */
  addArch(token: number): void {
    const ret = load().archAdd(this.ctx, token) as number;
    if (ret < 0 && ret !== -17 /* EEXIST */) fail(`add architecture ${token.toString(16)}`, ret);
  }

  setAttr(attr: number, value: number, what: string): void {
    const ret = load().attrSet(this.ctx, attr, value) as number;
    if (ret < 0) fail(`set ${what}`, ret);
  }

  /**
   * seccomp_rule_add_array: libseccomp rewrites the rule for every arch of the filter.
   * Returns false when libseccomp already holds an equivalent rule (EEXIST): on x86 the
   * multiplexed socketcall(2) cannot see socket(2)'s arguments, so two rules that differ
   * only in those arguments collapse into one there. The first rule stays, as it does
   * under runc with the same libseccomp (podman's --cap-drop ALL profile hits this).
   */
  addRule(action: number, syscall: number, args: readonly ArgCmp[], what: string): boolean {
    const arr = args.map((a) => ({ arg: a.arg, op: a.op, datum_a: a.datumA, datum_b: a.datumB }));
    const ret = load().ruleAddArray(this.ctx, action >>> 0, syscall, arr.length, arr.length > 0 ? arr : null) as number;
    if (ret === -17 /* EEXIST */) return false;
    if (ret < 0) fail(`add rule for ${what}`, ret);
    return true;
  }

  /** The filter as struct sock_filter[] bytes: exported into a memfd and read back. */
  exportBpf(): Buffer {
    const memfdCreate = cfunc('int memfd_create(const char *name, unsigned int flags)');
    const fd = check('memfd_create', () => memfdCreate('runts-seccomp', 1 /* MFD_CLOEXEC */) as number);
    try {
      const ret = load().exportBpf(this.ctx, fd) as number;
      if (ret < 0) fail('export the filter', ret);
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const n = fs.readSync(fd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      fs.closeSync(fd);
    }
  }

  release(): void {
    if (this.ctx !== null && this.ctx !== undefined) load().release(this.ctx);
    this.ctx = null;
  }
}

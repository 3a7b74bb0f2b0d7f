// Owns: loading libc through koffi and the call discipline every wrapper follows —
// check the return value, read errno at once, throw SyscallError. Runs in: cli, setup.
//
// Only files in src/sys/ import this module, and only they import koffi. libc is
// loaded on first use so that commands that never make a raw syscall (state, list,
// spec, check) do not pay for it.
import * as koffi from 'koffi';
import { syscallError } from './errno';

export type Koffi = typeof koffi;
type NativeFn = ReturnType<koffi.LibraryHandle['func']>;

let lib: koffi.LibraryHandle | undefined;
const fns = new Map<string, NativeFn>();

export function libc(): koffi.LibraryHandle {
  lib ??= koffi.load('libc.so.6');
  return lib;
}

/** A libc function from its C prototype, declared once and cached by prototype text. */
export function cfunc(prototype: string): NativeFn {
  let f = fns.get(prototype);
  if (f === undefined) {
    f = libc().func(prototype);
    fns.set(prototype, f);
  }
  return f;
}

export { koffi };

let strerrorFn: NativeFn | undefined;
function describe(errno: number): string | undefined {
  try {
    strerrorFn ??= cfunc('const char *strerror(int errnum)');
    const s = strerrorFn(errno) as unknown;
    return typeof s === 'string' ? s.charAt(0).toLowerCase() + s.slice(1) : undefined;
  } catch {
    return undefined;
  }
}

export function lastErrno(): number {
  return koffi.errno();
}

/**
 * Run a libc call that returns -1 (or a negative number) on failure. EINTR is retried
 * when `retryEintr` is set: only for calls that are safe to repeat (runc does the same
 * for mount, unmount and friends).
 */
export function check(syscall: string, call: () => number, path?: string, retryEintr = true): number {
  for (;;) {
    const ret = call();
    if (ret >= 0) return ret;
    const errno = lastErrno();
    if (errno === 4 /* EINTR */ && retryEintr) continue;
    const name = describe(errno);
    throw syscallError(syscall, errno, path, name === undefined ? undefined : `${name}`);
  }
}

// Owns: the syscalls around a seccomp user-notification listener (SCMP_ACT_NOTIFY):
// copying the listener fd out of the native init (pidfd_getfd), asking the kernel and
// libseccomp whether notifications work here, and the agent's side of the listener
// (SECCOMP_IOCTL_NOTIF_RECV / _SEND), which tests use to play a seccomp agent.
// Runs in: cli (and test agents).
//
// Struct layouts are include/uapi/linux/seccomp.h's, identical on every 64-bit arch:
//   struct seccomp_notif      { u64 id; u32 pid; u32 flags; struct seccomp_data data; }  80 bytes
//   struct seccomp_data       { s32 nr; u32 arch; u64 instruction_pointer; u64 args[6]; }
//   struct seccomp_notif_resp { u64 id; s64 val; s32 error; u32 flags; }                  24 bytes
import { RuntimeError } from '../errors';
import { check, cfunc, koffi } from './libc';
import { closeFd } from './socket';

const SYS_pidfd_open = 434;
const SYS_pidfd_getfd = 438;
const SYS_seccomp = 317;
const SECCOMP_GET_ACTION_AVAIL = 2;
const SECCOMP_RET_USER_NOTIF = 0x7fc00000;

const NOTIF_SIZE = 80;
const NOTIF_RESP_SIZE = 24;
/** _IOWR('!', 0, struct seccomp_notif) */
const SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
/** _IOWR('!', 1, struct seccomp_notif_resp) */
const SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
/** Let the syscall run as if there were no filter (Linux 5.5). */
export const SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;

function syscall3(nr: number, a: number, b: number, c: number): number {
  const fn = cfunc('long syscall(long number, ...)');
  return Number(fn(nr, 'int', a, 'int', b, 'uint', c) as number | bigint);
}

/**
 * A copy, in this process, of fd `fd` of process `pid` (close-on-exec): how the CLI
 * takes init's listener without init calling sendmsg(2), which a profile may hand to
 * the very agent that has no listener yet (runc pidGetFd). Linux 5.6; needs ptrace
 * access to `pid`, which root has over its own container.
 */
export function pidfdGetFd(pid: number, fd: number): number {
  const pidfd = check('pidfd_open', () => syscall3(SYS_pidfd_open, pid, 0, 0));
  try {
    return check('pidfd_getfd', () => syscall3(SYS_pidfd_getfd, pidfd, fd, 0));
  } finally {
    closeFd(pidfd);
  }
}

/** The kernel accepts SECCOMP_RET_USER_NOTIF in filters (Linux 5.0). */
export function kernelHasUserNotif(): boolean {
  const fn = cfunc('long syscall(long number, ...)');
  const action = Buffer.alloc(4);
  action.writeUInt32LE(SECCOMP_RET_USER_NOTIF);
  return Number(fn(SYS_seccomp, 'uint', SECCOMP_GET_ACTION_AVAIL, 'uint', 0, 'void *', action) as number | bigint) === 0;
}

/** One notification: a syscall of a filtered process, blocked until answered. */
export interface SeccompNotif {
  id: bigint;
  pid: number;
  /** syscall number on `arch` */
  nr: number;
  arch: number;
  args: bigint[];
}

/**
 * SECCOMP_IOCTL_NOTIF_RECV: blocks until a filtered process makes a NOTIFY'd syscall.
 * ENOENT when the process died while we waited (retry); ENOTTY/EBADF when `fd` is no
 * listener.
 */
export function notifRecv(fd: number): SeccompNotif {
  const ioctl = cfunc('int ioctl(int fd, unsigned long req, ...)');
  // The kernel refuses a buffer that is not zeroed (EINVAL).
  const buf = Buffer.alloc(NOTIF_SIZE);
  check('ioctl(SECCOMP_IOCTL_NOTIF_RECV)', () => ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, 'void *', buf) as number);
  const args: bigint[] = [];
  for (let i = 0; i < 6; i++) args.push(buf.readBigUInt64LE(32 + 8 * i));
  return { id: buf.readBigUInt64LE(0), pid: buf.readUInt32LE(8), nr: buf.readInt32LE(16), arch: buf.readUInt32LE(20), args };
}

/**
 * SECCOMP_IOCTL_NOTIF_SEND: the syscall returns `val` (error 0) or fails with `error`
 * (a positive errno), or runs for real with SECCOMP_USER_NOTIF_FLAG_CONTINUE. ENOENT
 * when the process is gone or the syscall was interrupted.
 */
export function notifSend(fd: number, resp: { id: bigint; val?: bigint; error?: number; flags?: number }): void {
  const ioctl = cfunc('int ioctl(int fd, unsigned long req, ...)');
  const buf = Buffer.alloc(NOTIF_RESP_SIZE);
  buf.writeBigUInt64LE(resp.id, 0);
  buf.writeBigInt64LE(resp.val ?? 0n, 8);
  // The kernel takes the negated errno, as a syscall returns it.
  buf.writeInt32LE(-(resp.error ?? 0), 16);
  buf.writeUInt32LE(resp.flags ?? 0, 20);
  check('ioctl(SECCOMP_IOCTL_NOTIF_SEND)', () => ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, 'void *', buf) as number);
}

// Owns: AF_UNIX socketpairs and fd passing (SCM_RIGHTS), which Node's net module cannot
// do, plus close and FD_CLOEXEC control for fds handed to children. Runs in: cli.
//
// The msghdr/cmsghdr layouts are the LP64 ones (x86_64, aarch64, ppc64le, s390x): every
// pointer and size_t is 8 bytes. Buffers are passed to libc by address (koffi.address),
// so they must stay referenced until the call returns, which they do (locals).
import { cfunc, check, koffi } from './libc';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;
const MSG_NOSIGNAL = 0x4000;
const MSG_CTRUNC = 0x8;

const MSGHDR_SIZE = 56;
const CMSG_HDR_SIZE = 16;
const cmsgAlign = (n: number): number => (n + 7) & ~7;
const cmsgSpace = (n: number): number => CMSG_HDR_SIZE + cmsgAlign(n);
const cmsgLen = (n: number): number => CMSG_HDR_SIZE + n;

/**
 * socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): both ends close-on-exec, so that no
 * child inherits them by accident; the one a child needs is placed by spawn's stdio
 * array (which dup2s it) or has CLOEXEC cleared explicitly.
 */
export function socketPair(): [number, number] {
  const fn = cfunc('int socketpair(int domain, int type, int protocol, _Out_ int *sv)');
  const sv = new Int32Array(2);
  check('socketpair', () => fn(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) as number);
  return [sv[0] ?? -1, sv[1] ?? -1];
}

export function closeFd(fd: number): void {
  const fn = cfunc('int close(int fd)');
  // No EINTR retry: on Linux the fd is gone even when close reports EINTR.
  check('close', () => fn(fd) as number, undefined, false);
}

export function setCloexec(fd: number, on: boolean): void {
  const fcntl = cfunc('int fcntl(int fd, int cmd, ...)');
  const flags = check('fcntl', () => fcntl(fd, F_GETFD, 'int', 0) as number);
  const next = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
  check('fcntl', () => fcntl(fd, F_SETFD, 'int', next) as number);
}

export function isCloexec(fd: number): boolean {
  const fcntl = cfunc('int fcntl(int fd, int cmd, ...)');
  return (check('fcntl', () => fcntl(fd, F_GETFD, 'int', 0) as number) & FD_CLOEXEC) !== 0;
}

function msghdr(iov: Buffer, control: Buffer | undefined): Buffer {
  const msg = Buffer.alloc(MSGHDR_SIZE);
  msg.writeBigUInt64LE(koffi.address(iov) as bigint, 16); // msg_iov
  msg.writeBigUInt64LE(1n, 24); // msg_iovlen
  if (control !== undefined) {
    msg.writeBigUInt64LE(koffi.address(control) as bigint, 32); // msg_control
    msg.writeBigUInt64LE(BigInt(control.length), 40); // msg_controllen
  }
  return msg;
}

function iovec(data: Buffer): Buffer {
  const iov = Buffer.alloc(16);
  iov.writeBigUInt64LE(koffi.address(data) as bigint, 0);
  iov.writeBigUInt64LE(BigInt(data.length), 8);
  return iov;
}

/**
 * sendmsg(2) of `data` (at least one byte: a stream socket cannot carry fds alone) with
 * `fds` as SCM_RIGHTS. Returns the bytes sent. Blocking: meant for the console socket,
 * whose peer reads at once.
 */
export function sendFds(sock: number, data: Buffer, fds: number[]): number {
  if (data.length === 0) throw new RangeError('sendFds needs at least one byte of data');
  const sendmsg = cfunc('intptr_t sendmsg(int fd, void *msg, int flags)');
  let control: Buffer | undefined;
  if (fds.length > 0) {
    control = Buffer.alloc(cmsgSpace(4 * fds.length));
    control.writeBigUInt64LE(BigInt(cmsgLen(4 * fds.length)), 0); // cmsg_len
    control.writeInt32LE(SOL_SOCKET, 8);
    control.writeInt32LE(SCM_RIGHTS, 12);
    fds.forEach((fd, i) => control?.writeInt32LE(fd, CMSG_HDR_SIZE + 4 * i));
  }
  const iov = iovec(data);
  const msg = msghdr(iov, control);
  return check('sendmsg', () => Number(sendmsg(sock, msg, MSG_NOSIGNAL) as number | bigint));
}

export interface Received {
  data: Buffer;
  /** received fds, already close-on-exec (MSG_CMSG_CLOEXEC) */
  fds: number[];
}

/** recvmsg(2) of up to `maxData` bytes and up to `maxFds` SCM_RIGHTS fds. Blocking. */
export function recvFds(sock: number, maxData: number, maxFds: number): Received {
  const recvmsg = cfunc('intptr_t recvmsg(int fd, void *msg, int flags)');
  const data = Buffer.alloc(Math.max(1, maxData));
  const control = Buffer.alloc(cmsgSpace(4 * Math.max(1, maxFds)));
  const iov = iovec(data);
  const msg = msghdr(iov, control);
  const n = check('recvmsg', () => Number(recvmsg(sock, msg, MSG_CMSG_CLOEXEC) as number | bigint));
  const fds: number[] = [];
  const controlLen = Number(msg.readBigUInt64LE(40));
  let off = 0;
  while (off + CMSG_HDR_SIZE <= controlLen) {
    const len = Number(control.readBigUInt64LE(off));
    if (len < CMSG_HDR_SIZE) break;
    if (control.readInt32LE(off + 8) === SOL_SOCKET && control.readInt32LE(off + 12) === SCM_RIGHTS) {
      for (let p = off + CMSG_HDR_SIZE; p + 4 <= off + len; p += 4) fds.push(control.readInt32LE(p));
    }
    off += cmsgAlign(len);
  }
  if ((msg.readInt32LE(48) & MSG_CTRUNC) !== 0) {
    // The kernel closed what did not fit; what did fit must not leak either.
    for (const fd of fds) closeFd(fd);
    throw new RangeError(`recvmsg: more than ${maxFds} fds received (MSG_CTRUNC)`);
  }
  return { data: data.subarray(0, n), fds };
}

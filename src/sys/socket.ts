// Owns: AF_UNIX socketpairs and fd passing (SCM_RIGHTS), which Node's net module cannot
// do, plus close and FD_CLOEXEC control for fds handed to children. Runs in: cli.
//
// The msghdr/cmsghdr layouts are the LP64 ones (x86_64, aarch64, ppc64le, s390x): every
// pointer and size_t is 8 bytes. Buffers are passed to libc by address (koffi.address),
// so they must stay referenced until the call returns, which they do (locals).
import { syscallError } from './errno';
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
const MSG_DONTWAIT = 0x40;
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

const SUN_PATH_MAX = 108;

/**
 * A connected AF_UNIX stream socket to `path` (SOCK_CLOEXEC), as a plain fd a child can
 * be handed: Node's net.connect hides the fd it makes. Throws SyscallError for socket
 * or connect (ENOENT, ECONNREFUSED, ...); a path longer than sun_path is ENAMETOOLONG.
 */
export function connectUnix(path: string): number {
  const sockFn = cfunc('int socket(int domain, int type, int protocol)');
  const connectFn = cfunc('int connect(int fd, const void *addr, uint32_t len)');
  const { addr, len } = sockaddrUn(path, 'connect');
  const fd = check('socket', () => sockFn(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) as number);
  try {
    // No EINTR retry: a connect interrupted by a signal completes asynchronously, and a
    // retry would fail with EALREADY; on a local AF_UNIX socket it does not happen.
    check('connect', () => connectFn(fd, addr, len) as number, path, false);
  } catch (err) {
    closeFd(fd);
    throw err;
  }
  return fd;
}

function sockaddrUn(path: string, syscall: string): { addr: Buffer; len: number } {
  const name = Buffer.from(path, 'utf8');
  if (name.length >= SUN_PATH_MAX) throw syscallError(syscall, 36 /* ENAMETOOLONG */, path, 'file name too long');
  // struct sockaddr_un: sa_family_t (u16, host order) then the NUL-terminated path.
  const addr = Buffer.alloc(2 + SUN_PATH_MAX);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 2);
  return { addr, len: 2 + name.length + 1 };
}

/**
 * A listening AF_UNIX stream socket bound to `path` (SOCK_CLOEXEC): the receiving end of
 * a console socket, as containerd's shim or runc's recvtty hold it. Node's net.Server
 * cannot be used for that: its connections cannot receive fds.
 */
export function listenUnix(path: string, backlog = 16): number {
  const sockFn = cfunc('int socket(int domain, int type, int protocol)');
  const bindFn = cfunc('int bind(int fd, const void *addr, uint32_t len)');
  const listenFn = cfunc('int listen(int fd, int backlog)');
  const { addr, len } = sockaddrUn(path, 'bind');
  const fd = check('socket', () => sockFn(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) as number);
  try {
    check('bind', () => bindFn(fd, addr, len) as number, path);
    check('listen', () => listenFn(fd, backlog) as number, path);
  } catch (err) {
    closeFd(fd);
    throw err;
  }
  return fd;
}

/** accept4(2) one connection (SOCK_CLOEXEC); blocking unless `nonblocking` (EAGAIN then). */
export function acceptUnix(fd: number, opts: { nonblocking?: boolean } = {}): number {
  const accept4 = cfunc('int accept4(int fd, void *addr, void *len, int flags)');
  const SOCK_NONBLOCK = 0o4000;
  if (opts.nonblocking === true) {
    // The listening socket itself must be non-blocking for accept4 not to wait.
    const fcntl = cfunc('int fcntl(int fd, int cmd, ...)');
    const fl = check('fcntl', () => fcntl(fd, 3 /* F_GETFL */, 'int', 0) as number);
    check('fcntl', () => fcntl(fd, 4 /* F_SETFL */, 'int', fl | SOCK_NONBLOCK) as number);
  }
  return check('accept4', () => accept4(fd, null, null, SOCK_CLOEXEC) as number);
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

/**
 * recvmsg(2) of up to `maxData` bytes and up to `maxFds` SCM_RIGHTS fds. Blocking,
 * unless `nonblocking` (MSG_DONTWAIT: EAGAIN when nothing is queued).
 */
export function recvFds(sock: number, maxData: number, maxFds: number, opts: { nonblocking?: boolean } = {}): Received {
  const recvmsg = cfunc('intptr_t recvmsg(int fd, void *msg, int flags)');
  const data = Buffer.alloc(Math.max(1, maxData));
  const control = Buffer.alloc(cmsgSpace(4 * Math.max(1, maxFds)));
  const iov = iovec(data);
  const msg = msghdr(iov, control);
  const flags = MSG_CMSG_CLOEXEC | (opts.nonblocking === true ? MSG_DONTWAIT : 0);
  const n = check('recvmsg', () => Number(recvmsg(sock, msg, flags) as number | bigint));
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

// Owns: asking the kernel which kind of namespace a file is (nsfs ioctl NS_GET_NSTYPE,
// Linux 4.11). Runs in: cli.
//
// The answer comes from the kernel, not from the path's name: a bind-mounted
// /run/netns/x is as good as /proc/<pid>/ns/net, and a path that merely looks like a
// namespace file (a plain file, a directory) is told apart from a real one.
import type { LinuxNamespaceType } from '../spec/types';
import { cfunc, check } from './libc';

const O_RDONLY = 0o0;
const O_NONBLOCK = 0o4000;
const O_NOCTTY = 0o400;
const O_CLOEXEC = 0o2000000;

/** _IO(NSIO = 0xb7, 0x3) from include/uapi/linux/nsfs.h */
export const NS_GET_NSTYPE = (0xb7 << 8) | 0x3;

/** The CLONE_NEW* value NS_GET_NSTYPE returns, mapped to the spec's namespace names. */
const CLONE_TO_TYPE = new Map<number, LinuxNamespaceType>([
  [0x00020000, 'mount'], // CLONE_NEWNS
  [0x02000000, 'cgroup'], // CLONE_NEWCGROUP
  [0x04000000, 'uts'], // CLONE_NEWUTS
  [0x08000000, 'ipc'], // CLONE_NEWIPC
  [0x10000000, 'user'], // CLONE_NEWUSER
  [0x20000000, 'pid'], // CLONE_NEWPID
  [0x40000000, 'network'], // CLONE_NEWNET
  [0x00000080, 'time'], // CLONE_NEWTIME
]);

/**
 * The namespace type of `path`, or undefined when it is not a namespace file. Throws
 * SyscallError when the path cannot be opened (ENOENT, EACCES...).
 *
 * O_NONBLOCK and O_NOCTTY guard against paths that are not namespaces at all: opening a
 * FIFO for reading would otherwise block until a writer appears, and opening a terminal
 * could make it our controlling tty.
 */
export function namespaceTypeOf(path: string): LinuxNamespaceType | undefined {
  const open = cfunc('int open(const char *path, int flags)');
  const ioctl = cfunc('int ioctl(int fd, unsigned long request, ...)');
  const close = cfunc('int close(int fd)');
  const fd = check('open', () => open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) as number, path);
  try {
    const ret = ioctl(fd, NS_GET_NSTYPE) as number;
    // ENOTTY (or EINVAL from some drivers) means "not an nsfs file", which is an answer,
    // not a failure.
    return ret < 0 ? undefined : CLONE_TO_TYPE.get(ret);
  } finally {
    close(fd);
  }
}

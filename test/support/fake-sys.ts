// Owns: FakeSys, the recording, fault-injecting Sys for unit tests of rootfs/ and setup/.
// Every call is logged in order with its typed arguments; failures are scripted per call
// name and occurrence ("the 3rd mount fails with EPERM"); arguments are checked as
// strictly as the kernel would (bad fd -> EBADF, unknown flag bits -> EINVAL), so a test
// cannot pass with arguments the real LinuxSys would reject.
import * as path from 'node:path';
import { constants } from 'node:os';
import { syscallError } from '../../src/sys/errno';
import * as C from '../../src/sys/constants';
import type { FileStat, FsStat, MountAttr, OpenHow, Sys } from '../../src/sys/sys';

export type SysCall = { [K in keyof Sys]: { call: K; args: Parameters<Sys[K]> } }[keyof Sys];

const MS_KNOWN =
  C.MS_RDONLY | C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC | C.MS_SYNCHRONOUS | C.MS_REMOUNT | C.MS_MANDLOCK |
  C.MS_DIRSYNC | C.MS_NOSYMFOLLOW | C.MS_NOATIME | C.MS_NODIRATIME | C.MS_BIND | C.MS_MOVE | C.MS_REC |
  C.MS_SILENT | C.MS_POSIXACL | C.MS_UNBINDABLE | C.MS_PRIVATE | C.MS_SLAVE | C.MS_SHARED | C.MS_RELATIME |
  C.MS_I_VERSION | C.MS_STRICTATIME | C.MS_LAZYTIME;
const PROPAGATION = C.MS_UNBINDABLE | C.MS_PRIVATE | C.MS_SLAVE | C.MS_SHARED;
const RESOLVE_KNOWN = 0x3f;
const ATTR_KNOWN = 0x7f | C.MOUNT_ATTR_NODIRATIME | C.MOUNT_ATTR_IDMAP | C.MOUNT_ATTR_NOSYMFOLLOW;

function errnoOf(code: string): number {
  const n = (constants.errno as Record<string, number>)[code];
  if (n === undefined) throw new Error(`unknown errno ${code}`);
  return n;
}

interface Failure {
  call: keyof Sys;
  nth: number;
  code: string;
  /** only calls whose path argument matches count */
  path?: string;
}

export class FakeSys implements Sys {
  readonly log: SysCall[] = [];
  /** absolute fake paths that do not exist (openat* -> ENOENT until created) */
  readonly missing = new Set<string>();
  /** st_mode per path; default a 0755 directory */
  readonly modes = new Map<string, number>();
  /** symlink targets per path (statx says S_IFLNK, readlinkat returns it) */
  readonly links = new Map<string, string>();
  /** statfs per path; default ext4, no flags */
  readonly fs = new Map<string, FsStat>();
  readonly files = new Map<string, string>();
  readonly written: Array<{ fd: number; path: string; data: string }> = [];
  private readonly fds = new Map<number, string>();
  /** every fd ever opened (numbers are never reused here), so logs resolve after close */
  private readonly fdHistory = new Map<number, string>();
  private nextFd = 10;
  private readonly counts = new Map<string, number>();
  private readonly failures: Failure[] = [];
  private mask = 0o022;
  hostname = '';
  domainname = '';

  /** Make the `nth` (1-based) call of `call` (optionally on `path`) fail with errno `code`. */
  failOn(call: keyof Sys, nth: number, code: string, pathMatch?: string): this {
    const f: Failure = { call, nth, code };
    if (pathMatch !== undefined) f.path = pathMatch;
    this.failures.push(f);
    return this;
  }

  calls<K extends keyof Sys>(name: K): Array<Parameters<Sys[K]>> {
    return this.log.filter((c) => c.call === name).map((c) => c.args as Parameters<Sys[K]>);
  }

  /** The fake path an fd stands for (what a test reads mount targets back as). */
  pathOf(fd: number): string {
    const p = this.fds.get(fd);
    if (p === undefined) throw new Error(`fd ${fd} is not open`);
    return p;
  }

  /** /proc/self/fd/N -> the path behind N, anything else as is. */
  resolveTarget(target: string): string {
    const m = /^\/proc\/self\/fd\/(\d+)$/.exec(target);
    return m === null ? target : (this.fdHistory.get(Number(m[1])) ?? `<unknown fd ${m[1]}>`);
  }

  openFds(): number[] {
    return [...this.fds.keys()];
  }

  /**
   * Log the call, then fail it if scripted. `pathArg` is what failures match on; the
   * error names `errPath` (the argument as passed, like the real wrapper), default pathArg.
   */
  private record(entry: SysCall, pathArg?: string, errPath: string | undefined = pathArg): void {
    this.log.push(entry);
    const n = (this.counts.get(`${entry.call}|${pathArg ?? ''}`) ?? 0) + 1;
    this.counts.set(`${entry.call}|${pathArg ?? ''}`, n);
    const total = (this.counts.get(entry.call) ?? 0) + 1;
    this.counts.set(entry.call, total);
    for (const f of this.failures) {
      if (f.call !== entry.call) continue;
      const count = f.path === undefined ? total : f.path === pathArg ? n : -1;
      if (count === f.nth) throw syscallError(entry.call, errnoOf(f.code), errPath);
    }
  }

  private fail(call: string, code: string, p?: string): never {
    throw syscallError(call, errnoOf(code), p);
  }

  private checkInt(call: string, v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${call}: ${what} must be a non-negative integer, got ${v}`);
  }

  private checkPath(call: string, p: string, allowEmpty = false): void {
    if (typeof p !== 'string' || p.includes('\0')) throw new Error(`${call}: bad path ${JSON.stringify(p)}`);
    if (p === '' && !allowEmpty) this.fail(call, 'ENOENT', p);
  }

  private dir(call: string, dirfd: number): string {
    if (dirfd === C.AT_FDCWD) return '/';
    const p = this.fds.get(dirfd);
    if (p === undefined) this.fail(call, 'EBADF', `fd ${dirfd}`);
    return p;
  }

  private target(call: string, p: string): string {
    const m = /^\/proc\/self\/fd\/(\d+)$/.exec(p);
    if (m !== null && !this.fds.has(Number(m[1]))) this.fail(call, 'ENOENT', p);
    return this.resolveTarget(p);
  }

  private newFd(p: string): number {
    const fd = this.nextFd++;
    this.fds.set(fd, p);
    this.fdHistory.set(fd, p);
    return fd;
  }

  private openPath(call: string, full: string, flags: number): number {
    if (this.missing.has(full)) {
      if ((flags & C.O_CREAT) === 0) this.fail(call, 'ENOENT', full);
      this.missing.delete(full);
      this.modes.set(full, C.S_IFREG | 0o644);
    } else if ((flags & C.O_CREAT) !== 0 && (flags & C.O_EXCL) !== 0) {
      this.fail(call, 'EEXIST', full);
    }
    return this.newFd(full);
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.record({ call: 'mount', args: [source, target, fstype, flags, data] }, this.resolveTarget(target), target);
    this.checkInt('mount', flags, 'flags');
    this.checkPath('mount', target);
    if ((flags & ~MS_KNOWN) !== 0) this.fail('mount', 'EINVAL', target);
    // the kernel takes a propagation change alone, one type at a time
    const prop = flags & PROPAGATION;
    if (prop !== 0 && ((prop & (prop - 1)) !== 0 || (flags & ~(PROPAGATION | C.MS_REC | C.MS_SILENT)) !== 0)) {
      this.fail('mount', 'EINVAL', target);
    }
    if (prop === 0 && (flags & (C.MS_BIND | C.MS_MOVE | C.MS_REMOUNT)) === 0 && (fstype === null || fstype === '')) {
      this.fail('mount', 'EINVAL', target); // a new mount needs a filesystem type
    }
    this.target('mount', target);
  }

  umount2(target: string, flags: number): void {
    this.record({ call: 'umount2', args: [target, flags] }, target);
    this.checkInt('umount2', flags, 'flags');
    this.checkPath('umount2', target);
  }

  mountSetattr(dirfd: number, p: string, flags: number, attr: MountAttr): void {
    this.record({ call: 'mountSetattr', args: [dirfd, p, flags, attr] }, p);
    this.dir('mount_setattr', dirfd);
    this.checkPath('mount_setattr', p, (flags & C.AT_EMPTY_PATH) !== 0);
    if ((attr.attrSet & ~ATTR_KNOWN) !== 0 || (attr.attrClr & ~ATTR_KNOWN) !== 0) this.fail('mount_setattr', 'EINVAL', p);
  }

  pivotRoot(newRoot: string, putOld: string): void {
    this.record({ call: 'pivotRoot', args: [newRoot, putOld] }, newRoot);
    this.checkPath('pivot_root', newRoot);
    this.checkPath('pivot_root', putOld);
  }

  chroot(p: string): void {
    this.record({ call: 'chroot', args: [p] }, p);
    this.checkPath('chroot', p);
  }

  chdir(p: string): void {
    this.record({ call: 'chdir', args: [p] }, p);
    this.checkPath('chdir', p);
  }

  fchdir(fd: number): void {
    this.record({ call: 'fchdir', args: [fd] });
    this.dir('fchdir', fd);
  }

  open(p: string, flags: number, mode?: number): number {
    this.record({ call: 'open', args: mode === undefined ? [p, flags] : [p, flags, mode] }, p);
    this.checkInt('open', flags, 'flags');
    this.checkPath('open', p);
    return this.openPath('open', this.target('open', p), flags);
  }

  openat(dirfd: number, p: string, flags: number, mode?: number): number {
    this.record({ call: 'openat', args: mode === undefined ? [dirfd, p, flags] : [dirfd, p, flags, mode] }, p);
    this.checkInt('openat', flags, 'flags');
    this.checkPath('openat', p);
    const full = path.posix.resolve(this.dir('openat', dirfd), p);
    return this.openPath('openat', full, flags);
  }

  openat2(dirfd: number, p: string, how: OpenHow): number {
    this.record({ call: 'openat2', args: [dirfd, p, how] }, p);
    this.checkInt('openat2', how.flags, 'flags');
    if ((how.resolve & ~RESOLVE_KNOWN) !== 0) this.fail('openat2', 'EINVAL', p);
    // openat2 is strict where openat is lax: a mode without O_CREAT is EINVAL
    if (how.mode !== 0 && (how.flags & C.O_CREAT) === 0) this.fail('openat2', 'EINVAL', p);
    this.checkPath('openat2', p);
    const full = path.posix.resolve(this.dir('openat2', dirfd), p);
    return this.openPath('openat2', full, how.flags);
  }

  close(fd: number): void {
    this.record({ call: 'close', args: [fd] });
    if (!this.fds.delete(fd)) this.fail('close', 'EBADF', `fd ${fd}`);
  }

  setNonblock(fd: number, nonblock: boolean): void {
    this.record({ call: 'setNonblock', args: [fd, nonblock] });
    this.dir('fcntl', fd);
  }

  write(fd: number, data: string): void {
    this.record({ call: 'write', args: [fd, data] });
    this.written.push({ fd, path: this.dir('write', fd), data });
  }

  mkdirat(dirfd: number, p: string, mode: number): void {
    this.record({ call: 'mkdirat', args: [dirfd, p, mode] }, p);
    this.checkInt('mkdirat', mode, 'mode');
    const full = path.posix.resolve(this.dir('mkdirat', dirfd), p);
    if (!this.missing.has(full)) this.fail('mkdirat', 'EEXIST', full);
    this.missing.delete(full);
    this.modes.set(full, C.S_IFDIR | (mode & ~this.mask));
  }

  mknodat(dirfd: number, p: string, mode: number, major: number, minor: number): void {
    this.record({ call: 'mknodat', args: [dirfd, p, mode, major, minor] }, p);
    this.checkInt('mknodat', mode, 'mode');
    if ((mode & C.S_IFMT) === 0 || (mode & C.S_IFMT) === C.S_IFDIR) this.fail('mknodat', 'EINVAL', p);
    if (p.includes('/')) throw new Error(`mknodat: the executor must pass one component, got ${p}`);
    const full = path.posix.resolve(this.dir('mknodat', dirfd), p);
    if (!this.missing.has(full) && this.modes.has(full)) this.fail('mknodat', 'EEXIST', full);
    this.missing.delete(full);
    this.modes.set(full, mode & ~this.mask);
  }

  fchownat(dirfd: number, p: string, uid: number, gid: number, flags: number): void {
    this.record({ call: 'fchownat', args: [dirfd, p, uid, gid, flags] }, p);
    this.dir('fchownat', dirfd);
    this.checkInt('fchownat', uid, 'uid');
    this.checkInt('fchownat', gid, 'gid');
  }

  fchmodat(dirfd: number, p: string, mode: number): void {
    this.record({ call: 'fchmodat', args: [dirfd, p, mode] }, this.resolveTarget(p));
    this.dir('fchmodat', dirfd);
    this.checkInt('fchmodat', mode, 'mode');
    this.target('fchmodat', p);
  }

  symlinkat(target: string, dirfd: number, linkpath: string): void {
    this.record({ call: 'symlinkat', args: [target, dirfd, linkpath] }, linkpath);
    const full = path.posix.resolve(this.dir('symlinkat', dirfd), linkpath);
    if (this.links.has(full)) this.fail('symlinkat', 'EEXIST', full);
    this.links.set(full, target);
  }

  unlinkat(dirfd: number, p: string, flags: number): void {
    this.record({ call: 'unlinkat', args: [dirfd, p, flags] }, p);
    const full = path.posix.resolve(this.dir('unlinkat', dirfd), p);
    this.links.delete(full);
  }

  readlinkat(dirfd: number, p: string): string {
    this.record({ call: 'readlinkat', args: [dirfd, p] }, p);
    const full = path.posix.resolve(this.dir('readlinkat', dirfd), p);
    const t = this.links.get(full);
    if (t === undefined) this.fail('readlinkat', 'EINVAL', full);
    return t;
  }

  statx(dirfd: number, p: string, flags: number): FileStat {
    this.record({ call: 'statx', args: [dirfd, p, flags] }, p);
    this.checkPath('statx', p, (flags & C.AT_EMPTY_PATH) !== 0);
    const full = path.posix.resolve(this.dir('statx', dirfd), p);
    if (this.missing.has(full)) this.fail('statx', 'ENOENT', p);
    const mode = this.links.has(full) ? C.S_IFLNK | 0o777 : (this.modes.get(full) ?? C.S_IFDIR | 0o755);
    return { mode, uid: 0, gid: 0, rdevMajor: 0, rdevMinor: 0 };
  }

  fstatfs(fd: number): FsStat {
    this.record({ call: 'fstatfs', args: [fd] });
    const p = this.dir('fstatfs', fd);
    // the nearest configured ancestor decides, as a mount would
    for (let cur = p; ; cur = path.posix.dirname(cur)) {
      const st = this.fs.get(cur);
      if (st !== undefined) return st;
      if (cur === '/') return { type: 0xef53, flags: 0 };
    }
  }

  sethostname(name: string): void {
    this.record({ call: 'sethostname', args: [name] });
    this.hostname = name;
  }

  setdomainname(name: string): void {
    this.record({ call: 'setdomainname', args: [name] });
    this.domainname = name;
  }

  umask(mask: number): number {
    this.record({ call: 'umask', args: [mask] });
    const old = this.mask;
    this.mask = mask;
    return old;
  }

  readTextFile(p: string): string {
    this.record({ call: 'readTextFile', args: [p] }, p);
    const t = this.files.get(p);
    if (t === undefined) this.fail('open', 'ENOENT', p);
    return t;
  }
}

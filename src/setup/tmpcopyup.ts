// Owns: the `tmpcopyup` tmpfs option (podman --read-only, CRI-O): after a tmpfs is mounted
// over a directory of the image, the directory's old content is copied into it, with
// owners and modes, so the image's files stay visible but writable. Runs in: setup.
//
// The caller passes /proc/self/fd/N paths: N for the source is the fd of the directory
// opened BEFORE the mount — a path walk that starts at that fd stays in the covered
// directory (the kernel does not cross the new mount at the walk's start), so no temp
// dir on the host and no unmount dance as in runc's prepareTmp/MS_MOVE are needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { debugFor } from '../log';

const debug = debugFor('setup:tmpcopyup');

/** Copies the tree under `from` into the existing directory `to`; symlinks are copied, never followed. */
export function copyTree(from: string, to: string): void {
  for (const name of fs.readdirSync(from)) {
    const src = path.join(from, name);
    const dst = path.join(to, name);
    const st = fs.lstatSync(src);
    if (st.isDirectory()) {
      fs.mkdirSync(dst, { mode: 0o700 });
      copyTree(src, dst);
    } else if (st.isFile()) {
      // COPYFILE_EXCL: dst is fresh; FICLONE is irrelevant on tmpfs
      fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL);
    } else if (st.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(src), dst);
    } else {
      // sockets, fifos and device nodes in an image's tmp dir are leftovers of a build;
      // runc mknods them, which a user namespace refuses anyway
      debug('skipped %s (not a file, directory or symlink)', src);
      continue;
    }
    fs.lchownSync(dst, st.uid, st.gid);
    // after the chown: chown clears setuid/setgid bits
    if (!st.isSymbolicLink()) fs.chmodSync(dst, st.mode & 0o7777);
    fs.lutimesSync(dst, st.atime, st.mtime);
  }
}

// resolve.ts against the real kernel on a tmp dir (no root needed): once with openat2,
// once with openat2 reporting ENOSYS so the component walk does everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openInRoot, openParentInRoot, resetResolveCache } from '../../../src/rootfs/resolve';
import { LinuxSys } from '../../../src/sys/linux';
import { syscallError } from '../../../src/sys/errno';
import * as C from '../../../src/sys/constants';
import type { OpenHow } from '../../../src/sys/sys';

class NoOpenat2 extends LinuxSys {
  override openat2(_dirfd: number, p: string, _how: OpenHow): number {
    throw syscallError('openat2', 38 /* ENOSYS */, p);
  }
}

for (const [name, sys] of [['openat2', new LinuxSys()], ['component walk', new NoOpenat2()]] as const) {
  test(`${name}: symlinks resolve inside the root, missing parts are created there`, (t) => {
    resetResolveCache();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-resolve-'));
    const root = path.join(tmp, 'root');
    const host = path.join(tmp, 'host');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.mkdirSync(host);
    fs.symlinkSync(host, path.join(root, 'abs'));          // absolute: means root/<host>
    fs.symlinkSync('../../../../etc', path.join(root, 'up')); // climbing: stops at root
    fs.symlinkSync('/abs/x', path.join(root, 'chain'));
    fs.writeFileSync(path.join(root, 'etc', 'file'), '');
    const rootFd = sys.open(root, C.O_PATH | C.O_DIRECTORY | C.O_CLOEXEC);
    t.after(() => {
      sys.close(rootFd);
      fs.rmSync(tmp, { recursive: true, force: true });
      resetResolveCache();
    });
    const where = (fd: number): string => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } finally {
        sys.close(fd);
      }
    };

    assert.equal(where(openInRoot(sys, rootFd, '/up/file')), path.join(root, 'etc', 'file'));
    assert.equal(where(openInRoot(sys, rootFd, '/../../etc')), path.join(root, 'etc'));
    assert.equal(where(openInRoot(sys, rootFd, '/')), root);
    assert.throws(() => openInRoot(sys, rootFd, '/abs/x'), { code: 'ENOENT' });

    // creation follows the symlink inside the root, never to the host directory
    assert.equal(where(openInRoot(sys, rootFd, '/chain/y', { create: 'dir' })), path.join(root, host, 'x', 'y'));
    assert.deepEqual(fs.readdirSync(host), []);
    const f = openInRoot(sys, rootFd, '/new/dir/file', { create: 'file', fileMode: 0o640 });
    assert.equal(where(f), path.join(root, 'new', 'dir', 'file'));
    assert.ok(fs.statSync(path.join(root, 'new', 'dir', 'file')).isFile());
    assert.equal(fs.statSync(path.join(root, 'new', 'dir')).mode & 0o7777, 0o755 & ~process.umask());

    assert.throws(() => openInRoot(sys, rootFd, '/etc/file/below', { create: 'dir' }), { code: 'ENOTDIR' });
    fs.symlinkSync('loop', path.join(root, 'loop'));
    assert.throws(() => openInRoot(sys, rootFd, '/loop/x', { create: 'dir' }), { code: 'ELOOP' });

    const parent = openParentInRoot(sys, rootFd, '/abs/dev/null', true);
    assert.equal(parent.name, 'null');
    assert.equal(where(parent.fd), path.join(root, host, 'dev'));
  });
}

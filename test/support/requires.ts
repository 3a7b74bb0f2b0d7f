// Owns: feature requirements of tests. Locally an unmet requirement skips the test with
// a reason; in CI (RUNTS_REQUIRE_ALL=1) it fails it, so nothing is skipped to go green.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';

export type Requirement = 'root' | 'busybox' | 'runc' | 'cgroup-v1' | 'cgroup-v2' | 'userns' | 'timens' | 'containerd' | 'podman' | 'dockerd';

function has(r: Requirement): boolean {
  switch (r) {
    case 'root':
      return process.getuid?.() === 0;
    case 'busybox':
      return fs.existsSync('/bin/busybox');
    case 'runc':
      try {
        execFileSync('runc', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    case 'cgroup-v1':
      return fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
    case 'cgroup-v2':
      return fs.existsSync('/sys/fs/cgroup/cgroup.controllers') || fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers');
    case 'userns':
      return fs.existsSync('/proc/self/ns/user');
    case 'timens':
      return fs.existsSync('/proc/self/ns/time');
    // The real clients of test/clients/ (Debian packages that scripts/setup.sh installs).
    case 'containerd':
      return ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/bin/containerd-shim-runc-v2'].every((f) => fs.existsSync(f));
    case 'podman':
      return fs.existsSync('/usr/bin/podman') && fs.existsSync('/usr/bin/conmon');
    case 'dockerd':
      return fs.existsSync('/usr/sbin/dockerd') && fs.existsSync('/usr/bin/docker');
  }
}

/**
 * For node:test's `skip` option: `test('x', { skip: requires('root') }, ...)`.
 * Returns false when every requirement holds, else the reason; throws under
 * RUNTS_REQUIRE_ALL=1 so that CI fails loudly instead.
 */
export function requires(...rs: Requirement[]): string | false {
  const missing = rs.filter((r) => !has(r));
  if (missing.length === 0) return false;
  const reason = `requires ${missing.join(', ')}`;
  if (process.env['RUNTS_REQUIRE_ALL'] === '1') {
    throw new Error(`${reason} (RUNTS_REQUIRE_ALL=1 forbids skipping)`);
  }
  return reason;
}

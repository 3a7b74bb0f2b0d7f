// Owns: linux.resources.unified -> verbatim cgroup v2 writes, after every other
// controller (runc: they override). Pure. Runs in: cli.
import { ConfigError } from '../../errors';
import type { LinuxResources } from '../../spec/types';
import type { CgroupWrite } from './write';

/** The key names a file in the container's own cgroup directory and nothing else. */
export function toV2(res: LinuxResources): CgroupWrite[] {
  return Object.entries(res.unified ?? {}).map(([key, value]) => {
    if (key === '' || key.includes('/') || key === '.' || key === '..' || key.includes('\0')) {
      throw new ConfigError(`unified resource ${JSON.stringify(key)} must be a file name (no slashes)`, `/linux/resources/unified`);
    }
    return { file: key, value };
  });
}

/** "memory.max" -> "memory": the controller whose availability decides whether the write can work. */
export function controllerOf(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? key : key.slice(0, dot);
}

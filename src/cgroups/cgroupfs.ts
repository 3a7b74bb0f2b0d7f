// Owns: every read and write of a cgroup file. Each function takes the cgroup dir, so
// tests point it at a tmp tree. Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';

export function writeCgroupFile(dir: string, file: string, value: string): void {
  try {
    fs.writeFileSync(path.join(dir, file), value);
  } catch (err) {
    // Rendered with its cause: `write "99" to …/cpuset.cpus: ERANGE: result too large, write`.
    throw new RuntimeError(`write ${JSON.stringify(value)} to ${path.join(dir, file)}`, { cause: err });
  }
}

export function readCgroupFile(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

/** PIDs listed in cgroup.procs; an absent cgroup has none. */
export function readProcs(dir: string): number[] {
  let text: string;
  try {
    text = readCgroupFile(dir, 'cgroup.procs');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

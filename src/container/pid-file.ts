// Owns: --pid-file, written the way shims need it. Runs in: cli.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Shims read the pid file as soon as the command returns (and some poll for it), so it
 * is written to a temporary name beside it and renamed: a reader sees no file or the
 * whole pid, never an empty one (runc createPidFile).
 */
export function writePidFile(file: string, pid: number): void {
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(tmp, String(pid), { mode: 0o644 });
  try {
    fs.renameSync(tmp, abs);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

// Owns: mkfifo(3), which Node's fs module does not offer. Runs in: cli.
import { cfunc, check } from './libc';

/** Create a FIFO at `path`. The process umask applies to `mode`, as for open(2). */
export function mkfifo(path: string, mode: number): void {
  const fn = cfunc('int mkfifo(const char *path, unsigned int mode)');
  check('mkfifo', () => fn(path, mode) as number, path);
}

// Owns: errno numbers -> names, and the construction of SyscallError. Runs in: cli, setup.
import { constants } from 'node:os';
import { SyscallError } from '../errors';

const names = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno)) {
  if (!names.has(num)) names.set(num, name);
}
// EWOULDBLOCK and EDEADLOCK alias EAGAIN and EDEADLK: the first name the table yields
// for a number is the one the kernel headers list first.

export function errnoName(errno: number): string {
  return names.get(errno) ?? `E${errno}`;
}

export function errnoNumber(name: string): number | undefined {
  return (constants.errno as Record<string, number>)[name];
}

export function syscallError(syscall: string, errno: number, path?: string, description?: string): SyscallError {
  return new SyscallError(syscall, errno, errnoName(errno), path, description);
}

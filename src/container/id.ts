// Owns: the container id rule. Runs in: cli.
//
// runc's rule (libcontainer/factory_linux.go): ^[\w+-\.]+$, and neither "." nor "..".
// Checked before anything touches the disk, because the id becomes a path under --root.
import { RuntimeError, MSG } from '../errors';

const ID_PATTERN = /^[\w+\-.]+$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id) && id !== '.' && id !== '..';
}

export class InvalidIdError extends RuntimeError {
  override readonly code = 'EINVALIDID';
  constructor(readonly id: string) {
    super(MSG.invalidId);
  }
}

export function assertValidId(id: string): string {
  if (!isValidId(id)) throw new InvalidIdError(id);
  return id;
}

// Owns: the error classes every layer throws and the runc error strings that callers
// (containerd, conmon, dockerd) match on. Runs in: cli and setup.
//
// Messages are lower-case without a final period; context is added by wrapping
// (`new StateError('start container', { cause })`) and rendered once, at the exit
// point, as `outer: inner: root` — the way Go's %w chains read in runc's output.

/** Text copied from runc's libcontainer/error.go and utils.go: callers parse it. */
export const MSG = {
  notExist: 'container does not exist',
  notRunning: 'container not running',
  exists: 'container with given ID already exists',
  paused: 'container paused',
  stillRunning: 'container still running',
  notPaused: 'container not paused',
  invalidId: 'invalid container ID format',
  noSuchProcess: 'no such process',
} as const;

export interface ErrorOptions {
  cause?: unknown;
}

export class RuntimeError extends Error {
  readonly code: string = 'ERUNTIME';
  exitCode = 1;
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** Wrong flags, wrong number of arguments. */
export class UsageError extends RuntimeError {
  override readonly code = 'EUSAGE';
}

/** A problem with config.json; `pointer` is the JSON pointer of the offending field. */
export class ConfigError extends RuntimeError {
  override readonly code = 'ECONFIG';
  constructor(message: string, readonly pointer: string = '', options: ErrorOptions = {}) {
    super(message, options);
  }
}

export class NotFoundError extends RuntimeError {
  override readonly code = 'ENOTFOUND';
}

export class ExistsError extends RuntimeError {
  override readonly code = 'EEXISTS';
}

/** An operation that the container's current status does not allow. */
export class StateError extends RuntimeError {
  override readonly code = 'ESTATE';
}

/**
 * A failed system call, shaped like Node's own system errors (`err.code === 'ENOENT'`,
 * `err.errno`, `err.syscall`, `err.path`). Created only inside src/sys/.
 */
export class SyscallError extends RuntimeError {
  override readonly code: string;
  constructor(
    readonly syscall: string,
    readonly errno: number,
    errnoName: string,
    readonly path?: string,
    readonly description?: string,
  ) {
    const where = path === undefined ? '' : ` ${path}`;
    super(`${syscall}${where}: ${description ?? errnoName}`);
    this.code = errnoName;
  }
}

/** A failure the native init or the setup process reported over the sync socket. */
export class ChildError extends RuntimeError {
  override readonly code = 'ECHILD';
  constructor(
    readonly stage: string,
    readonly errno: number,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options);
  }
}

export class HookError extends RuntimeError {
  override readonly code = 'EHOOK';
  constructor(
    readonly kind: string,
    readonly index: number,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * The whole chain as one line: each layer's message joined by ': ', the way the
 * error reaches containerd's log and the user's terminal. A cause whose message the
 * outer one already ends with is not repeated.
 */
export function renderError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 16; depth++) {
    const msg = cur instanceof Error ? cur.message : String(cur);
    const last = parts[parts.length - 1];
    if (last === undefined || !last.endsWith(msg)) parts.push(msg);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(': ');
}

/**
 * runc's outermost layer for create and run: "runc create failed: <cause>" (utils_linux.go),
 * with runts' name. The cause's exit status is kept.
 */
export function commandFailed(command: string, err: unknown): RuntimeError {
  const e = new RuntimeError(`runts ${command} failed`, { cause: err });
  e.exitCode = exitCodeOf(err);
  return e;
}

/** The exit status an error maps to (runc: 1, except where a command says otherwise). */
export function exitCodeOf(err: unknown): number {
  return err instanceof RuntimeError ? err.exitCode : 1;
}

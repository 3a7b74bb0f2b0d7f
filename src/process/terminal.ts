// Owns: the CLI's side of process.terminal — runc's rules on terminal / console socket /
// detach, the socket the native init sends the pty master to (the caller's
// --console-socket, or a socketpair of ours), and relaying a foreground terminal: raw
// mode, both directions, window size. Runs in: cli.
//
// Why a socketpair and not the sync socket: Node reads the sync socket through libuv,
// which has no way to take SCM_RIGHTS fds off a plain stream socket (the kernel drops
// them). runc uses a separate socketpair for the same job (utils_linux.go setupIO).
// The native init sends the master before SYNC_READY, so reading it after SYNC_READY
// finds it already queued and never blocks the event loop.
import * as tty from 'node:tty';
import { RuntimeError, SyscallError, UsageError } from '../errors';
import { debugFor } from '../log';
import { closeFd, connectUnix, recvFds, socketPair } from '../sys/socket';
import { getWindowSize, makeRaw, setWindowSize, type WindowSize } from '../sys/tty';

const debug = debugFor('process');

/** runc utils_linux.go checkTerminal, with its wording (shims match on it). */
export function checkTerminal(o: { detach: boolean; terminal: boolean; consoleSocket: string | undefined }): void {
  if (o.detach && o.terminal && o.consoleSocket === undefined) {
    throw new UsageError('cannot allocate tty if runc will detach without setting console socket');
  }
  if ((!o.detach || !o.terminal) && o.consoleSocket !== undefined) {
    throw new UsageError('cannot use console socket if runc will not detach or allocate tty');
  }
}

export interface ConsoleChannel {
  /** the fd to hand the native init (ATTR_CONSOLE_SOCKET_FD) */
  nativeFd: number;
  /** drop the native init's copy once it has its own (after spawn) */
  closeNative(): void;
  /** the pty master, for a channel of our own; call after SYNC_READY */
  receive(): number;
  /** close whatever is still open */
  close(): void;
}

/**
 * The caller's --console-socket (connected now, so a bad path fails before anything is
 * made, with Go's "dial unix" wording), or, without one, a socketpair whose other end
 * brings the master back to us.
 */
export function openConsoleChannel(consoleSocket: string | undefined): ConsoleChannel {
  if (consoleSocket !== undefined) {
    let fd: number;
    try {
      fd = connectUnix(consoleSocket);
    } catch (err) {
      const why = err instanceof SyscallError ? (err.description ?? err.code) : String(err);
      throw new RuntimeError(`dial unix ${consoleSocket}: connect: ${why}`, { cause: undefined });
    }
    let open = true;
    const close = (): void => {
      if (open) closeFd(fd);
      open = false;
    };
    return {
      nativeFd: fd,
      closeNative: close,
      receive: () => {
        throw new RuntimeError('the pty master went to the console socket');
      },
      close,
    };
  }
  const [ours, theirs] = socketPair();
  const open = new Set([ours, theirs]);
  const closeOne = (fd: number): void => {
    if (open.delete(fd)) closeFd(fd);
  };
  return {
    nativeFd: theirs,
    closeNative: () => closeOne(theirs),
    receive: () => {
      const got = recvFds(ours, 4096, 1, { nonblocking: true });
      closeOne(ours);
      if (got.fds.length !== 1) {
        for (const fd of got.fds) closeFd(fd);
        throw new RuntimeError(`receive the pty master: got ${got.fds.length} fds`);
      }
      debug('pty master %s is fd %d', got.data.toString(), got.fds[0]);
      return got.fds[0]!;
    },
    close: () => {
      closeOne(ours);
      closeOne(theirs);
    },
  };
}

export interface TerminalRelay {
  /** the process has exited: copy what is left of its output, restore our terminal */
  finish(): Promise<void>;
}

export interface RelayOptions {
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** how long to keep copying output after the process exited (ms) */
  drainMs?: number;
}

/**
 * Our own terminal: the first of stderr, stdout, stdin that is one, in runc's order
 * (initHostConsole). Usually all three are the same terminal; any of them may be
 * redirected.
 */
function hostTerminal(): number | undefined {
  return [2, 1, 0].find((fd) => tty.isatty(fd));
}

/** Our terminal's window size, if we have a terminal: the pty's first size, before the process runs. */
export function hostWindowSize(): WindowSize | undefined {
  const host = hostTerminal();
  return host === undefined ? undefined : getWindowSize(host);
}

/**
 * Relay a foreground terminal: the master's output to our stdout, our stdin to the
 * master, our window size (now and on every SIGWINCH) to the pty. Our own terminal, if
 * we have one, is put in raw mode, so that ^C, ^Z and line editing reach the container
 * as bytes for its own line discipline, and its output (already \r\n from the pty)
 * is not processed twice. Takes ownership of `master`.
 */
export function relayTerminal(master: number, opts: RelayOptions = {}): TerminalRelay {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  // A pty master is a tty to libuv, which then keeps this very fd (it only reopens
  // slaves) and reads and writes it non-blocking, as node-pty does.
  const pty = new tty.ReadStream(master);
  let ended = false;
  const endWaiters: (() => void)[] = [];
  const markEnded = (): void => {
    if (ended) return;
    ended = true;
    for (const w of endWaiters.splice(0)) w();
  };
  pty.on('data', (chunk: Buffer) => output.write(chunk));
  // EIO: every copy of the other end is closed, the process and its children are gone.
  pty.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EIO') debug('pty master: %s', err.message);
    markEnded();
  });
  pty.on('end', markEnded);
  pty.on('close', markEnded);

  const host = hostTerminal();
  const resize = (): void => {
    const ws: WindowSize | undefined = host === undefined ? undefined : getWindowSize(host);
    if (ws === undefined) return;
    try {
      setWindowSize(master, ws);
    } catch (err) {
      // The pty may be gone already (a resize racing the exit): nothing to resize.
      debug('resize the pty: %s', (err as Error).message);
    }
  };
  resize();
  process.on('SIGWINCH', resize);

  const restore = host === undefined ? undefined : makeRaw(host);
  // However we leave (an uncaught error, process.exit), the terminal is given back.
  const restoreOnExit = (): void => restore?.();
  process.once('exit', restoreOnExit);
  const onInput = (chunk: Buffer | string): void => {
    if (!ended) pty.write(chunk);
  };
  // Not pipe(): the end of our stdin must not close the pty (runc's io.Copy stops too).
  input.on('data', onInput);
  input.resume();

  let finished: Promise<void> | undefined;
  const finish = async (): Promise<void> => {
    if (!ended) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        endWaiters.push(resolve);
        timer = setTimeout(resolve, opts.drainMs ?? 1000);
      });
      clearTimeout(timer);
    }
    process.off('SIGWINCH', resize);
    input.off('data', onInput);
    restore?.();
    process.off('exit', restoreOnExit);
    input.pause();
    pty.destroy();
  };
  return {
    finish: () => (finished ??= finish()),
  };
}

// Owns: terminal window sizes through ioctl(2), which Node only offers for its own
// stdout (and never lets one set): TIOCGWINSZ and TIOCSWINSZ on any fd, such as the
// master of a container's pty. Runs in: cli.
//
// The request numbers are the asm-generic ones (x86_64, aarch64, s390x, riscv64);
// powerpc and mips use different ones and are not supported.
import * as fs from 'node:fs';
import { cfunc, check } from './libc';

const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;

export interface WindowSize {
  rows: number;
  cols: number;
}

function ioctl(): (fd: number, req: number, ...args: unknown[]) => unknown {
  return cfunc('int ioctl(int fd, unsigned long req, ...)');
}

/** struct winsize { u16 ws_row, ws_col, ws_xpixel, ws_ypixel }: the size of fd's terminal, or undefined when fd is not one. */
export function getWindowSize(fd: number): WindowSize | undefined {
  const ws = Buffer.alloc(8);
  try {
    check('ioctl(TIOCGWINSZ)', () => ioctl()(fd, TIOCGWINSZ, 'uint8_t *', ws) as number);
  } catch {
    return undefined;
  }
  return { rows: ws.readUInt16LE(0), cols: ws.readUInt16LE(2) };
}

/** Set fd's window size; the kernel sends SIGWINCH to the terminal's foreground process group. */
export function setWindowSize(fd: number, size: WindowSize): void {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(Math.min(size.rows, 0xffff), 0);
  ws.writeUInt16LE(Math.min(size.cols, 0xffff), 2);
  check('ioctl(TIOCSWINSZ)', () => ioctl()(fd, TIOCSWINSZ, 'uint8_t *', ws) as number);
}

/** glibc's struct termios is 60 bytes on every 64-bit Linux port; some slack costs nothing. */
const TERMIOS_SIZE = 128;
const TCSANOW = 0;

/**
 * Put fd's terminal in raw mode (cfmakeraw: no echo, no line editing, no signals from
 * ^C/^Z, no output processing) and return what restores the previous settings.
 * Undefined when fd is not a terminal.
 */
export function makeRaw(fd: number): (() => void) | undefined {
  const tcgetattr = cfunc('int tcgetattr(int fd, _Out_ uint8_t *t)');
  const tcsetattr = cfunc('int tcsetattr(int fd, int act, const uint8_t *t)');
  const cfmakeraw = cfunc('void cfmakeraw(_Inout_ uint8_t *t)');
  const saved = Buffer.alloc(TERMIOS_SIZE);
  try {
    check('tcgetattr', () => tcgetattr(fd, saved) as number);
  } catch {
    return undefined;
  }
  const raw = Buffer.from(saved);
  cfmakeraw(raw);
  check('tcsetattr', () => tcsetattr(fd, TCSANOW, raw) as number);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    // Best effort: the terminal may be gone (a hang-up) by the time we restore it.
    try {
      check('tcsetattr', () => tcsetattr(fd, TCSANOW, saved) as number);
    } catch {
      // nothing left to restore
    }
  };
}

const TIOCSPTLCK = 0x40045431;
const TIOCGPTN = 0x80045430;
const O_NOCTTY = 0o400;

export interface Pty {
  master: number;
  slave: number;
  /** /dev/pts/N */
  name: string;
}

/**
 * A new pty from the host's /dev/ptmx, neither end our controlling terminal: what a
 * terminal emulator (or a test standing in for one) holds. Both fds close-on-exec.
 */
export function openPty(): Pty {
  const master = fs.openSync('/dev/ptmx', fs.constants.O_RDWR | O_NOCTTY);
  try {
    const unlock = Buffer.alloc(4);
    check('ioctl(TIOCSPTLCK)', () => ioctl()(master, TIOCSPTLCK, 'uint8_t *', unlock) as number);
    const n = Buffer.alloc(4);
    check('ioctl(TIOCGPTN)', () => ioctl()(master, TIOCGPTN, 'uint8_t *', n) as number);
    const name = `/dev/pts/${n.readUInt32LE(0)}`;
    const slave = fs.openSync(name, fs.constants.O_RDWR | O_NOCTTY);
    return { master, slave, name };
  } catch (err) {
    fs.closeSync(master);
    throw err;
  }
}

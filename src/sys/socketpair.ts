// Owns: socketpair(2) for the CLI <-> setup channel. Runs in: cli.
//
// Both ends are close-on-exec: the spawner hands the setup end to the native init
// explicitly (dup2 into its fd set), so no other child inherits it by accident.
import { check, koffi, libc } from './libc';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM } from './constants';

let fn: ((d: number, t: number, p: number, out: unknown[]) => number) | undefined;

/** A connected AF_UNIX stream pair: [a, b]. */
export function socketPair(): [number, number] {
  if (fn === undefined) {
    const f = libc().func('socketpair', 'int', ['int', 'int', 'int', koffi.out(koffi.pointer(koffi.array('int', 2)))]);
    fn = (d, t, p, out) => f(d, t, p, out) as number;
  }
  const out: unknown[] = [null];
  check('socketpair', () => fn!(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out));
  const pair = out[0] as ArrayLike<number>;
  return [Number(pair[0]), Number(pair[1])];
}

// Owns: the RLIMIT_* names and their numbers (include/uapi/asm-generic/resource.h, the
// same on every architecture Linux containers run on except mips/sparc/alpha, which
// runts does not support). Runs in: cli.

/** Index = resource number passed to setrlimit/prlimit. */
export const RLIMIT_NAMES = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
] as const;

export type RlimitName = (typeof RLIMIT_NAMES)[number];

const numbers = new Map<string, number>(RLIMIT_NAMES.map((name, i) => [name, i]));

export function isKnownRlimit(name: string): name is RlimitName {
  return numbers.has(name);
}

export function rlimitNumber(name: string): number | undefined {
  return numbers.get(name);
}

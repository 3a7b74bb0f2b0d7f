// Owns: the shape every resources/<controller>.ts planner returns — an ordered list of
// cgroup file writes — and the number formatting they share. Pure. Runs in: cli.
//
// The order of a plan is part of its meaning (memsw before or after memory, the cfs
// period written around the quota), so plans are lists, never maps.

export interface CgroupWrite {
  /** a file name inside the cgroup directory, e.g. 'memory.limit_in_bytes' */
  file: string;
  value: string;
  /** a knob some kernels lack: skip the write when the file does not exist */
  optional?: true;
  /**
   * The kernel may refuse this value (EINVAL) until a later write in the same plan has
   * happened; that later write repeats this one, so an EINVAL here is not an error.
   */
  retry?: true;
}

/**
 * A JSON integer as the kernel wants it. Values above 2^53 (the "unlimited" sentinels
 * some callers send) are formatted exactly from their double value, never as "1e+21".
 */
export function int(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return Number.isSafeInteger(n) ? String(n) : BigInt(Math.trunc(n)).toString();
}

/** cgroup v2's form of a limit: 0 (unset) -> '', -1 -> 'max' (runc fs2 numToStr). */
export function v2Limit(n: number | undefined): string {
  if (n === undefined || n === 0) return '';
  if (n === -1) return 'max';
  return int(n);
}

/** A value is "set" when present and non-zero: dockerd's `update` sends zeros for "leave as is". */
export function isSet(n: number | undefined): n is number {
  return n !== undefined && n !== 0;
}

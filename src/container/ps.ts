// Owns: `ps` — the container's processes: their pids, or the host's ps output cut down
// to the rows of those pids. Runs in: cli.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { readProcs } from '../cgroups/cgroupfs';
import { readState } from './state-store';

/**
 * The hierarchy whose tree lists the container's processes: runc reads the devices
 * cgroup; any hierarchy holding every task will do when that one is not mounted.
 */
export function pidsDir(cgroupPaths: Record<string, string>): string | undefined {
  const names = Object.keys(cgroupPaths);
  for (const want of ['devices', 'pids', 'memory', 'unified']) {
    const name = names.find((n) => n.split(',').includes(want));
    if (name !== undefined) return cgroupPaths[name];
  }
  return names.length > 0 ? cgroupPaths[names[0]!] : undefined;
}

/** Every pid in `dir` and its descendants (nested cgroups a container made), walk order. */
export function allPids(dir: string): number[] {
  const out: number[] = [...readProcs(dir)];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out.push(...allPids(path.join(dir, e.name)));
  }
  return out;
}

export function containerPids(root: string, id: string): number[] {
  const state = readState(root, id);
  const dir = pidsDir(state.cgroupPaths);
  return dir === undefined ? [] : allPids(dir);
}

/** runc ps -f json: Go's json.Encoder on a []int, where no pids is a nil slice. */
export function renderPidsJson(pids: readonly number[]): string {
  return (pids.length === 0 ? 'null' : `[${pids.join(',')}]`) + '\n';
}

/**
 * Keep ps's header and the rows whose PID column holds one of `pids`. The column is
 * found by name in the header, so any `-o` format that includes PID works.
 */
export function filterPsOutput(output: string, pids: readonly number[]): string {
  const lines = output.split('\n');
  const header = lines[0] ?? '';
  const pidIndex = header.trim().split(/\s+/).indexOf('PID');
  if (pidIndex < 0) throw new RuntimeError("couldn't find PID field in ps output");
  const wanted = new Set(pids);
  let out = header + '\n';
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const field = line.trim().split(/\s+/)[pidIndex] ?? '';
    if (!/^[+-]?\d+$/.test(field)) throw new RuntimeError(`unable to parse pid: strconv.Atoi: parsing ${JSON.stringify(field)}: invalid syntax`);
    if (wanted.has(Number(field))) out += line + '\n';
  }
  return out;
}

/** Run the host's ps (default `-ef`) and keep the rows of `pids`. */
export function psTable(pids: readonly number[], psArgs: readonly string[]): string {
  const args = psArgs.length === 0 ? ['-ef'] : [...psArgs];
  const r = spawnSync('ps', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RuntimeError('exec: "ps": executable file not found in $PATH: ');
    throw new RuntimeError(`ps: ${r.error.message}`);
  }
  // runc uses the combined output: on failure ps's complaint is the error's text.
  const output = r.stdout + r.stderr;
  if (r.status !== 0) {
    throw new RuntimeError(r.status === null ? `signal: ${r.signal ?? 'unknown'}: ${output}` : `exit status ${r.status}: ${output}`);
  }
  return filterPsOutput(output, pids);
}

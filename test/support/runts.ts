// Owns: running the real runts CLI from tests, and per-test --root dirs that clean
// themselves up. Runs in: test.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** bin/runts, from dist/test/support/ (compiled) or test/support/ (source). */
export const RUNTS_BIN = path.resolve(__dirname, fs.existsSync(path.resolve(__dirname, '../../../bin/runts')) ? '../../../bin/runts' : '../../bin/runts');

export interface LogLine {
  level: string;
  msg: string;
  time: string;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  /** the --log-format json lines, when run with `log: true` */
  logLines: LogLine[];
}

export interface RunOptions {
  /** adds `--root <root>` before the command */
  root?: string;
  /** stdin text (default: empty) */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** adds `--log <tmp file> --log-format json` and returns the parsed lines */
  log?: boolean;
  timeoutMs?: number;
}

export function runts(args: readonly string[], opts: RunOptions = {}): RunResult {
  const pre: string[] = [];
  if (opts.root !== undefined) pre.push('--root', opts.root);
  let logDir: string | undefined;
  let logFile: string | undefined;
  if (opts.log === true) {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-log-'));
    logFile = path.join(logDir, 'log.json');
    pre.push('--log', logFile, '--log-format', 'json');
  }
  try {
    const r = spawnSync(process.execPath, [RUNTS_BIN, ...pre, ...args], {
      input: opts.input ?? '',
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 30_000,
    });
    if (r.error !== undefined) throw r.error;
    const logLines: LogLine[] = [];
    if (logFile !== undefined && fs.existsSync(logFile)) {
      for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
        if (line !== '') logLines.push(JSON.parse(line) as LogLine);
      }
    }
    return { status: r.status ?? 128 + (r.signal === null ? 0 : os.constants.signals[r.signal]), stdout: r.stdout, stderr: r.stderr, logLines };
  } finally {
    if (logDir !== undefined) fs.rmSync(logDir, { recursive: true, force: true });
  }
}

export interface TmpRoot {
  path: string;
  /** force-deletes every container under the root, then removes it */
  cleanup(): void;
}

/**
 * A fresh --root. Pass the test context (anything with `after`) to have the cleanup
 * registered; it runs even when the test fails.
 */
export function tmpRoot(t?: { after(fn: () => void): void }): TmpRoot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-root-'));
  const root: TmpRoot = {
    path: dir,
    cleanup() {
      let ids: string[] = [];
      try {
        ids = fs.readdirSync(dir);
      } catch {
        return;
      }
      for (const id of ids) {
        try {
          runts(['delete', '--force', id], { root: dir, timeoutMs: 10_000 });
        } catch {
          // best effort: the dir is removed below either way
        }
        // A differential test may have put a runc container under this root: runts
        // cannot read runc's state, and removing the dir first would orphan its cgroups.
        if (fs.existsSync(path.join(dir, id))) {
          spawnSync('runc', ['--root', dir, 'delete', '--force', id], { stdio: 'ignore', timeout: 10_000 });
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  t?.after(() => root.cleanup());
  return root;
}

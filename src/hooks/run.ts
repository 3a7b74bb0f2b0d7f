// Owns: running one OCI hook — path, argv, exact env, the state JSON on stdin, the
// timeout — and turning its failure into a HookError. Runs in: cli and setup.
//
// The error text keeps runc's shape (`error running <kind> hook #<i>: …, stdout: …,
// stderr: …`) because that is what users and shims have learnt to read, and adds the
// hook's path, which runc leaves out.
import { spawn } from 'node:child_process';
import { HookError } from '../errors';
import type { Hook, HookKind } from '../spec/types';

/** runc's limit is none; a hook printing without end must not grow the runtime without end. */
const MAX_CAPTURE = 64 * 1024;

/** KEY=VALUE list -> object; spawn() passes exactly these (nothing from our own env). */
function toEnv(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of list) {
    const eq = e.indexOf('=');
    if (eq > 0) env[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return env;
}

function capture(): { push(b: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(b) {
      if (size >= MAX_CAPTURE) return;
      chunks.push(b.subarray(0, MAX_CAPTURE - size));
      size += b.length;
    },
    text: () => Buffer.concat(chunks).toString().trimEnd(),
  };
}

/**
 * Run hook `index` of `kind`. Resolves when it exits 0; rejects with HookError on a
 * non-zero exit, a signal, a failure to start, or the timeout (the hook is killed).
 * Without `env` the hook inherits ours, as runc's (Go's exec with a nil Env) does.
 */
export function runHook(kind: HookKind, index: number, hook: Hook, state: string): Promise<void> {
  const args = hook.args ?? [hook.path];
  const prefix = `error running ${kind} hook #${index} (${hook.path})`;
  return new Promise((resolve, reject) => {
    const child = spawn(hook.path, args.slice(1), {
      argv0: args[0] ?? hook.path,
      env: hook.env === undefined ? process.env : toEnv(hook.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      // its own process group, so a timeout kills what the hook started too: a
      // leftover child holding the output pipes would otherwise keep us waiting
      detached: true,
    });
    const out = capture();
    const err = capture();
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A hook that does not read its stdin makes our write fail with EPIPE: not its failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(state);

    let timedOut = false;
    const timer =
      hook.timeout !== undefined && hook.timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            try {
              if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, hook.timeout * 1000)
        : undefined;

    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (timedOut) {
        reject(new HookError(kind, index, `${prefix}: hook ran past specified timeout of ${(hook.timeout ?? 0).toFixed(1)}s`));
        return;
      }
      if (spawnError !== undefined) {
        reject(new HookError(kind, index, `${prefix}: ${spawnError.message}`, { cause: spawnError }));
        return;
      }
      if (code === 0) {
        resolve();
        return;
      }
      const status = signal !== null ? `signal: ${signal}` : `exit status ${code}`;
      reject(new HookError(kind, index, `${prefix}: ${status}, stdout: ${out.text()}, stderr: ${err.text()}`));
    });
  });
}

/** Run the hooks of one kind in order; the first failure stops the rest. */
export async function runHooks(kind: HookKind, hooks: readonly Hook[] | undefined, state: string): Promise<void> {
  const list = hooks ?? [];
  for (let i = 0; i < list.length; i++) {
    const h = list[i] as Hook;
    await runHook(kind, i, h, state);
  }
}

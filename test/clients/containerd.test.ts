// containerd 1.6 + containerd-shim-runc-v2 driving bin/runts through ctr (issue #7): run,
// exit codes, env, detached tasks with exec/ps/pause/resume/kill/delete, --tty, memory
// limits, --read-only, create errors reaching the client, pid files, and a differential
// run against runc. One private containerd and one image serve the whole file; every
// scenario asserts it left nothing behind, and the last test stops containerd and checks
// the host is as it was. Runs in: test (root).
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { requires } from '../support/requires';
import { makeBundle } from '../support/bundle';
import { runts, RUNTS_BIN } from '../support/runts';
import type { Spec } from '../../src/spec/types';
import { killMentioning, mountsUnder, processesMentioning, tail, unmountUnder } from './support/daemon';
import { cgroupDirOf, namespaceCgroups, settle, shellQuote, startContainerd, waitTaskStatus, SHIM_SOCKET_DIR, type Containerd, type CtrResult } from './support/containerd';

const skip = requires('root', 'containerd', 'runc', 'busybox');

// Dirs under /run/containerd that ctr and the shim use whatever the daemon's config says:
// removed at the end only if this file created them (and nothing else lives in them).
const HOST_DIRS = ['/run/containerd', SHIM_SOCKET_DIR, '/run/containerd/fifo', '/run/containerd/runc'];
const existedBefore = new Map(HOST_DIRS.map((d) => [d, fs.existsSync(d)]));

let cd: Containerd | undefined;
let tmp: string | undefined;
const usedIds: string[] = [];

before(async () => {
  if (skip !== false) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-ctr-'));
  cd = await startContainerd(tmp);
});

/** Last resort when a test failed midway; the final test does the same and asserts it. */
after(async () => {
  if (tmp === undefined) return;
  if (cd !== undefined) {
    for (const id of usedIds) if (cd.leftoversOf(id).length > 0) cd.forget(id);
    await cd.daemon.stop();
  }
  killMentioning(tmp);
  unmountUnder(tmp);
  removeHostLeftovers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function removeHostLeftovers(): void {
  if (cd === undefined) return;
  for (const id of usedIds) fs.rmSync(cd.shimSocket(id), { force: true });
  for (const d of namespaceCgroups(cd.ns)) rmdirQuiet(d);
  // Deepest first; rmdir, not rm -r: other clients (dockerd's containerd) share these dirs.
  for (const d of [...HOST_DIRS].reverse()) if (existedBefore.get(d) === false) rmdirQuiet(d);
}

function rmdirQuiet(d: string): void {
  try {
    fs.rmdirSync(d);
  } catch {
    /* busy or gone */
  }
}

function env(): Containerd {
  assert.ok(cd !== undefined, 'containerd did not start');
  return cd;
}

/** A fresh id whose leftovers are asserted after the test and cleaned even on failure. */
function newId(t: TestContext, prefix: string): string {
  const id = `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
  usedIds.push(id);
  t.after(() => {
    if (cd !== undefined && cd.leftoversOf(id).length > 0) cd.forget(id);
  });
  return id;
}

async function assertClean(id: string): Promise<void> {
  const c = env();
  assert.deepEqual(await settle(c, id), [], `leftovers of ${id}; containerd log:\n${tail(c.daemon.logFile, 15)}`);
}

/** `ctr run --rm` in the foreground; the result is ctr's (its exit status is the task's). */
function runRm(id: string, flags: readonly string[], cmd: readonly string[], runtime: 'runts' | 'runc' = 'runts') {
  const c = env();
  return c.ctr(['run', '--rm', '--fifo-dir', c.fifoDir, ...c.runtimeFlags(runtime), ...flags, c.imageRef, id, ...cmd]);
}

/**
 * ctr 1.6 now and then drops a short-lived process' stdout or stderr (the exit status
 * arrives, the fifo copy is cut short). Measured on this VM under load with runc as the
 * runtime: 7 of 201 `ctr task exec`, 1 of 40 `ctr run`. So an attempt whose exit status is
 * right but whose output is not is retried, at most twice; anything else counts at once.
 */
async function withLostOutputRetry(status: number, wanted: (r: CtrResult) => boolean, attempt: (n: number) => CtrResult | Promise<CtrResult>): Promise<CtrResult> {
  let r = await attempt(0);
  for (let n = 1; n < 3 && r.status === status && !wanted(r); n++) r = await attempt(n);
  return r;
}

/** `ctr run -d` with stdio on /dev/null: nothing waits on a pipe the task holds open. */
function runDetached(id: string, flags: readonly string[], cmd: readonly string[], runtime: 'runts' | 'runc' = 'runts'): number {
  const c = env();
  const r = c.ctr(['run', '-d', '--null-io', ...c.runtimeFlags(runtime), ...flags, c.imageRef, id, ...cmd]);
  assert.equal(r.status, 0, `ctr run -d: ${r.stderr}`);
  const task = c.tasks().get(id);
  assert.equal(task?.status, 'RUNNING');
  assert.ok(task !== undefined && task.pid > 0);
  // The shim honoured --runc-binary/--runc-root: the state is where the chosen runtime keeps it.
  const root = runtime === 'runts' ? c.runtsRoot : c.runcRoot;
  assert.ok(fs.existsSync(path.join(root, c.ns, id, 'state.json')), `no ${runtime} state for ${id}`);
  return task.pid;
}

async function killAndDelete(id: string): Promise<void> {
  const c = env();
  const kill = c.ctr(['task', 'kill', '-s', 'SIGKILL', id]);
  assert.equal(kill.status, 0, kill.stderr);
  assert.equal(await waitTaskStatus(c, id, 'STOPPED'), 'STOPPED');
  const del = c.ctr(['task', 'delete', id]);
  assert.equal(del.status, 0, del.stderr);
  // ctr reports the exit status the shim got from runts' init: 128 + SIGKILL.
  assert.match(del.stderr, /exit code 137/);
  const cdel = c.ctr(['container', 'delete', id]);
  assert.equal(cdel.status, 0, cdel.stderr);
}

test('ctr run: stdout, exit code, --env and no tty', { skip }, async (t) => {
  const expected = 'hello bar\nnot a tty\n';
  const r = await withLostOutputRetry(3, (x) => x.stdout === expected, async () => {
    const id = newId(t, 'run');
    const x = runRm(id, ['--env', 'FOO=bar'], ['sh', '-c', 'echo "hello $FOO"; tty; exit 3']);
    await assertClean(id);
    return x;
  });
  assert.equal(r.stdout, expected, r.stderr);
  assert.equal(r.status, 3, r.stderr);

  const ok = newId(t, 'run0');
  const r0 = runRm(ok, [], ['true']);
  assert.equal(r0.status, 0, r0.stderr);
  await assertClean(ok);
});

test('ctr run -d + task exec, ps, pause, resume, kill, delete; pid files', { skip }, async (t) => {
  const c = env();
  const id = newId(t, 'task');
  const pid = runDetached(id, [], ['sleep', '1000']);

  // The shim reads init.pid that runts wrote with --pid-file; it must be the bare pid, whole.
  const bundle = c.bundleDir(id);
  assert.equal(fs.readFileSync(path.join(bundle, 'init.pid'), 'utf8'), String(pid));

  const ex = await withLostOutputRetry(
    5,
    (x) => x.stdout === 'in sleep\n',
    (n) => c.ctr(['task', 'exec', '--exec-id', `probe${n}`, '--fifo-dir', c.fifoDir, id, 'sh', '-c', 'echo "in $(cat /proc/1/comm)"; exit 5']),
  );
  assert.equal(ex.stdout, 'in sleep\n', ex.stderr);
  assert.equal(ex.status, 5, ex.stderr);

  const bg = c.ctr(['task', 'exec', '-d', '--exec-id', 'sleeper', '--fifo-dir', c.fifoDir, id, 'sleep', '999']);
  assert.equal(bg.status, 0, bg.stderr);
  const execPid = Number(fs.readFileSync(path.join(bundle, 'sleeper.pid'), 'utf8'));
  assert.ok(execPid > 0 && execPid !== pid);
  assert.equal(fs.readFileSync(`/proc/${execPid}/cmdline`, 'utf8'), 'sleep\x00999\x00');
  // Written atomically: no temporary pid file is left beside the real ones.
  assert.deepEqual(fs.readdirSync(bundle).filter((f) => f.startsWith('.') || /tmp/i.test(f)), []);

  const ps = c.ctr(['task', 'ps', id]);
  assert.equal(ps.status, 0, ps.stderr);
  const pids = ps.stdout.split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0])).filter((n) => n > 0).sort((a, b) => a - b);
  assert.deepEqual(pids, [pid, execPid].sort((a, b) => a - b));

  const freezer = path.join(cgroupDirOf(pid, 'freezer'), 'freezer.state');
  assert.equal(path.basename(path.dirname(freezer)), id);
  const pause = c.ctr(['task', 'pause', id]);
  assert.equal(pause.status, 0, pause.stderr);
  assert.equal(c.tasks().get(id)?.status, 'PAUSED');
  assert.equal(fs.readFileSync(freezer, 'utf8').trim(), 'FROZEN');
  const resume = c.ctr(['task', 'resume', id]);
  assert.equal(resume.status, 0, resume.stderr);
  assert.equal(c.tasks().get(id)?.status, 'RUNNING');
  assert.equal(fs.readFileSync(freezer, 'utf8').trim(), 'THAWED');

  await killAndDelete(id);
  await assertClean(id);

  // The shim's cleanup runs `runts delete --force` on a container that is already gone
  // (runc's contract: exit 0, say nothing); a plain delete still reports it, as runc does.
  const logDir = fs.mkdtempSync(path.join(c.tmp, 'gone-'));
  const gone = (bin: string[], root: string, force: boolean) =>
    spawnSync(bin[0]!, [...bin.slice(1), '--root', path.join(root, c.ns), '--log', path.join(logDir, 'log.json'), '--log-format', 'json', 'delete', ...(force ? ['--force'] : []), id], {
      encoding: 'utf8',
      timeout: 30_000,
    });
  for (const force of [true, false]) {
    const mine = gone([process.execPath, RUNTS_BIN], c.runtsRoot, force);
    const ref = gone(['runc'], c.runcRoot, force);
    assert.equal(mine.status, ref.status, `delete${force ? ' --force' : ''} of a gone container: runts ${mine.stderr}, runc ${ref.stderr}`);
    assert.equal(mine.stdout, ref.stdout);
    if (!force) assert.match(mine.stderr, /container does not exist/);
  }
  assert.equal(gone([process.execPath, RUNTS_BIN], c.runtsRoot, true).status, 0);
});

test('ctr run --tty: the process sees a pty, exit code passes through', { skip }, async (t) => {
  const c = env();
  const r = await withLostOutputRetry(4, (x) => /\/dev\/pts\/\d+\r*\n/.test(x.stdout), async () => {
    const id = newId(t, 'tty');
    const argv = ['ctr', '-a', c.sock, '-n', c.ns, 'run', '--rm', '-t', '--fifo-dir', c.fifoDir, ...c.runtimeFlags('runts'), c.imageRef, id, 'sh', '-c', 'tty; exit 4'];
    const x = spawnSync('script', ['-qec', argv.map(shellQuote).join(' '), '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, killSignal: 'SIGKILL' });
    await assertClean(id);
    return { status: x.status ?? 128 + 9, stdout: x.stdout, stderr: x.stderr };
  });
  assert.match(r.stdout, /\/dev\/pts\/\d+\r*\n/, r.stderr);
  assert.doesNotMatch(r.stdout, /not a tty/);
  assert.equal(r.status, 4, `${r.stdout}${r.stderr}`);
});

test('ctr run --memory-limit: the limit is in the task memory cgroup', { skip }, async (t) => {
  const id = newId(t, 'mem');
  const pid = runDetached(id, ['--memory-limit', '67108864'], ['sleep', '1000']);
  const dir = cgroupDirOf(pid, 'memory');
  assert.equal(dir, path.join('/sys/fs/cgroup/memory', env().ns, id));
  assert.equal(fs.readFileSync(path.join(dir, 'memory.limit_in_bytes'), 'utf8').trim(), '67108864');
  await killAndDelete(id);
  await assertClean(id);
});

test('ctr run --read-only: writing / fails inside', { skip }, async (t) => {
  const expected = 'touch=1\nro\n';
  const r = await withLostOutputRetry(0, (x) => x.stdout === expected && /Read-only file system/.test(x.stderr), async () => {
    const id = newId(t, 'ro');
    const x = runRm(id, ['--read-only'], ['sh', '-c', 'touch /written; echo "touch=$?"; grep " / " /proc/mounts | cut -d" " -f4 | cut -d, -f1']);
    await assertClean(id);
    return x;
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, expected);
  assert.match(r.stderr, /Read-only file system/);
});

// Each bad option reaches runts through the bundle containerd writes; the shim must pass
// runts' own error line (log.json) to ctr, not "unable to retrieve OCI runtime error".
const badCreates: { name: string; flags: string[]; mutate: (s: Spec) => void }[] = [
  {
    name: 'validation: --rootfs-propagation bogus',
    flags: ['--rootfs-propagation', 'bogus'],
    mutate: (s) => {
      s.linux!.rootfsPropagation = 'bogus';
    },
  },
  {
    name: 'setup: --mount with a missing source',
    flags: ['--mount', 'type=bind,src=/nonexistent-runts-ctr,dst=/mnt,options=rbind'],
    mutate: (s) => {
      s.mounts!.push({ destination: '/mnt', type: 'bind', source: '/nonexistent-runts-ctr', options: ['rbind'] });
    },
  },
  {
    name: 'init: --cwd is a file',
    flags: ['--cwd', '/bin/busybox'],
    mutate: (s) => {
      s.process!.cwd = '/bin/busybox';
    },
  },
];

for (const bad of badCreates) {
  test(`failing create reaches ctr with runts' error text (${bad.name})`, { skip }, async (t) => {
    const c = env();
    // runts' own message for the same defect, from its --log json, on a plain bundle.
    const bundle = makeBundle();
    const directRoot = fs.mkdtempSync(path.join(c.tmp, 'direct-'));
    let expected: string;
    try {
      bundle.update(bad.mutate);
      const direct = runts(['create', '--bundle', bundle.dir, 'direct'], { root: directRoot, log: true });
      assert.equal(direct.status, 1, direct.stderr);
      const errors = direct.logLines.filter((l) => l.level === 'error');
      assert.ok(errors.length > 0, 'runts logged no error line');
      expected = errors[errors.length - 1]!.msg;
      assert.deepEqual(fs.readdirSync(directRoot), []);
    } finally {
      bundle.remove();
    }

    const id = newId(t, 'bad');
    const r = runRm(id, bad.flags, ['true']);
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stderr, /unable to retrieve OCI runtime error/);
    assert.ok(r.stderr.includes(`OCI runtime create failed: ${expected}`), `ctr said: ${r.stderr}\nrunts says: ${expected}`);
    await assertClean(id);
  });
}

test('same as runc: capabilities, ids and the process environment, in run and in exec', { skip }, async (t) => {
  const c = env();
  const probe = [
    "cat /proc/self/status | grep -E '^Cap(Eff|Bnd)'",
    'id',
    "grep -E '^(CapInh|CapPrm|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status",
    'umask',
    'pwd',
    'ulimit -n',
    'env | sort',
    'ls /dev',
    'cat /proc/self/cgroup',
    // Snapshot numbers differ between the two runs; everything else must not.
    "cut -d' ' -f4- /proc/self/mountinfo | sed -E 's#snapshots/[0-9]+/#snapshots/N/#g'",
    'echo END',
  ].join('; ');
  const complete = (x: CtrResult): boolean => x.stdout.startsWith('CapEff:') && x.stdout.endsWith('END\n');
  const seen = { runc: { run: '', exec: '' }, runts: { run: '', exec: '' } };
  for (const runtime of ['runc', 'runts'] as const) {
    let ranAs = '';
    const r = await withLostOutputRetry(0, complete, async () => {
      ranAs = newId(t, `cmp-${runtime}`);
      const x = runRm(ranAs, [], ['sh', '-c', probe], runtime);
      await assertClean(ranAs);
      return x;
    });
    assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
    seen[runtime].run = r.stdout.replaceAll(ranAs, 'ID') + r.stderr;

    const bg = newId(t, `cmpx-${runtime}`);
    runDetached(bg, [], ['sleep', '1000'], runtime);
    const ex = await withLostOutputRetry(0, complete, (n) => c.ctr(['task', 'exec', '--exec-id', `probe${n}`, '--fifo-dir', c.fifoDir, bg, 'sh', '-c', probe]));
    assert.equal(ex.status, 0, `${runtime} exec: ${ex.stderr}`);
    seen[runtime].exec = ex.stdout.replaceAll(bg, 'ID') + ex.stderr;
    await killAndDelete(bg);
    await assertClean(bg);
  }
  assert.match(seen.runc.run, /^CapEff:\t[0-9a-f]{16}\nCapBnd:\t[0-9a-f]{16}\nuid=0\(root\)/);
  assert.match(seen.runc.exec, /^CapEff:\t[0-9a-f]{16}\nCapBnd:\t[0-9a-f]{16}\nuid=0\(root\)/);
  assert.equal(seen.runts.run, seen.runc.run);
  assert.equal(seen.runts.exec, seen.runc.exec);
});

test('teardown: containerd stopped by pid, no shim, mount, cgroup or host dir left', { skip }, async () => {
  const c = env();
  const pid = c.daemon.pid;
  await c.daemon.stop();
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  assert.deepEqual(processesMentioning(c.tmp), [], 'shims or containers still running');
  assert.deepEqual(mountsUnder(c.tmp), []);
  for (const id of usedIds) assert.ok(!fs.existsSync(c.shimSocket(id)), `shim socket of ${id}`);
  // runc and runts both leave the /<ns> parent cgroup (runc never removes parents); it must be empty.
  for (const d of namespaceCgroups(c.ns)) {
    assert.deepEqual(fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name), [], `child cgroups in ${d}`);
    fs.rmdirSync(d);
  }
  assert.deepEqual(namespaceCgroups(c.ns), []);
  removeHostLeftovers();
  for (const d of HOST_DIRS) if (existedBefore.get(d) === false) assert.ok(!fs.existsSync(d) || fs.readdirSync(d).length > 0, `${d} created by the test`);
  fs.rmSync(c.tmp, { recursive: true, force: true });
  assert.ok(!fs.existsSync(c.tmp));
  tmp = undefined;
});

// Runs the real setup process (dist/src/setup/main.js) inside fresh namespaces made by
// unshare(1), without the native init, with this test playing the CLI on fd 3. After the
// pivot, the shell that started setup shares its mount namespace and so follows it into
// the rootfs: busybox probes run there and report what the container sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requires } from '../support/requires';
import { baseSpec, makeBundle, type Bundle } from '../support/bundle';
import { runSetup, setupSocketPair } from '../../src/process/setup-channel';
import type { SetupPlan } from '../../src/setup/protocol';
import type { RootfsInput } from '../../src/rootfs/plan';
import type { Spec } from '../../src/spec/types';

const MAIN = path.resolve(__dirname, '../../src/setup/main.js');
const skip = requires('root', 'busybox');

/** hierarchy basename -> this process's cgroup dir in it, for every v1 hierarchy mounted. */
function ownV1Cgroups(): Record<string, string> {
  const own = new Map<string, string>();
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (ctrls === undefined || ctrls === '' || p === undefined) continue;
    for (const c of ctrls.split(',')) own.set(c, p);
  }
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep < 0 || f[sep + 1] !== 'cgroup') continue;
    const mp = f[4] as string;
    const opts = (f[sep + 3] ?? '').split(',');
    const rel = opts.map((o) => own.get(o)).find((p) => p !== undefined);
    if (rel === undefined) continue;
    out[path.basename(mp)] = path.join(mp, rel);
  }
  return out;
}

function planFor(bundle: Bundle, spec: Spec, extra: Partial<RootfsInput> = {}): RootfsInput {
  return {
    rootfs: fs.realpathSync(bundle.rootfs),
    readonly: spec.root?.readonly === true,
    mounts: spec.mounts ?? [],
    devices: spec.linux?.devices ?? [],
    inUserNamespace: false,
    cgroup: { version: 1, hierarchies: ownV1Cgroups() },
    maskedPaths: spec.linux?.maskedPaths ?? [],
    readonlyPaths: spec.linux?.readonlyPaths ?? [],
    noPivot: false,
    ...(spec.hostname !== undefined ? { hostname: spec.hostname } : {}),
    ...extra,
  };
}

function stateOf(bundle: Bundle, id: string): string {
  return JSON.stringify({
    ociVersion: '1.0.2', id, pid: 1, status: 'creating', bundle: bundle.dir, rootfs: bundle.rootfs,
    created: new Date().toISOString(), owner: '',
  });
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  setupError?: unknown;
  phases: string[];
}

/** unshare + sh: setup, then (same mount namespace, now pivoted) the probe script. */
async function runInNamespaces(plan: SetupPlan, probe: string): Promise<Run> {
  const [cliFd, setupFd] = setupSocketPair();
  const child = spawn(
    'unshare',
    ['--mount', '--uts', '--ipc', '--pid', '--net', '--fork', '--propagation', 'private', 'sh', '-c',
      // the shell closes its copy of fd 3 so that setup's end is the only one left
      `${process.execPath} ${MAIN} || exit 97; exec 3>&-; ${probe}`],
    { stdio: ['ignore', 'pipe', 'pipe', setupFd], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
  );
  fs.closeSync(setupFd);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const phases: string[] = [];
  let setupError: unknown;
  try {
    await runSetup(cliFd, plan, {
      runHooks: async (phase) => {
        phases.push(phase);
      },
    });
  } catch (err) {
    setupError = err;
  }
  const status = await exited;
  const run: Run = { status, stdout, stderr, phases };
  if (setupError !== undefined) run.setupError = setupError;
  return run;
}

function section(out: string, name: string): string {
  const start = out.indexOf(`==${name}\n`);
  if (start < 0) return '';
  const rest = out.slice(start + name.length + 3);
  const end = rest.indexOf('\n==');
  return end < 0 ? rest : rest.slice(0, end + 1);
}

function hostMountsOf(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dir));
}

test('setup builds the runc-spec rootfs, pivots, masks and makes paths read-only', { skip }, async (t) => {
  const bundle = makeBundle();
  t.after(() => bundle.remove());
  fs.mkdirSync(path.join(bundle.rootfs, 'root', 'secret-dir'));
  fs.writeFileSync(path.join(bundle.rootfs, 'root', 'secret-dir', 'f'), 'hidden\n');
  fs.writeFileSync(path.join(bundle.rootfs, 'etc', 'secret'), 'hidden\n');
  const spec = baseSpec();
  spec.hostname = 'runts-test';
  const hookOut = path.join(bundle.dir, 'hook.out');
  const plan: SetupPlan = {
    ...planFor(bundle, spec, {
      maskedPaths: [...(spec.linux?.maskedPaths ?? []), '/etc/secret', '/root/secret-dir'],
      sysctl: { 'kernel.domainname': 'sysctl.example' },
    }),
    // the state on stdin and the working directory, into a file the test reads
    createContainerHooks: [{ path: '/bin/sh', args: ['sh', '-c', '{ cat; echo; pwd; } > "$OUT"'], env: [`OUT=${hookOut}`] }],
    stateJson: stateOf(bundle, 'setup-test'),
  };

  const probe = [
    'echo ==mountinfo; cat /proc/self/mountinfo',
    'echo ==hostname; hostname',
    'echo ==domainname; cat /proc/sys/kernel/domainname',
    'echo ==dev; ls -1 /dev',
    'echo ==devlinks; readlink /dev/ptmx; readlink /dev/fd; readlink /dev/stdin',
    'echo ==masked-file; cat /etc/secret; echo "[end]"',
    'echo ==masked-dir; ls -A /root/secret-dir; echo "[end]"',
    'echo ==ro-path; (echo x > /proc/sys/kernel/hostname) 2>&1',
    'echo ==ro-root; (touch /newfile) 2>&1',
    'echo ==null; echo hi > /dev/null && echo null-ok',
    'echo ==end',
  ].join('; ');
  const run = await runInNamespaces(plan, probe);
  assert.equal(run.setupError, undefined, `setup failed: ${String(run.setupError)}\n${run.stderr}`);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.phases, ['prestart+createRuntime']);

  const mi = section(run.stdout, 'mountinfo').split('\n').filter(Boolean);
  const at = (mp: string): string[] => mi.filter((l) => l.split(' ')[4] === mp);
  assert.match(at('/')[0] ?? '', / ro[, ]/, 'the root is read-only');
  assert.match(at('/proc')[0] ?? '', / - proc /);
  assert.match(at('/dev')[0] ?? '', / - tmpfs /);
  assert.match(at('/dev/pts')[0] ?? '', / - devpts /);
  assert.match(at('/dev/shm')[0] ?? '', / - tmpfs /);
  assert.match(at('/dev/mqueue')[0] ?? '', / - mqueue /);
  assert.match(at('/sys')[0] ?? '', / ro,.* - sysfs /);
  assert.match(at('/sys/fs/cgroup')[0] ?? '', / - tmpfs /);
  assert.match(at('/sys/fs/cgroup/memory')[0] ?? '', /^\S+ \S+ \S+ \S+ \S+ ro,.* - cgroup /);
  assert.match(at('/proc/sys')[0] ?? '', / ro,/, '/proc/sys is a read-only bind');
  assert.match(at('/etc/secret')[0] ?? '', /./, '/etc/secret is masked');
  // the mount points are container paths (field 4, the root, may name the bind's host source)
  assert.ok(!mi.some((l) => (l.split(' ')[4] ?? '').includes(bundle.dir)), 'no host mount point is left in the container');

  assert.equal(section(run.stdout, 'hostname').trim(), 'runts-test');
  assert.equal(section(run.stdout, 'domainname').trim(), 'sysctl.example');
  const dev = section(run.stdout, 'dev').split('\n').filter(Boolean);
  for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm', 'mqueue', 'fd', 'stdin', 'stdout', 'stderr']) {
    assert.ok(dev.includes(d), `/dev/${d} exists (got ${dev.join(' ')})`);
  }
  assert.equal(section(run.stdout, 'devlinks'), 'pts/ptmx\n/proc/self/fd\n/proc/self/fd/0\n');
  assert.equal(section(run.stdout, 'masked-file'), '[end]\n');
  assert.equal(section(run.stdout, 'masked-dir'), '[end]\n');
  assert.match(section(run.stdout, 'ro-path'), /Read-only file system/);
  assert.match(section(run.stdout, 'ro-root'), /Read-only file system/);
  assert.equal(section(run.stdout, 'null'), 'null-ok\n');

  const hook = fs.readFileSync(hookOut, 'utf8').split('\n');
  const state = JSON.parse(hook[0] ?? '') as { id: string; status: string };
  assert.equal(state.id, 'setup-test');
  assert.equal(state.status, 'creating');
  assert.equal(hook[1], fs.realpathSync(bundle.rootfs), 'createContainer hooks run in the rootfs');

  assert.deepEqual(hostMountsOf(bundle.dir), [], 'nothing of the bundle is mounted on the host');
});

test('a rootfs symlink to a host path cannot redirect a mount to the host', { skip }, async (t) => {
  const bundle = makeBundle();
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-hostdir-'));
  t.after(() => {
    bundle.remove();
    fs.rmSync(hostDir, { recursive: true, force: true });
  });
  fs.symlinkSync(hostDir, path.join(bundle.rootfs, 'mnt'));
  const spec = baseSpec();
  spec.mounts = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
  ];
  const where = path.join(bundle.dir, 'where');
  const plan: SetupPlan = {
    ...planFor(bundle, spec, { readonly: false, maskedPaths: [], readonlyPaths: [] }),
    // before the pivot: where did the tmpfs land, as this mount namespace sees it?
    createContainerHooks: [{ path: '/bin/sh', args: ['sh', '-c', `grep " tmpfs tmpfs " /proc/self/mountinfo > ${where}`] }],
    stateJson: stateOf(bundle, 'symlink-test'),
  };
  const run = await runInNamespaces(plan, 'echo data > /mnt/file && cat /proc/self/mountinfo');
  assert.equal(run.setupError, undefined, `setup failed: ${String(run.setupError)}\n${run.stderr}`);
  assert.equal(run.status, 0, run.stderr);
  const landed = fs.readFileSync(where, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[4]);
  const inside = path.join(fs.realpathSync(bundle.rootfs), hostDir);
  assert.ok(landed.includes(inside), `tmpfs mounted at ${inside} (got ${landed.join(', ')})`);
  assert.ok(!landed.includes(hostDir), 'nothing mounted on the host directory');
  assert.deepEqual(fs.readdirSync(hostDir), [], 'the host directory is untouched');
  assert.ok(fs.statSync(inside).isDirectory(), 'the symlink target was created inside the rootfs');
  assert.deepEqual(hostMountsOf(bundle.dir), []);
});

test('a failing mount is reported over the channel with errno and path', { skip }, async (t) => {
  const bundle = makeBundle();
  t.after(() => bundle.remove());
  const spec = baseSpec();
  spec.mounts = [{ destination: '/data', type: 'bind', source: path.join(bundle.dir, 'missing'), options: ['rbind'] }];
  const plan: SetupPlan = {
    ...planFor(bundle, spec, { readonly: false }),
    createContainerHooks: [],
    stateJson: stateOf(bundle, 'fail-test'),
  };
  const run = await runInNamespaces(plan, 'true');
  assert.equal(run.status, 97, 'setup exits 1, the shell reports it');
  const err = run.setupError as { name: string; stage: string; errno: number; message: string };
  assert.equal(err.name, 'ChildError');
  assert.equal(err.stage, 'setup');
  assert.equal(err.errno, 2);
  assert.match(err.message, /^error mounting "(.*missing)" to rootfs at "\/data": stat \1: no such file or directory$/);
  assert.deepEqual(hostMountsOf(bundle.dir), []);
});

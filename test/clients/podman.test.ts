// podman 4.3 + conmon with bin/runts as the OCI runtime (issue #7): run, exec, top,
// pause, stop, security and resource flags, the namespace/idmap/device/rlimit bundle
// features, a create that runts refuses, and runc (podman's default runtime) as the
// reference for credentials. One temp dir holds podman's storage (vfs, no daemon), the
// runtimes' --root and the event log; every scenario leaves no container, cgroup,
// runtime state or mount behind, and the last test proves the whole file left nothing.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildImage } from './support/image';
import { mountsUnder } from './support/daemon';
import {
  cgroupDirOf,
  createdOutside,
  destroyPodmanEnv,
  makePodmanEnv,
  podmanLeftovers,
  removeCreatedOutside,
  snapshotOutside,
  waitNoProcesses,
  type OutsideSnapshot,
  type PodmanCallOptions,
  type PodmanEnv,
  type PodmanResult,
} from './support/podman';
import { makeBundle, baseSpec } from '../support/bundle';
import { runts, tmpRoot } from '../support/runts';
import { requires } from '../support/requires';

const skip = requires('root', 'podman', 'busybox', 'runc');

let env: PodmanEnv | undefined;
let outside: OutsideSnapshot | undefined;
let image = '';

before(() => {
  if (skip !== false) return;
  outside = snapshotOutside();
  env = makePodmanEnv();
  const img = buildImage(fs.mkdtempSync(path.join(env.tmp, 'image-')));
  const load = env.podman(['load', '-i', img.tar]);
  assert.equal(load.status, 0, load.stderr);
  image = img.ref;
});

after(() => {
  if (env !== undefined) destroyPodmanEnv(env);
  if (outside !== undefined) removeCreatedOutside(outside);
});

function pm(args: readonly string[], opts?: PodmanCallOptions): PodmanResult {
  assert.ok(env !== undefined, 'podman env not set up');
  return env.podman(args, opts);
}

/** `podman run --rm --network none <flags> <image> <cmd...>` */
function runRm(flags: readonly string[], cmd: readonly string[], opts?: PodmanCallOptions): PodmanResult {
  return pm(['run', '--rm', '--network', 'none', ...flags, image, ...cmd], opts);
}

/** Starts a detached container named `name`; returns its id. Removed by t.after even on failure. */
function runDetached(t: TestContext, name: string, flags: readonly string[], cmd: readonly string[]): string {
  t.after(() => {
    pm(['rm', '-f', '-t', '0', name]);
  });
  const r = pm(['run', '-d', '--name', name, '--network', 'none', ...flags, image, ...cmd]);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  return id;
}

function inspect(name: string, format: string): string {
  const r = pm(['inspect', '-f', format, name]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function removeNow(name: string): void {
  const r = pm(['rm', '-f', '-t', '0', name]);
  assert.equal(r.status, 0, r.stderr);
}

async function assertClean(): Promise<void> {
  assert.ok(env !== undefined);
  assert.deepEqual(await waitNoProcesses(env), [], 'conmon or podman cleanup processes left');
  assert.deepEqual(podmanLeftovers(env), []);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('run: the container\'s output and exit code come back through conmon', { skip }, async () => {
  const r = runRm([], ['sh', '-c', 'echo hi; exit 4']);
  assert.equal(r.status, 4, r.stderr);
  assert.equal(r.stdout, 'hi\n');
  await assertClean();
});

test('run -d, exec (status, missing binary), top, pause/unpause (freezer)', { skip }, async (t) => {
  const id = runDetached(t, 'pm-exec', [], ['sleep', '1000']);
  // podman's calls reach runts with our --root (the wrapper), not runts' default root.
  assert.ok(fs.existsSync(path.join(env!.runtsRoot, id, 'state.json')), 'runts state under the given --root');
  assert.ok(!fs.existsSync(path.join('/run/runts', id)), 'no state under /run/runts');

  const ex = pm(['exec', 'pm-exec', 'sh', '-c', 'echo ex; exit 5']);
  assert.equal(ex.status, 5, ex.stderr);
  assert.equal(ex.stdout, 'ex\n');

  const missing = pm(['exec', 'pm-exec', 'nosuchbin']);
  assert.equal(missing.status, 127, missing.stderr);
  assert.match(missing.stderr, /executable file not found/);

  const top = pm(['top', 'pm-exec']);
  assert.equal(top.status, 0, top.stderr);
  assert.match(top.stdout, /^\S+\s+1\s+0\s+.*sleep 1000\s*$/m);

  const pid = Number(inspect('pm-exec', '{{.State.Pid}}'));
  assert.ok(pid > 0);
  const freezer = cgroupDirOf(pid, 'freezer');
  assert.ok(path.basename(freezer.dir).includes(id), `cgroup ${freezer.dir} named after the container`);
  const freezerState = (): string =>
    freezer.v2 ? (fs.readFileSync(path.join(freezer.dir, 'cgroup.freeze'), 'utf8').trim() === '1' ? 'FROZEN' : 'THAWED') : fs.readFileSync(path.join(freezer.dir, 'freezer.state'), 'utf8').trim();

  assert.equal(pm(['pause', 'pm-exec']).status, 0);
  assert.equal(inspect('pm-exec', '{{.State.Status}}'), 'paused');
  assert.equal(freezerState(), 'FROZEN');
  const st = runts(['state', id], { root: env!.runtsRoot });
  assert.equal(st.status, 0, st.stderr);
  assert.equal((JSON.parse(st.stdout) as { status: string }).status, 'paused');

  assert.equal(pm(['unpause', 'pm-exec']).status, 0);
  assert.equal(inspect('pm-exec', '{{.State.Status}}'), 'running');
  assert.equal(freezerState(), 'THAWED');
  const again = pm(['exec', 'pm-exec', 'echo', 'alive']);
  assert.equal(again.stdout, 'alive\n', again.stderr);

  removeNow('pm-exec');
  await assertClean();
});

test('stop: SIGTERM reaches the container process, which exits 0 well before the timeout', { skip }, async (t) => {
  runDetached(t, 'pm-stop', [], ['sh', '-c', 'trap "exit 0" TERM; touch /tmp/ready; while :; do sleep 0.1; done']);
  // The trap must be in place before the signal: PID 1 ignores an unhandled SIGTERM.
  await until('the trap', () => pm(['exec', 'pm-stop', 'test', '-f', '/tmp/ready']).status === 0);
  const started = Date.now();
  const stop = pm(['stop', '-t', '30', 'pm-stop']);
  const took = Date.now() - started;
  assert.equal(stop.status, 0, stop.stderr);
  assert.ok(took < 10_000, `stop took ${took} ms: SIGTERM did not end the container`);
  assert.equal(inspect('pm-stop', '{{.State.Status}}'), 'exited');
  assert.equal(inspect('pm-stop', '{{.State.ExitCode}}'), '0');
  removeNow('pm-stop');
  await assertClean();
});

test('--user, --cap-drop ALL, --read-only (tmpfs /tmp with tmpcopyup), -t', { skip }, async () => {
  const user = runRm(['--user', '1000:1000'], ['id']);
  assert.equal(user.status, 0, user.stderr);
  assert.equal(user.stdout, 'uid=1000(user) gid=1000(user) groups=1000(user)\n');

  const caps = runRm(['--cap-drop', 'ALL'], ['grep', '^Cap', '/proc/self/status']);
  assert.equal(caps.status, 0, caps.stderr);
  assert.deepEqual(
    caps.stdout.split('\n').filter((l) => l !== ''),
    ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'].map((c) => `${c}:\t0000000000000000`),
  );

  const ro = runRm(
    ['--read-only'],
    ['sh', '-c', 'if touch /probe 2>/dev/null; then echo root-writable; else echo root-ro; fi; cat /tmp/image-marker; echo w > /tmp/w && cat /tmp/w; grep " /tmp " /proc/mounts | cut -d" " -f3'],
  );
  assert.equal(ro.status, 0, ro.stderr);
  // image-marker comes from the image's /tmp: podman asks for tmpcopyup on the tmpfs.
  assert.equal(ro.stdout, 'root-ro\nrunts-busybox\nw\ntmpfs\n');

  const tty = runRm(['-t'], ['sh', '-c', 'tty; test -t 0 && echo in-tty; test -t 1 && echo out-tty']);
  assert.equal(tty.status, 0, tty.stderr);
  assert.match(tty.stdout, /^\/dev\/pts\/\d+\r\nin-tty\r\nout-tty\r\n$/);
  await assertClean();
});

test('--memory 64m and --pids-limit 50: in the container\'s cgroups, seen from the host and inside', { skip }, async (t) => {
  const id = runDetached(t, 'pm-res', ['--memory', '64m', '--pids-limit', '50'], ['sleep', '1000']);
  const pid = Number(inspect('pm-res', '{{.State.Pid}}'));
  const mem = cgroupDirOf(pid, 'memory');
  const pids = cgroupDirOf(pid, 'pids');
  for (const c of [mem, pids]) assert.ok(path.basename(c.dir).includes(id), `cgroup ${c.dir} named after the container`);
  const memFile = mem.v2 ? 'memory.max' : 'memory.limit_in_bytes';
  assert.equal(fs.readFileSync(path.join(mem.dir, memFile), 'utf8').trim(), String(64 * 1024 * 1024));
  assert.equal(fs.readFileSync(path.join(pids.dir, 'pids.max'), 'utf8').trim(), '50');

  // podman mounts the container's own cgroup at /sys/fs/cgroup inside.
  const inside = mem.v2 ? [`/sys/fs/cgroup/${memFile}`, '/sys/fs/cgroup/pids.max'] : [`/sys/fs/cgroup/memory/${memFile}`, '/sys/fs/cgroup/pids/pids.max'];
  const r = pm(['exec', 'pm-res', 'cat', ...inside]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${64 * 1024 * 1024}\n50\n`);
  removeNow('pm-res');
  await assertClean();
});

test('--pid container:<other>: the second container joins the first one\'s PID namespace by path', { skip }, async (t) => {
  runDetached(t, 'pm-pidns', [], ['sleep', '1000']);
  const pid = Number(inspect('pm-pidns', '{{.State.Pid}}'));
  const second = runDetached(t, 'pm-pidns2', ['--pid', 'container:pm-pidns'], ['sleep', '999']);
  // What podman hands runts: the namespace as a path, not a new one.
  const config = JSON.parse(fs.readFileSync(inspect('pm-pidns2', '{{.OCIConfigPath}}'), 'utf8')) as { linux?: { namespaces?: { type: string; path?: string }[] } };
  assert.deepEqual(config.linux?.namespaces?.find((n) => n.type === 'pid'), { type: 'pid', path: `/proc/${pid}/ns/pid` });
  assert.match(second, /^[0-9a-f]{64}$/);
  const pid2 = Number(inspect('pm-pidns2', '{{.State.Pid}}'));
  assert.equal(fs.readlinkSync(`/proc/${pid2}/ns/pid`), fs.readlinkSync(`/proc/${pid}/ns/pid`));
  const r = runRm(['--pid', 'container:pm-pidns'], ['sh', '-c', 'readlink /proc/self/ns/pid; ps -o pid,args']);
  assert.equal(r.status, 0, r.stderr);
  const [ns, , first] = r.stdout.split('\n');
  assert.equal(ns, fs.readlinkSync(`/proc/${pid}/ns/pid`));
  assert.match(first ?? '', /^\s*1\s+sleep 1000$/, r.stdout);
  assert.match(r.stdout, /^\s*\d+\s+sleep 999$/m, 'the second container is in the same PID namespace');
  removeNow('pm-pidns2');
  removeNow('pm-pidns');
  await assertClean();
});

test('--uidmap/--gidmap: a user namespace with podman\'s maps; root inside, 100000 outside', { skip }, async (t) => {
  runDetached(t, 'pm-userns', ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'], ['sleep', '1000']);
  type IdMap = { containerID: number; hostID: number; size: number };
  const config = JSON.parse(fs.readFileSync(inspect('pm-userns', '{{.OCIConfigPath}}'), 'utf8')) as {
    linux?: { namespaces?: { type: string; path?: string }[]; uidMappings?: IdMap[]; gidMappings?: IdMap[] };
  };
  assert.deepEqual(config.linux?.namespaces?.find((n) => n.type === 'user'), { type: 'user' });
  assert.deepEqual(config.linux?.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.deepEqual(config.linux?.gidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  const pid = Number(inspect('pm-userns', '{{.State.Pid}}'));
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, /^Uid:\s+100000\s+100000\s+100000\s+100000$/m);
  assert.match(status, /^Gid:\s+100000\s+100000\s+100000\s+100000$/m);
  assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/user`), fs.readlinkSync('/proc/self/ns/user'));
  const r = pm(['exec', 'pm-userns', 'sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.deepEqual(lines, ['0 100000 65536', '0 100000 65536', '0', '0', '']);
  removeNow('pm-userns');
  await assertClean();
});

test('-v SRC:DST:idmap in a user namespace: owners as on the host, a file made inside is the host\'s root\'s', { skip }, async (t) => {
  assert.ok(env !== undefined);
  const host = fs.mkdtempSync(path.join(env.tmp, 'idmap-'));
  fs.chmodSync(host, 0o755); // searchable by the unmapped ids of the plain mount
  t.after(() => fs.rmSync(host, { recursive: true, force: true }));
  fs.writeFileSync(path.join(host, 'root-owned'), 'x');
  fs.writeFileSync(path.join(host, 'user-owned'), 'x');
  fs.chownSync(path.join(host, 'user-owned'), 1000, 1000);
  const userns = ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'];
  // Without idmap the user namespace shows host ids it does not map as nobody (65534).
  const plain = runRm([...userns, '-v', `${host}:/data`], ['stat', '-c', '%n %u %g', '/data/root-owned', '/data/user-owned']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, '/data/root-owned 65534 65534\n/data/user-owned 65534 65534\n');
  // podman passes the container's maps with the idmap option: host 0 is container 0 there.
  const r = runRm([...userns, '-v', `${host}:/data:idmap`], ['sh', '-c', 'stat -c "%n %u %g" /data/root-owned /data/user-owned && touch /data/made-inside']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '/data/root-owned 0 0\n/data/user-owned 1000 1000\n');
  const made = fs.statSync(path.join(host, 'made-inside'));
  assert.deepEqual([made.uid, made.gid], [0, 0]);
  await assertClean();
});

test('--cgroupns private, --device, --ulimit', { skip }, async () => {
  const cg = runRm(['--cgroupns', 'private'], ['sh', '-c', 'readlink /proc/self/ns/cgroup; cat /proc/self/cgroup']);
  assert.equal(cg.status, 0, cg.stderr);
  const [ns, ...cgroups] = cg.stdout.split('\n').filter((l) => l !== '');
  assert.match(ns ?? '', /^cgroup:\[\d+\]$/);
  assert.notEqual(ns, fs.readlinkSync('/proc/self/ns/cgroup'));
  assert.ok(cgroups.length > 0);
  for (const l of cgroups) assert.match(l, /:\/$/, `inside a private cgroup ns every path is /: ${l}`);

  const dev = runRm(['--device', '/dev/null:/dev/mynull'], ['sh', '-c', 'stat -c "%F %t:%T" /dev/mynull; echo x > /dev/mynull && echo wrote; wc -c < /dev/mynull']);
  assert.equal(dev.status, 0, dev.stderr);
  assert.equal(dev.stdout.split('\n').map((l) => l.trim()).join('\n'), 'character special file 1:3\nwrote\n0\n');

  // An explicit --ulimit replaces containers.conf's list, and podman then asks for the
  // host maximum nproc, which this VM cannot grant (runc fails alike): cap it too.
  const ul = runRm(['--ulimit', 'nofile=512:512', '--ulimit', 'nproc=4096:4096'], ['sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -u']);
  assert.equal(ul.status, 0, ul.stderr);
  assert.equal(ul.stdout, '512\n512\n4096\n');
  await assertClean();
});

test('a create runts refuses: podman reports runts\' one error line, with runc\'s exit code', { skip }, async (t) => {
  // The same refusal straight from runts, as the reference text.
  const bundle = makeBundle({ spec: { ...baseSpec(), linux: { ...baseSpec().linux, sysctl: { 'net.core.nosuch': '1' } } } });
  t.after(() => bundle.remove());
  const root = tmpRoot(t);
  const direct = runts(['create', '--bundle', bundle.dir, 'pm-sysctl-ref'], { root: root.path, log: true });
  assert.equal(direct.status, 1, direct.stderr);
  const errors = direct.logLines.filter((l) => l.level === 'error');
  assert.equal(errors.length, 1, JSON.stringify(direct.logLines));
  const msg = errors[0]!.msg;
  assert.match(msg, /net[./]core[./]nosuch/);
  assert.deepEqual(fs.readdirSync(root.path), []);

  const viaRunc = runRm(['--sysctl', 'net.core.nosuch=1'], ['true'], { runtime: 'runc' });
  assert.notEqual(viaRunc.status, 0);

  // podman passes --log-format json --log <file> (runts is in runtime_supports_json) and
  // quotes the msg of the error line.
  const json = runRm(['--sysctl', 'net.core.nosuch=1'], ['true']);
  assert.equal(json.status, viaRunc.status, json.stderr);
  assert.ok(json.stderr.includes(msg), `podman's error should contain ${JSON.stringify(msg)}:\n${json.stderr}`);

  // Without JSON support podman shows runts' stderr line as it is.
  const text = runRm(['--sysctl', 'net.core.nosuch=1'], ['true'], { conf: env!.textConf });
  assert.equal(text.status, viaRunc.status, text.stderr);
  assert.ok(text.stderr.includes(msg), `podman's error should contain ${JSON.stringify(msg)}:\n${text.stderr}`);
  await assertClean();
});

test('runts and runc under podman: identical id and capability sets for the same flags', { skip }, async () => {
  const probe = ['sh', '-c', 'id; grep ^Cap /proc/self/status'];
  const flagSets: string[][] = [
    [],
    ['--user', '1000:1000'],
    ['--cap-drop', 'ALL', '--cap-add', 'CHOWN,NET_RAW'],
    ['--user', '1000:1000', '--cap-add', 'NET_ADMIN', '--group-add', '65534'],
  ];
  for (const flags of flagSets) {
    const a = runRm(flags, probe);
    const b = runRm(flags, probe, { runtime: 'runc' });
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.match(a.stdout, /^uid=/);
    assert.equal(a.stdout, b.stdout, `flags ${flags.join(' ')}`);
  }
  await assertClean();
});

test('teardown: no conmon, no mounts, nothing outside the temp dir, temp dir gone', { skip }, async () => {
  assert.ok(env !== undefined && outside !== undefined);
  const e = env;
  assert.deepEqual(await waitNoProcesses(e), [], 'conmon or podman processes left');
  assert.deepEqual(mountsUnder(e.tmp), []);
  assert.deepEqual(podmanLeftovers(e), []);
  destroyPodmanEnv(e);
  assert.ok(!fs.existsSync(e.tmp), `${e.tmp} removed`);
  const created = createdOutside(outside);
  removeCreatedOutside(outside);
  assert.deepEqual(createdOutside(outside), [], `podman created ${created.join(', ')} and they could not be removed`);
});

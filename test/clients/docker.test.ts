// dockerd 20.10 (through its own containerd and containerd-shim-runc-v2) driving
// bin/runts as `--runtime runts`: run, exec, stop, top, pause, failing entrypoints and
// creates, dockerd's own bundle (hooks, sysctls, masks, seccomp) and terminals. One
// daemon for the file; each scenario asserts it left nothing behind. Runs in: test.
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requires } from '../support/requires';
import { RUNTS_BIN, runts, tmpRoot } from '../support/runts';
import { makeBundle } from '../support/bundle';
import { tail } from './support/daemon';
import { startDocker, containerLeftovers, bundleDir, type DockerEnv, type DockerResult } from './support/docker';

const skip = requires('root', 'dockerd');

const crlf = (s: string): string => s.replace(/\r+\n/g, '\n');

/** Options every run gets: this VM has no network, and runts is the point. */
const RUN = ['--runtime', 'runts', '--network', 'none'] as const;

describe('docker with --runtime runts', { skip }, () => {
  let env: DockerEnv;
  let cidSeq = 0;

  before(async () => {
    env = await startDocker();
  });

  after(async () => {
    if (env === undefined) return;
    const problems = await env.teardown();
    assert.deepEqual(problems, [], 'dockerd teardown');
  });

  const ok = (r: DockerResult, what: string): string => {
    assert.equal(r.status, 0, `${what}: exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\ndockerd: ${tail(env.daemon.logFile, 10)}`);
    return r.stdout;
  };

  /** A cidfile path (docker refuses an existing one), so a failed run still names its id. */
  const cidFile = (): string => path.join(env.tmp, `cid-${++cidSeq}`);
  const readCid = (f: string): string => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim() : '');

  /** `docker rm -f` whatever a failed test left, so that the next scenario starts clean. */
  const cleanAfter = (t: TestContext, ids: () => string[]): void => {
    t.after(() => {
      const left = ids().filter((i) => i !== '');
      if (left.length > 0) env.docker(['rm', '-f', ...left]);
    });
  };
  const assertClean = async (id: string): Promise<void> => {
    assert.deepEqual(await containerLeftovers(env, id), [], `leftovers of ${id}`);
  };

  test('run: output and exit code come back through the shim', async (t) => {
    const cid = cidFile();
    cleanAfter(t, () => [readCid(cid)]);
    const r = env.docker(['run', '--rm', '--cidfile', cid, ...RUN, env.image, 'sh', '-c', 'echo hi; echo err >&2; exit 6']);
    assert.equal(r.status, 6, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.stderr, 'err\n');
    const id = readCid(cid);
    assert.match(id, /^[0-9a-f]{64}$/);
    await assertClean(id);
  });

  test('run -d, exec, top, pause/unpause, stop of a shell that traps TERM', async (t) => {
    const id = ok(env.docker(['run', '-d', ...RUN, env.image, 'sh', '-c', 'trap "echo got-term; exit 0" TERM; echo started; while true; do sleep 0.2; done']), 'run -d').trim();
    cleanAfter(t, () => [id]);
    assert.match(id, /^[0-9a-f]{64}$/);

    // The shim runs bin/runts with the --root dockerd chose: the one the checks look in.
    const opts = JSON.parse(fs.readFileSync(path.join(bundleDir(env, id), 'options.json'), 'utf8')) as { binary_name?: string; root?: string };
    assert.equal(opts.binary_name, RUNTS_BIN);
    assert.equal(path.join(opts.root ?? '', 'moby'), env.runtimeRoot);
    const state = JSON.parse(fs.readFileSync(path.join(env.runtimeRoot, id, 'state.json'), 'utf8')) as { id?: string; pid?: number; bundle?: string };

    const pid = Number(ok(env.docker(['inspect', '-f', '{{.State.Pid}}', id]), 'inspect').trim());
    assert.ok(pid > 0);
    assert.deepEqual({ id: state.id, pid: state.pid, bundle: state.bundle }, { id, pid, bundle: bundleDir(env, id) }, 'runts state under the shim --root');
    assert.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:/docker/${id}\\n`));

    const ex = env.docker(['exec', id, 'sh', '-c', 'echo in-exec; cat /proc/1/cmdline | tr "\\0" " "; echo; id -u; exit 4']);
    assert.equal(ex.status, 4, ex.stderr);
    assert.match(ex.stdout, /^in-exec\nsh -c trap .* \n0\n$/);
    const user = env.docker(['exec', '-u', '1000:1000', id, 'id']);
    assert.equal(user.stdout, 'uid=1000(user) gid=1000(user) groups=1000(user)\n', user.stderr);

    // docker top runs `runts ps --format json` and shows ps rows for those pids.
    const top = ok(env.docker(['top', id, '-o', 'pid,args']), 'top');
    const rows = top.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const topPids = rows.map((r) => Number(r[0]));
    assert.ok(topPids.includes(pid), `top lists PID 1 (${pid}):\n${top}`);
    for (const p of topPids) {
      let cg = '';
      try {
        cg = fs.readFileSync(`/proc/${p}/cgroup`, 'utf8');
      } catch {
        continue; // a `sleep 0.2` that just ended
      }
      assert.ok(cg.includes(`/docker/${id}`), `top pid ${p} is in the container's cgroup`);
    }

    const freezer = `/sys/fs/cgroup/freezer/docker/${id}/freezer.state`;
    ok(env.docker(['pause', id]), 'pause');
    assert.equal(fs.readFileSync(freezer, 'utf8').trim(), 'FROZEN');
    assert.match(ok(env.docker(['inspect', '-f', '{{.State.Status}}', id]), 'inspect'), /^paused$/m);
    ok(env.docker(['unpause', id]), 'unpause');
    assert.equal(fs.readFileSync(freezer, 'utf8').trim(), 'THAWED');
    assert.match(ok(env.docker(['exec', id, 'echo', 'alive']), 'exec after unpause'), /^alive$/m);

    const stop = env.docker(['stop', '-t', '30', id], { timeoutMs: 60_000 });
    assert.equal(stop.status, 0, stop.stderr);
    assert.ok(stop.ms < 10_000, `stop -t 30 took ${stop.ms} ms: SIGTERM did not reach the trap`);
    assert.equal(ok(env.docker(['inspect', '-f', '{{.State.ExitCode}}', id]), 'inspect').trim(), '0');
    assert.equal(ok(env.docker(['logs', id]), 'logs'), 'started\ngot-term\n');
    ok(env.docker(['rm', id]), 'rm');
    await assertClean(id);
  });

  test('failing entrypoints: missing binary is 127, a non-executable file is 126, with runc\'s words', async (t) => {
    const cids = [cidFile(), cidFile()];
    cleanAfter(t, () => cids.map(readCid));
    const missing = env.docker(['run', '--rm', '--cidfile', cids[0]!, ...RUN, env.image, 'no-such-binary']);
    assert.equal(missing.status, 127, missing.stderr);
    assert.match(missing.stderr, /OCI runtime create failed: .*exec: "no-such-binary": executable file not found in \$PATH/);
    await assertClean(readCid(cids[0]!));

    const noexec = env.docker(['run', '--rm', '--cidfile', cids[1]!, ...RUN, '--entrypoint', '/etc/passwd', env.image]);
    assert.equal(noexec.status, 126, noexec.stderr);
    assert.match(noexec.stderr, /OCI runtime create failed: .*exec: "\/etc\/passwd": permission denied/);
    await assertClean(readCid(cids[1]!));
  });

  test('a create runts refuses (unknown sysctl) reaches docker as runts\' own error line', async (t) => {
    const results: Record<string, DockerResult> = {};
    const cids: string[] = [];
    cleanAfter(t, () => cids.map(readCid));
    for (const rt of ['runts', 'runc']) {
      const cid = cidFile();
      cids.push(cid);
      results[rt] = env.docker(['run', '--rm', '--cidfile', cid, '--runtime', rt, '--network', 'none', '--sysctl', 'net.ipv4.nonexistent_key=1', env.image, 'true']);
      await assertClean(readCid(cid));
    }
    const r = results['runts']!;
    assert.equal(r.status, results['runc']!.status, `same exit code as runc: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /unable to retrieve OCI runtime error/);
    assert.match(r.stderr, /OCI runtime create failed: [^\n]*net[./]ipv4[./]nonexistent_key[^\n]*: no such file or directory: unknown/);

    // The shim quotes the last error line of runts' --log verbatim: the line runts
    // itself writes for the same config must be in docker's message.
    const bundle = makeBundle();
    t.after(() => bundle.remove());
    bundle.update((s) => {
      s.linux!.sysctl = { 'net.ipv4.nonexistent_key': '1' };
    });
    const root = tmpRoot(t);
    const direct = runts(['create', '--bundle', bundle.dir, 'docker-sysctl'], { root: root.path, log: true });
    assert.equal(direct.status, 1, direct.stderr);
    const line = direct.logLines.filter((l) => l.level === 'error').pop();
    assert.ok(line !== undefined, 'runts wrote an error line to --log');
    assert.ok(r.stderr.includes(`OCI runtime create failed: ${line.msg}: unknown`), `docker: ${r.stderr}\nruntslog: ${line.msg}`);
    assert.doesNotMatch(r.stderr, /runc create failed/);
  });

  test('dockerd\'s own bundle: setkey prestart hook, sysctls, masks, seccomp and caps as under runc', async (t) => {
    const id = ok(env.docker(['run', '-d', ...RUN, env.image, 'sleep', '300']), 'run -d').trim();
    cleanAfter(t, () => [id]);
    const spec = JSON.parse(fs.readFileSync(path.join(bundleDir(env, id), 'config.json'), 'utf8')) as {
      hooks?: { prestart?: { path: string; args?: string[] }[] };
      linux?: { sysctl?: Record<string, string>; maskedPaths?: string[]; readonlyPaths?: string[]; seccomp?: { defaultAction?: string; syscalls?: unknown[] } };
    };
    // Even with --network none dockerd 20.10 adds its libnetwork-setkey hook (the
    // sandbox still gets a netns): runts must run it, in the runtime namespace.
    const hook = spec.hooks?.prestart?.[0];
    assert.equal(hook?.path, `/proc/${env.daemon.pid}/exe`);
    assert.equal(hook?.args?.[0], 'libnetwork-setkey');
    assert.deepEqual(spec.linux?.sysctl, { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' });
    assert.ok((spec.linux?.maskedPaths ?? []).includes('/proc/kcore'));
    assert.ok((spec.linux?.readonlyPaths ?? []).includes('/proc/sys'));
    assert.equal(spec.linux?.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.ok((spec.linux?.seccomp?.syscalls ?? []).length > 10);

    // The hook ran: libnetwork bound the container's netns onto the sandbox key.
    const pid = Number(ok(env.docker(['inspect', '-f', '{{.State.Pid}}', id]), 'inspect').trim());
    const sandboxKey = ok(env.docker(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', id]), 'inspect').trim();
    assert.ok(sandboxKey.startsWith(env.execRoot), sandboxKey);
    assert.equal(fs.statSync(sandboxKey).ino, fs.statSync(`/proc/${pid}/ns/net`).ino, 'sandbox key is the container netns');
    ok(env.docker(['rm', '-f', id]), 'rm -f');
    await assertClean(id);

    // Same image, same flags, runc and runts: what the process sees must be identical.
    const probe = [
      'grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status',
      'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range',
      'for p in /proc/keys /proc/timer_list /proc/kcore /proc/acpi /sys/firmware; do [ -e $p ] && echo "$p $(ls -A $p 2>&1 | wc -l) $(cat $p 2>/dev/null | wc -c)"; done',
      'echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo proc-sys-writable || echo proc-sys-ro',
      'echo 1 > /proc/sysrq-trigger 2>/dev/null && echo sysrq-writable || echo sysrq-ro',
      'unshare -U true 2>/dev/null && echo unshare-allowed || echo unshare-denied',
      'awk \'{print $5, $6, $(NF-2)}\' /proc/self/mountinfo | sort',
      'ulimit -n; ulimit -u; umask; id; hostname | wc -c; pwd; cat /proc/self/oom_score_adj',
      'env | grep -v ^HOSTNAME= | sort',
      'ls -l /dev | awk \'{print $1, $3, $4, $5, $NF}\' | sort',
    ].join('; ');
    const out: Record<string, string> = {};
    for (const rt of ['runc', 'runts']) {
      const cid = cidFile();
      t.after(() => {
        const i = readCid(cid);
        if (i !== '') env.docker(['rm', '-f', i]);
      });
      const r = env.docker(['run', '--rm', '--cidfile', cid, '--runtime', rt, '--network', 'none', env.image, 'sh', '-c', probe]);
      assert.equal(r.status, 0, `${rt}: ${r.stderr}`);
      out[rt] = `${r.stdout}--- stderr\n${r.stderr}`;
      await assertClean(readCid(cid));
    }
    assert.match(out['runts']!, /^CapEff:\t00000000a80425fb$/m, 'docker\'s default capability set');
    assert.match(out['runts']!, /^Seccomp:\t2$/m);
    assert.equal(out['runts'], out['runc']);
  });

  test('terminals: run --rm -t and exec -t', async (t) => {
    const cid = cidFile();
    cleanAfter(t, () => [readCid(cid)]);
    const run = env.dockerTty(['run', '--rm', '-t', '--cidfile', cid, ...RUN, env.image, 'sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; exit 3']);
    assert.equal(run.status, 3, run.stdout + run.stderr);
    // Two terminals (the container's, then script's) each turn \n into \r\n.
    assert.match(crlf(run.stdout), /^\/dev\/pts\/0\nboth-tty\n/);
    await assertClean(readCid(cid));

    const id = ok(env.docker(['run', '-d', ...RUN, env.image, 'sleep', '300']), 'run -d').trim();
    cleanAfter(t, () => [id]);
    const ex = env.dockerTty(['exec', '-t', id, 'sh', '-c', 'tty; [ -t 1 ] && echo is-tty; exit 5']);
    assert.equal(ex.status, 5, ex.stdout + ex.stderr);
    assert.match(crlf(ex.stdout), /^\/dev\/pts\/\d+\nis-tty\n/);
    const plain = env.docker(['exec', id, 'sh', '-c', '[ -t 1 ] && echo tty || echo no-tty']);
    assert.equal(plain.stdout, 'no-tty\n');
    ok(env.docker(['rm', '-f', id]), 'rm -f');
    await assertClean(id);
  });
});

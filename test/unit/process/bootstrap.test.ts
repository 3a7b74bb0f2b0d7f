import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CLONE_NEW, encodeBootstrap, parseRecords, RecordWriter, type InitRequest } from '../../../src/process/bootstrap';
import * as P from '../../../src/process/proto';

function request(over: Partial<InitRequest> = {}): InitRequest {
  return {
    mode: 'create',
    cloneFlags: CLONE_NEW.pid | CLONE_NEW.mount,
    join: [
      { type: 'user', path: '/proc/1/ns/user' },
      { type: 'network', path: '/run/netns/x' },
    ],
    setup: { nodePath: '/usr/bin/node', script: '/opt/runts/setup.js', args: ['--plan', '3'], env: ['A=1'], socketFd: 9 },
    process: {
      args: ['sh', '-c', 'true'],
      env: ['PATH=/bin', 'TERM=xterm'],
      cwd: '/',
      uid: 1000,
      gid: 1001,
      additionalGids: [5, 6],
      umask: 0o22,
      rlimits: [{ resource: 7, soft: 1024n, hard: 0xffffffffffffffffn }],
      caps: { bounding: 1n << 40n, effective: 1n, permitted: 3n, inheritable: 0n, ambient: 0n },
      noNewPrivileges: true,
      keyringName: '_ses.abc',
      keyringPerm: 0x080000,
      preserveFds: 2,
    },
    execFifoPath: '/run/runts/abc/exec.fifo',
    startContainerHooks: [{ path: '/hook', args: [], env: ['X=y'], timeout: 5 }],
    stateJson: '{"id":"abc"}',
    ...over,
  };
}

const FDS = { execFifo: 7, setup: 8 };
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`);
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

test('records come out in a fixed order with the wire types of runts-proto.h', () => {
  const recs = parseRecords(encodeBootstrap(request(), FDS));
  assert.deepEqual(
    recs.map((r) => r.id),
    [
      P.ATTR_MODE, P.ATTR_CLONE_FLAGS, P.ATTR_NS_JOIN, P.ATTR_NS_JOIN,
      P.ATTR_SETUP_PATH, P.ATTR_SETUP_ARG, P.ATTR_SETUP_ARG, P.ATTR_SETUP_ARG, P.ATTR_SETUP_ARG, P.ATTR_SETUP_ENV, P.ATTR_SETUP_FD,
      P.ATTR_PROCESS_ARG, P.ATTR_PROCESS_ARG, P.ATTR_PROCESS_ARG, P.ATTR_PROCESS_ENV, P.ATTR_PROCESS_ENV,
      P.ATTR_PROCESS_CWD, P.ATTR_PROCESS_UID, P.ATTR_PROCESS_GID, P.ATTR_PROCESS_GIDS, P.ATTR_PROCESS_UMASK,
      P.ATTR_PROCESS_RLIMIT, P.ATTR_PROCESS_CAPS, P.ATTR_NO_NEW_PRIVS, P.ATTR_KEYRING_NAME, P.ATTR_KEYRING_PERM,
      P.ATTR_PRESERVE_FDS, P.ATTR_EXEC_FIFO_FD, P.ATTR_START_HOOK, P.ATTR_STATE_JSON,
    ],
  );
  const byId = (id: number): Buffer[] => recs.filter((r) => r.id === id).map((r) => r.payload);
  assert.deepEqual(byId(P.ATTR_MODE), [u32(P.RUNTS_MODE_CREATE)]);
  assert.deepEqual(byId(P.ATTR_CLONE_FLAGS), [u32(0x20020000)]);
  assert.deepEqual(byId(P.ATTR_NS_JOIN), [
    Buffer.concat([u32(0x10000000), cstr('/proc/1/ns/user')]),
    Buffer.concat([u32(0x40000000), cstr('/run/netns/x')]),
  ]);
  assert.deepEqual(byId(P.ATTR_SETUP_ARG), ['/usr/bin/node', '/opt/runts/setup.js', '--plan', '3'].map(cstr));
  assert.deepEqual(byId(P.ATTR_SETUP_FD), [u32(8)]);
  assert.deepEqual(byId(P.ATTR_EXEC_FIFO_FD), [u32(7)]);
  assert.deepEqual(byId(P.ATTR_PROCESS_GIDS), [Buffer.concat([u32(5), u32(6)])]);
  assert.deepEqual(byId(P.ATTR_PROCESS_UMASK), [u32(0o22)]);
  const rl = byId(P.ATTR_PROCESS_RLIMIT)[0];
  assert.ok(rl !== undefined);
  assert.equal(rl.length, 20);
  assert.equal(rl.readUInt32LE(0), 7);
  assert.equal(rl.readBigUInt64LE(4), 1024n);
  assert.equal(rl.readBigUInt64LE(12), 0xffffffffffffffffn);
  const caps = byId(P.ATTR_PROCESS_CAPS)[0];
  assert.ok(caps !== undefined);
  assert.deepEqual([0, 8, 16, 24, 32].map((o) => caps.readBigUInt64LE(o)), [1n << 40n, 1n, 3n, 0n, 0n]);
  assert.deepEqual(byId(P.ATTR_NO_NEW_PRIVS), [u32(1)]);
  assert.deepEqual(byId(P.ATTR_PRESERVE_FDS), [u32(2)]);
});

test('a startContainer hook is a nested record list, argv defaulting to its path', () => {
  const hook = parseRecords(encodeBootstrap(request(), FDS)).find((r) => r.id === P.ATTR_START_HOOK);
  assert.ok(hook !== undefined);
  assert.deepEqual(parseRecords(hook.payload), [
    { id: P.ATTR_HOOK_PATH, payload: cstr('/hook') },
    { id: P.ATTR_HOOK_ARG, payload: cstr('/hook') },
    { id: P.ATTR_HOOK_ENV, payload: cstr('X=y') },
    { id: P.ATTR_HOOK_TIMEOUT, payload: u32(5) },
  ]);
});

test('optional records are left out, and setgroups "deny" drops the group list', () => {
  const req = request({ idMaps: { uidMap: '0 1000 1\n', gidMap: '0 1000 1\n', setgroups: 'deny' } });
  delete req.process.umask;
  delete req.process.caps;
  delete req.process.keyringName;
  delete req.process.keyringPerm;
  delete req.startContainerHooks;
  delete req.stateJson;
  const ids = new Set(parseRecords(encodeBootstrap(req, FDS)).map((r) => r.id));
  for (const id of [P.ATTR_PROCESS_GIDS, P.ATTR_PROCESS_UMASK, P.ATTR_PROCESS_CAPS, P.ATTR_KEYRING_NAME, P.ATTR_KEYRING_PERM, P.ATTR_START_HOOK, P.ATTR_STATE_JSON, P.ATTR_TIMENS_OFFSETS]) {
    assert.equal(ids.has(id), false, `id ${id}`);
  }
  // The maps are written by the CLI, never sent.
  assert.equal([...ids].some((id) => id > 47), false);
});

test('values that do not fit their wire type are refused before anything is sent', () => {
  assert.throws(() => encodeBootstrap(request({ process: { ...request().process, env: ['A=\0'] } }), FDS), {
    message: 'bootstrap: process.env[0] contains a NUL byte',
  });
  assert.throws(() => encodeBootstrap(request({ process: { ...request().process, uid: -1 } }), FDS), {
    message: 'bootstrap: process.uid: -1 is not a u32',
  });
  assert.throws(() => encodeBootstrap(request({ process: { ...request().process, args: [] } }), FDS), {
    message: 'bootstrap: process.args is empty',
  });
  assert.throws(
    () => encodeBootstrap(request({ process: { ...request().process, rlimits: [{ resource: 1, soft: -1n, hard: 0n }] } }), FDS),
    { message: 'bootstrap: rlimits[0].soft: -1 is not a u64' },
  );
  assert.throws(() => encodeBootstrap(request({ startContainerHooks: [{ path: '/h', args: [], env: [], timeout: 0 }] }), FDS), {
    message: 'bootstrap: startContainer[0].timeout must be greater than zero',
  });
});

test('RecordWriter frames records as {u32 id, u32 len} + payload, without padding', () => {
  const buf = new RecordWriter().u32(1, 'a', 2).str(9, 'b', 'xy').toBuffer();
  assert.deepEqual(buf, Buffer.concat([u32(1), u32(4), u32(2), u32(9), u32(3), Buffer.from('xy\0')]));
  assert.throws(() => parseRecords(buf.subarray(0, buf.length - 1)), { message: /record 1: length 3 exceeds/ });
});

test('--no-pivot and the HOME slot travel as u32 records after the exec fifo fd', () => {
  const base = request();
  const req = request({ noPivot: true, process: { ...base.process, env: ['PATH=/bin', 'HOME='], homeEnvIndex: 1 } });
  const recs = parseRecords(encodeBootstrap(req, FDS));
  assert.deepEqual(recs.filter((r) => r.id === P.ATTR_NO_PIVOT).map((r) => r.payload), [u32(1)]);
  assert.deepEqual(recs.filter((r) => r.id === P.ATTR_PROCESS_HOME_ENV).map((r) => r.payload), [u32(1)]);
  // Off and absent are the same on the wire: nothing.
  const ids = new Set(parseRecords(encodeBootstrap(request({ noPivot: false }), FDS)).map((r) => r.id));
  assert.equal(ids.has(P.ATTR_NO_PIVOT), false);
  assert.equal(ids.has(P.ATTR_PROCESS_HOME_ENV), false);
  // The index must name a "HOME=" slot: init overwrites that entry.
  assert.throws(() => encodeBootstrap(request({ process: { ...base.process, homeEnvIndex: 0 } }), FDS), {
    message: 'bootstrap: process.env[0] is not "HOME="',
  });
});

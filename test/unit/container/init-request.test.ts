// buildInitRequest and toProcessEnv: the process decisions made for the native init,
// checked against what runc does for the same config. Pure; no root.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors';
import { buildInitRequest, sessionKeyringName, toProcessEnv, type InitRequestOptions } from '../../../src/container/init-request';
import { normalizeSpec } from '../../../src/spec/normalize';
import type { Spec } from '../../../src/spec/types';

function spec(mutate: (s: Spec) => void = () => undefined): Spec {
  const s: Spec = {
    ociVersion: '1.0.2',
    process: { user: { uid: 0, gid: 0 }, args: ['sh'], env: ['PATH=/bin'], cwd: '/' },
    root: { path: 'rootfs' },
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] },
  };
  mutate(s);
  return s;
}

const opts: InitRequestOptions = {
  mode: 'create',
  execFifoPath: '/run/x/exec.fifo',
  setupSocketFd: 9,
  noNewKeyring: false,
  noPivot: false,
  preserveFds: 0,
  stateJson: '{}',
};

const build = (s: Spec, o: Partial<InitRequestOptions> = {}) => buildInitRequest(normalizeSpec(s, '/b', 'ctr'), { ...opts, ...o });

test('env: a repeated name keeps its first place and takes its last value', () => {
  assert.deepEqual(toProcessEnv(['A=1', 'B=2', 'A=3', 'HOME=/h']), { env: ['A=3', 'B=2', 'HOME=/h'] });
  assert.deepEqual(toProcessEnv(['A=b=c', 'E=', 'HOME=/h']).env, ['A=b=c', 'E=', 'HOME=/h']);
});

test('env: a missing HOME gets a slot at the end, an empty one is filled in place', () => {
  assert.deepEqual(toProcessEnv(['PATH=/bin']), { env: ['PATH=/bin', 'HOME='], homeEnvIndex: 1 });
  assert.deepEqual(toProcessEnv(['HOME=', 'PATH=/bin']), { env: ['HOME=', 'PATH=/bin'], homeEnvIndex: 0 });
  assert.deepEqual(toProcessEnv([]), { env: ['HOME='], homeEnvIndex: 0 });
});

test('env: entries runc refuses are a ConfigError with runc\'s text and the pointer', () => {
  assert.throws(() => toProcessEnv(['A=1', 'NOEQ']), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message, 'invalid environment variable: "NOEQ"');
    assert.equal(e.pointer, '/process/env/1');
    return true;
  });
  assert.throws(() => toProcessEnv(['=x']), { message: 'environment variable name can\'t be empty: "=x"' });
});

test('no capabilities in the config means five empty sets, not "leave them alone"', () => {
  const req = build(spec((s) => delete s.process!.capabilities));
  assert.deepEqual(req.process.caps, { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n });
  const raw = build(spec((s) => (s.process!.capabilities = { bounding: ['CAP_NET_RAW'], ambient: ['CAP_KILL'] })));
  assert.equal(raw.process.caps?.bounding, 1n << 13n);
  assert.equal(raw.process.caps?.ambient, 1n << 5n);
});

test('session keyring: "_ses.<id>" with KEY_USR_SEARCH added, as runc; none with --no-new-keyring', () => {
  const req = build(spec());
  assert.equal(req.process.keyringName, '_ses.ctr');
  assert.equal(sessionKeyringName('ctr'), '_ses.ctr');
  assert.equal(req.process.keyringPerm, 0x080000);
  const none = build(spec(), { noNewKeyring: true });
  assert.equal(none.process.keyringName, undefined);
  assert.equal(none.process.keyringPerm, undefined);
});

test('umask: the config\'s, else 0022 (never the caller\'s); --no-pivot is passed on', () => {
  assert.equal(build(spec()).process.umask, 0o022);
  assert.equal(build(spec((s) => (s.process!.user.umask = 0o027))).process.umask, 0o027);
  assert.equal(build(spec()).noPivot, false);
  assert.equal(build(spec(), { noPivot: true }).noPivot, true);
});

test('the process env sent is the normalised one, with the HOME slot', () => {
  const req = build(spec((s) => (s.process!.env = ['PATH=/bin', 'PATH=/usr/bin'])));
  assert.deepEqual(req.process.env, ['PATH=/usr/bin', 'HOME=']);
  assert.equal(req.process.homeEnvIndex, 1);
});

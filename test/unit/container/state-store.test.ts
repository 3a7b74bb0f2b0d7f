import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExistsError, MSG, NotFoundError } from '../../../src/errors';
import { InvalidIdError } from '../../../src/container/id';
import {
  createStateDir,
  listIds,
  readState,
  removeStateDir,
  rfc3339Nano,
  stateDir,
  writeState,
  type ContainerState,
} from '../../../src/container/state-store';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-store-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sample(id: string, extra: Partial<ContainerState> = {}): ContainerState {
  return {
    ociVersion: '1.0.2-dev',
    id,
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: '2026-11-22T06:57:03.123456789Z',
    owner: '',
    annotations: {},
    pid: 0,
    initStartTime: 0,
    paused: false,
    cgroupPaths: {},
    config: null,
    ...extra,
  };
}

test('create, write, read, list and remove', (t) => {
  const base = tmp(t);
  const root = path.join(base, 'root');
  const dir = createStateDir(root, 'c1');
  assert.equal(dir, path.join(root, 'c1'));
  assert.equal(fs.statSync(root).mode & 0o777, 0o700);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  const s = sample('c1', { pid: 42, annotations: { a: 'b' }, config: { x: [1, 2] } });
  writeState(root, s);
  assert.deepEqual(readState(root, 'c1'), s);
  assert.equal(fs.statSync(path.join(dir, 'state.json')).mode & 0o777, 0o600);
  // nothing but state.json is left in the dir by the atomic write
  assert.deepEqual(fs.readdirSync(dir), ['state.json']);
  createStateDir(root, 'b2');
  fs.writeFileSync(path.join(root, 'not-a-dir'), '');
  assert.deepEqual(listIds(root), ['b2', 'c1']);
  removeStateDir(root, 'c1');
  assert.equal(fs.existsSync(dir), false);
  assert.deepEqual(listIds(root), ['b2']);
});

test('a second create of the same id fails with runc\'s text', (t) => {
  const root = tmp(t);
  createStateDir(root, 'dup');
  assert.throws(() => createStateDir(root, 'dup'), (e: unknown) => e instanceof ExistsError && e.message === MSG.exists);
});

test('reading a missing container is NotFoundError', (t) => {
  const root = tmp(t);
  assert.throws(() => readState(root, 'nope'), (e: unknown) => e instanceof NotFoundError && e.message === MSG.notExist);
  // a dir without state.json (a create in progress or one that crashed) is not a container yet
  createStateDir(root, 'half');
  assert.throws(() => readState(root, 'half'), NotFoundError);
  assert.throws(() => writeState(root, sample('gone')), NotFoundError);
});

test('a corrupt state file is an error naming the file', (t) => {
  const root = tmp(t);
  createStateDir(root, 'bad');
  fs.writeFileSync(path.join(root, 'bad', 'state.json'), '{"id":');
  assert.throws(() => readState(root, 'bad'), /state\.json is not valid JSON/);
  fs.writeFileSync(path.join(root, 'bad', 'state.json'), JSON.stringify({ ...sample('bad'), pid: 'x' }));
  assert.throws(() => readState(root, 'bad'), /field pid/);
  fs.writeFileSync(path.join(root, 'bad', 'state.json'), JSON.stringify(sample('other')));
  assert.throws(() => readState(root, 'bad'), /field id/);
});

test('a missing root lists as empty', () => {
  assert.deepEqual(listIds('/nonexistent/runts-root-for-test'), []);
});

for (const bad of ['a/b', '../x', '', '.', '..', 'a b', 'x\n']) {
  test(`invalid id ${JSON.stringify(bad)} is refused before touching the disk`, (t) => {
    const base = tmp(t);
    const root = path.join(base, 'root');
    const isInvalid = (e: unknown): boolean => e instanceof InvalidIdError && e.message === MSG.invalidId;
    assert.throws(() => stateDir(root, bad), isInvalid);
    assert.throws(() => createStateDir(root, bad), isInvalid);
    assert.throws(() => readState(root, bad), isInvalid);
    assert.throws(() => writeState(root, sample(bad)), isInvalid);
    assert.throws(() => removeStateDir(root, bad), isInvalid);
    assert.equal(fs.existsSync(root), false, 'the root dir must not even be created');
    assert.deepEqual(fs.readdirSync(base), []);
  });
}

test('removeStateDir with ../x does not remove the sibling', (t) => {
  const base = tmp(t);
  const root = path.join(base, 'root');
  fs.mkdirSync(path.join(base, 'x'));
  assert.throws(() => removeStateDir(root, '../x'), InvalidIdError);
  assert.ok(fs.existsSync(path.join(base, 'x')));
});

test('a reader never sees a partial file while another process writes in a loop', async (t) => {
  const root = tmp(t);
  createStateDir(root, 'race');
  // Big enough that a non-atomic write would be observed half done.
  const big = 'x'.repeat(256 * 1024);
  writeState(root, sample('race', { config: { big, n: -1 } }));
  const storeJs = require.resolve('../../../src/container/state-store');
  const script = `
    const s = require(${JSON.stringify(storeJs)});
    const base = JSON.parse(process.argv[1]);
    const big = 'x'.repeat(${big.length});
    for (let n = 0; n < 300; n++) s.writeState(${JSON.stringify(root)}, { ...base, config: { big, n } });
  `;
  const child = spawn(process.execPath, ['-e', script, JSON.stringify(sample('race'))], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { done = true; resolve(code); }));
  t.after(() => { if (!done) child.kill('SIGKILL'); });
  let reads = 0;
  const seen = new Set<number>();
  while (!done) {
    for (let i = 0; i < 20; i++) {
      const st = readState(root, 'race'); // throws on a partial file
      const cfg = st.config as { big: string; n: number };
      assert.equal(cfg.big.length, big.length);
      seen.add(cfg.n);
      reads++;
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await exited, 0, stderr);
  assert.ok(reads > 20, `only ${reads} reads`);
  assert.ok(seen.size > 1, 'the reader must have seen several versions');
  assert.deepEqual(fs.readdirSync(path.join(root, 'race')), ['state.json'], 'no temp files left');
});

test('rfc3339Nano trims trailing zeros like Go', () => {
  const base = BigInt(Date.UTC(2026, 10, 22, 6, 57, 3)) * 1_000_000n;
  assert.equal(rfc3339Nano(base + 123456789n), '2026-11-22T06:57:03.123456789Z');
  assert.equal(rfc3339Nano(base + 120000000n), '2026-11-22T06:57:03.12Z');
  assert.equal(rfc3339Nano(base + 1n), '2026-11-22T06:57:03.000000001Z');
  assert.equal(rfc3339Nano(base), '2026-11-22T06:57:03Z');
});

// Expected strings were captured from Debian's runc 1.1.5 (`runc state`, `runc list`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  goMarshal,
  renderListJson,
  renderListQuiet,
  renderListTable,
  renderState,
  tabwrite,
  toStateOutput,
  type ContainerStateOutput,
} from '../../../src/cli/output';

const x: ContainerStateOutput = {
  ociVersion: '1.0.2-dev',
  id: 'x',
  pid: 4938,
  status: 'created',
  bundle: '/tmp/rb',
  rootfs: '/tmp/rb/rootfs',
  created: '2026-11-23T21:57:28.008648574Z',
  annotations: { 'org.example.a': '1', b: 'two' },
  owner: '',
};

test('state: MarshalIndent with two spaces, annotations sorted before owner, no trailing newline', () => {
  assert.equal(
    renderState(x),
    `{
  "ociVersion": "1.0.2-dev",
  "id": "x",
  "pid": 4938,
  "status": "created",
  "bundle": "/tmp/rb",
  "rootfs": "/tmp/rb/rootfs",
  "created": "2026-11-23T21:57:28.008648574Z",
  "annotations": {
    "b": "two",
    "org.example.a": "1"
  },
  "owner": ""
}`,
  );
});

test('state: no annotations key when there are none', () => {
  const { annotations: _a, ...rest } = x;
  const out = renderState({ ...rest, pid: 0, status: 'stopped' });
  assert.equal(
    out,
    '{\n  "ociVersion": "1.0.2-dev",\n  "id": "x",\n  "pid": 0,\n  "status": "stopped",\n  "bundle": "/tmp/rb",\n' +
      '  "rootfs": "/tmp/rb/rootfs",\n  "created": "2026-11-23T21:57:28.008648574Z",\n  "owner": ""\n}',
  );
  assert.ok(!renderState({ ...x, annotations: {} }).includes('annotations'));
});

const long: ContainerStateOutput = {
  ociVersion: '1.0.2-dev',
  id: 'a-much-longer-container-id',
  pid: 10051,
  status: 'created',
  bundle: '/tmp/runts-capture-long-bundle-name',
  rootfs: '/tmp/runts-capture-long-bundle-name/rootfs',
  created: '2026-11-23T22:02:56.005269476Z',
  annotations: { '10': 'a<b>&c', '2': 'x\u2028y\bz\fq\\b', '1': 'é' },
  owner: 'root',
};

test('state: Go escaping and byte-order map keys (numeric-looking keys too)', () => {
  assert.equal(
    renderState({ ...long, owner: '' }),
    `{
  "ociVersion": "1.0.2-dev",
  "id": "a-much-longer-container-id",
  "pid": 10051,
  "status": "created",
  "bundle": "/tmp/runts-capture-long-bundle-name",
  "rootfs": "/tmp/runts-capture-long-bundle-name/rootfs",
  "created": "2026-11-23T22:02:56.005269476Z",
  "annotations": {
    "1": "é",
    "10": "a\\u003cb\\u003e\\u0026c",
    "2": "x\\u2028y\\u0008z\\u000cq\\\\b"
  },
  "owner": ""
}`,
  );
});

test('list table: tabwriter columns', () => {
  assert.equal(
    renderListTable([{ ...x, owner: 'root' }]),
    'ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n' +
      'x           4938        created     /tmp/rb     2026-11-23T21:57:28.008648574Z   root\n',
  );
  assert.equal(
    renderListTable([long]),
    'ID                           PID         STATUS      BUNDLE                                CREATED                          OWNER\n' +
      'a-much-longer-container-id   10051       created     /tmp/runts-capture-long-bundle-name   2026-11-23T22:02:56.005269476Z   root\n',
  );
  assert.equal(
    renderListTable([
      { ...x, id: 'y', pid: 5234, status: 'running', created: '2026-11-23T21:57:48.083370739Z', owner: 'root' },
      { ...x, id: 'z', pid: 5323, status: 'created', created: '2026-11-23T21:57:48.324490273Z', owner: 'root' },
    ]),
    'ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n' +
      'y           5234        running     /tmp/rb     2026-11-23T21:57:48.083370739Z   root\n' +
      'z           5323        created     /tmp/rb     2026-11-23T21:57:48.324490273Z   root\n',
  );
});

test('list table: empty list is the header alone', () => {
  assert.equal(renderListTable([]), 'ID          PID         STATUS      BUNDLE      CREATED     OWNER\n');
});

test('list json: Encoder output with a newline; empty is null', () => {
  assert.equal(renderListJson([]), 'null\n');
  assert.equal(
    renderListJson([long]),
    '[{"ociVersion":"1.0.2-dev","id":"a-much-longer-container-id","pid":10051,"status":"created",' +
      '"bundle":"/tmp/runts-capture-long-bundle-name","rootfs":"/tmp/runts-capture-long-bundle-name/rootfs",' +
      '"created":"2026-11-23T22:02:56.005269476Z","annotations":{"1":"é","10":"a\\u003cb\\u003e\\u0026c",' +
      '"2":"x\\u2028y\\u0008z\\u000cq\\\\b"},"owner":"root"}]\n',
  );
});

test('list quiet: one id per line', () => {
  assert.equal(renderListQuiet([]), '');
  assert.equal(renderListQuiet([x, long]), 'x\na-much-longer-container-id\n');
});

test('goMarshal: empty containers, nesting, numbers', () => {
  assert.equal(goMarshal(new Map()), '{}');
  assert.equal(goMarshal([], '  '), '[]');
  assert.equal(goMarshal(new Map<string, never>([['a', [1, true, null] as never]]), '\t'), '{\n\t"a": [\n\t\t1,\n\t\ttrue,\n\t\tnull\n\t]\n}');
});

test('tabwrite counts code points, not bytes', () => {
  assert.equal(tabwrite([['é', 'b']], 1, 1), 'é b\n');
});

test('toStateOutput: pid 0 when stopped, annotations only when present', () => {
  const s = { ociVersion: 'v', id: 'i', pid: 7, bundle: '/b', rootfs: '/r', created: 'c', annotations: {} };
  assert.deepEqual(toStateOutput(s, 'stopped', ''), {
    ociVersion: 'v', id: 'i', pid: 0, status: 'stopped', bundle: '/b', rootfs: '/r', created: 'c', owner: '',
  });
  assert.equal(toStateOutput(s, 'running', 'root').pid, 7);
  assert.deepEqual(toStateOutput({ ...s, annotations: { a: 'b' } }, 'running', '').annotations, { a: 'b' });
});

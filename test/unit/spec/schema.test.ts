// Tests src/spec/schema.ts and schemas/config.schema.json: good configs pass, each bad
// fixture yields exactly one finding at the expected pointer, extensions are allowed,
// and ajv's errors become readable findings.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv';
import { PATTERN_WORDS, schemaFindings, toFindings, valueAt } from '../../../src/spec/schema';
import { SPEC_VERSION } from '../../../src/spec/types';
import type { Finding } from '../../../src/spec/finding';

/** The checkout root: tests run from dist/test/unit/spec, fixtures stay in test/. */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

const ROOT = repoRoot();
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spec');

function fixture(kind: 'good' | 'bad', name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, kind, name), 'utf8')) as unknown;
}

function runcSpec(): Record<string, unknown> {
  return fixture('good', 'runc-spec.json') as Record<string, unknown>;
}

test('good fixtures produce no findings', () => {
  const names = fs.readdirSync(path.join(FIXTURES, 'good')).filter((n) => n.endsWith('.json'));
  for (const required of ['runc-spec.json', 'runc-spec-rootless.json', 'full.json']) assert.ok(names.includes(required), required);
  for (const name of names) assert.deepEqual(schemaFindings(fixture('good', name)), [], name);
});

/** Each bad fixture breaks one thing; the finding must name exactly that field. */
const BAD: Record<string, { pointer: string; message?: string; expected?: string; found?: string }> = {
  'schema-annotation-key-escaped.json': { pointer: '/annotations/a~1b~0c', message: 'wrong type', expected: 'type string', found: 'true' },
  'schema-annotation-value-type.json': { pointer: '/annotations/com.example.count' },
  'schema-annotations-type.json': { pointer: '/annotations', expected: 'type object' },
  'schema-args-item-type.json': { pointer: '/process/args/1', found: '1' },
  'schema-blkio-weight-range.json': { pointer: '/linux/resources/blockIO/weight', message: 'number out of range', expected: 'a number <= 65535' },
  'schema-capabilities-type.json': { pointer: '/process/capabilities/bounding', expected: 'type array' },
  'schema-cgroup-device-access-pattern.json': { pointer: '/linux/resources/devices/0/access', message: 'invalid device access' },
  'schema-cgroup-device-allow-missing.json': { pointer: '/linux/resources/devices/0/allow', message: 'required field is missing' },
  'schema-cpu-affinity-pattern.json': { pointer: '/process/execCPUAffinity/initial', found: '"a-b"' },
  'schema-device-path-missing.json': { pointer: '/linux/devices/0/path', message: 'required field is missing' },
  'schema-device-type-enum.json': { pointer: '/linux/devices/0/type', expected: 'one of "c", "b", "u", "p"', found: '"x"' },
  'schema-env-type.json': { pointer: '/process/env' },
  'schema-hook-path-missing.json': { pointer: '/hooks/poststop/0/path', message: 'required field is missing' },
  'schema-hook-path-relative.json': { pointer: '/hooks/prestart/0/path', message: 'path must be absolute', found: '"bin/hook"' },
  'schema-hook-timeout-zero.json': { pointer: '/hooks/createRuntime/0/timeout', expected: 'a number >= 1', found: '0' },
  'schema-hooks-kind-type.json': { pointer: '/hooks/poststart', expected: 'type array' },
  'schema-hostname-type.json': { pointer: '/hostname', message: 'wrong type', expected: 'type string', found: '7' },
  'schema-hugepage-limit-missing.json': { pointer: '/linux/resources/hugepageLimits/0/limit' },
  'schema-idmapping-size-missing.json': { pointer: '/linux/uidMappings/0/size', message: 'required field is missing' },
  'schema-ioprio-class-enum.json': { pointer: '/process/ioPriority/class' },
  'schema-linux-type.json': { pointer: '/linux', expected: 'type object', found: '[]' },
  'schema-memory-limit-type.json': { pointer: '/linux/resources/memory/limit', expected: 'type integer', found: '"1G"' },
  'schema-memory-policy-mode-missing.json': { pointer: '/linux/memoryPolicy/mode' },
  'schema-mount-destination-missing.json': { pointer: '/mounts/2/destination', message: 'required field is missing' },
  'schema-mount-idmap-hostid-type.json': { pointer: '/mounts/0/uidMappings/0/hostID' },
  'schema-mount-options-type.json': { pointer: '/mounts/1/options', found: '"ro"' },
  'schema-mounts-type.json': { pointer: '/mounts', expected: 'type array' },
  'schema-namespace-type-enum.json': {
    pointer: '/linux/namespaces/1/type',
    message: 'value is not one of the allowed values',
    expected: 'one of "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"',
    found: '"net"',
  },
  'schema-namespace-type-missing.json': { pointer: '/linux/namespaces/0/type', message: 'required field is missing' },
  'schema-ociversion-missing.json': { pointer: '/ociVersion', message: 'required field is missing' },
  'schema-ociversion-pattern.json': { pointer: '/ociVersion', message: 'invalid ociVersion', found: '"latest"' },
  'schema-ociversion-type.json': { pointer: '/ociVersion', expected: 'type string', found: '1' },
  'schema-oomscoreadj-float.json': { pointer: '/process/oomScoreAdj', expected: 'type integer', found: '1.5' },
  'schema-oomscoreadj-range.json': { pointer: '/process/oomScoreAdj', expected: 'a number <= 1000', found: '1001' },
  'schema-personality-domain-enum.json': { pointer: '/linux/personality/domain' },
  'schema-process-cwd-missing.json': { pointer: '/process/cwd', message: 'required field is missing' },
  'schema-process-user-missing.json': { pointer: '/process/user', message: 'required field is missing' },
  'schema-rlimit-soft-missing.json': { pointer: '/process/rlimits/0/soft' },
  'schema-rlimit-type-pattern.json': { pointer: '/process/rlimits/0/type', message: 'invalid rlimit type' },
  'schema-root-not-object.json': { pointer: '/root', expected: 'type object', found: '"rootfs"' },
  'schema-root-path-missing.json': { pointer: '/root/path', message: 'required field is missing' },
  'schema-rootfspropagation-enum.json': { pointer: '/linux/rootfsPropagation', found: '"recursive"' },
  'schema-scheduler-policy-enum.json': { pointer: '/process/scheduler/policy', found: '"SCHED_NORMAL"' },
  'schema-seccomp-action-enum.json': { pointer: '/linux/seccomp/syscalls/0/action', found: '"SCMP_ACT_DENY"' },
  'schema-seccomp-arch-enum.json': { pointer: '/linux/seccomp/architectures/0' },
  'schema-seccomp-defaultaction-missing.json': { pointer: '/linux/seccomp/defaultAction' },
  'schema-seccomp-flag-enum.json': { pointer: '/linux/seccomp/flags/0' },
  'schema-seccomp-names-empty.json': { pointer: '/linux/seccomp/syscalls/0/names', message: 'too few items', expected: 'at least 1 item(s)' },
  'schema-seccomp-op-enum.json': { pointer: '/linux/seccomp/syscalls/0/args/0/op' },
  'schema-sysctl-value-type.json': { pointer: '/linux/sysctl/net.ipv4.ip_forward' },
  'schema-terminal-type.json': { pointer: '/process/terminal', expected: 'type boolean', found: '"yes"' },
  'schema-time-offset-secs-type.json': { pointer: '/linux/timeOffsets/monotonic/secs' },
  'schema-unified-value-type.json': { pointer: '/linux/resources/unified/memory.max' },
  'schema-user-additional-gid-type.json': { pointer: '/process/user/additionalGids/1' },
  'schema-user-gid-too-big.json': { pointer: '/process/user/gid', expected: 'a number <= 4294967295', found: '4294967296' },
  'schema-user-uid-missing.json': { pointer: '/process/user/uid', message: 'required field is missing' },
  'schema-user-uid-negative.json': { pointer: '/process/user/uid', message: 'number out of range', expected: 'a number >= 0', found: '-1' },
  'schema-user-uid-string.json': { pointer: '/process/user/uid', expected: 'type integer', found: '"0"' },
};

test('every bad schema fixture is listed, and every listed one exists', () => {
  const names = fs.readdirSync(path.join(FIXTURES, 'bad')).filter((n) => n.startsWith('schema-') && n.endsWith('.json'));
  assert.deepEqual(names.sort(), Object.keys(BAD).sort());
});

for (const [name, want] of Object.entries(BAD)) {
  test(`bad fixture ${name} -> ${want.pointer}`, () => {
    const findings = schemaFindings(fixture('bad', name));
    assert.equal(findings.length, 1, JSON.stringify(findings));
    const f = findings[0] as Finding;
    assert.equal(f.pointer, want.pointer);
    assert.equal(f.rule, 'schema');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^[a-z].*[^.]$/);
    if (want.message !== undefined) assert.equal(f.message, want.message);
    if (want.expected !== undefined) assert.equal(f.expected, want.expected);
    if (want.found !== undefined) assert.equal(f.found, want.found);
    if (f.message === 'required field is missing') assert.equal(f.found, undefined);
  });
}

test('unknown fields anywhere and unknown annotations are allowed', () => {
  const c = runcSpec() as {
    process: Record<string, unknown> & { user: Record<string, unknown> };
    linux: Record<string, unknown> & { namespaces: Record<string, unknown>[]; resources: Record<string, unknown> };
    mounts: Record<string, unknown>[];
    [k: string]: unknown;
  };
  c['x-vendor'] = { anything: [1, { nested: true }] };
  c['windows'] = { layerFolders: ['C:\\layers'] };
  c['annotations'] = {
    'com.example.whatever': 'x',
    'org.opencontainers.image.os': 'linux',
    'io.kubernetes.cri.sandbox-id': 'abc',
    '': 'empty key',
    'a/b~c': '',
  };
  c.process['futureField'] = { x: 1 };
  c.process.user['sid'] = 'S-1-5';
  c.linux['futureLinuxField'] = 42;
  c.linux.namespaces[0] = { type: 'pid', futureFlag: true };
  c.linux.resources['futureController'] = { max: 'max' };
  c.mounts[0] = { ...c.mounts[0], futureMountField: 'x' };
  c['hooks'] = { prestart: [{ path: '/bin/true', extra: 1 }], futureHookKind: [{ path: 'relative is fine here' }] };
  assert.deepEqual(schemaFindings(c), []);
});

test('the minimal valid config is just ociVersion', () => {
  assert.deepEqual(schemaFindings({ ociVersion: '1.3.0' }), []);
  assert.deepEqual(schemaFindings({ ociVersion: '1.0.0-rc5+dev.1' }), []);
});

test('several problems are all reported, one finding per pointer', () => {
  const c = runcSpec() as { process: { user: Record<string, unknown>; cwd?: string }; [k: string]: unknown };
  c['ociVersion'] = 2;
  c.process.user['uid'] = -5;
  delete c.process.cwd;
  const findings = schemaFindings(c);
  assert.deepEqual(
    findings.map((f) => f.pointer).sort(),
    ['/ociVersion', '/process/cwd', '/process/user/uid'],
  );
});

test('non-object documents are rejected at the root', () => {
  const [f] = schemaFindings([]);
  assert.equal(f?.pointer, '');
  assert.equal(f?.expected, 'type object');
});

test('found values are shortened', () => {
  const c = runcSpec();
  c['hostname'] = { long: 'x'.repeat(500) };
  const [f] = schemaFindings(c);
  assert.equal(f?.pointer, '/hostname');
  assert.ok(f?.found !== undefined && f.found.length <= 60 && f.found.endsWith('…'), f?.found);
});

test('every pattern in the schema has plain words', () => {
  const patterns = new Set<string>();
  JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'config.schema.json'), 'utf8'), (key: string, v: unknown) => {
    if (key === 'pattern' && typeof v === 'string') patterns.add(v);
    return v;
  });
  assert.ok(patterns.size > 0);
  for (const p of patterns) assert.ok(PATTERN_WORDS.has(p), `no words for pattern ${p}`);
});

test('the schema and the generated validator record the spec version of types.ts', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'config.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(schema['x-spec-version'], SPEC_VERSION);
  assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
  const generated = require(path.join(ROOT, 'dist', 'validators', 'config.js')) as { specVersion?: string };
  assert.equal(generated.specVersion, SPEC_VERSION);
});

test('validating loads no ajv compiler (the schema is precompiled)', () => {
  const script = `
    const { schemaFindings } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'spec', 'schema.js'))});
    schemaFindings({ ociVersion: 1 });
    const ajv = Object.keys(require.cache).filter((k) => k.includes('/node_modules/ajv/') && !k.includes('/dist/runtime/'));
    process.stdout.write(JSON.stringify(ajv));`;
  const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
  assert.deepEqual(loaded, []);
});

test('valueAt follows RFC 6901 pointers', () => {
  const doc = { a: [{ 'b/c': 1, 'd~e': 2 }], '': 3 };
  assert.deepEqual(valueAt(doc, ''), { present: true, value: doc });
  assert.deepEqual(valueAt(doc, '/a/0/b~1c'), { present: true, value: 1 });
  assert.deepEqual(valueAt(doc, '/a/0/d~0e'), { present: true, value: 2 });
  assert.deepEqual(valueAt(doc, '/'), { present: true, value: 3 });
  assert.deepEqual(valueAt(doc, '/a/1'), { present: false });
  assert.deepEqual(valueAt(doc, '/a/x'), { present: false });
  assert.deepEqual(valueAt(doc, '/zzz'), { present: false });
});

// toFindings on schemas compiled here: the config schema avoids anyOf/oneOf, but the
// collapsing must work for the day it does not.
function findingsFor(schema: object, value: unknown): Finding[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.equal(validate(value), false);
  return toFindings(validate.errors ?? [], value);
}

const combined = {
  definitions: {
    Path: { type: 'object', required: ['path'], properties: { path: { type: 'string', pattern: '^/' } } },
  },
  type: 'object',
  properties: {
    hook: { anyOf: [{ type: 'string', pattern: '^/' }, { $ref: '#/definitions/Path' }] },
    limit: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
    mode: { anyOf: [{ enum: ['a', 'b'] }, { type: 'integer' }] },
    two: { oneOf: [{ type: 'integer' }, { type: 'number' }] },
  },
};

test('anyOf: the branch that got past its type check is reported', () => {
  assert.deepEqual(findingsFor(combined, { hook: { path: 'rel' } }), [
    { rule: 'schema', severity: 'error', pointer: '/hook/path', message: 'path must be absolute', expected: 'a path starting with "/"', found: '"rel"' },
  ]);
  assert.deepEqual(
    findingsFor(combined, { hook: {} }).map((f) => [f.pointer, f.message]),
    [['/hook/path', 'required field is missing']],
  );
  assert.deepEqual(
    findingsFor(combined, { hook: 'rel' }).map((f) => [f.pointer, f.message]),
    [['/hook', 'path must be absolute']],
  );
});

test('oneOf/anyOf where every branch rejects the type: one finding listing the choices', () => {
  assert.deepEqual(findingsFor(combined, { limit: 'x' }), [
    {
      rule: 'schema',
      severity: 'error',
      pointer: '/limit',
      message: 'value does not match any allowed shape',
      expected: 'type integer or type null',
      found: '"x"',
    },
  ]);
  const [f] = findingsFor(combined, { mode: 'c' });
  assert.equal(f?.pointer, '/mode');
  assert.equal(f?.expected, 'one of "a", "b" or type integer');
});

test('oneOf with a range failure reports the range, not the other branch', () => {
  assert.deepEqual(
    findingsFor(combined, { limit: -1 }).map((f) => [f.pointer, f.message, f.expected]),
    [['/limit', 'number out of range', 'a number >= 0']],
  );
});

test('oneOf matching several branches says so', () => {
  assert.deepEqual(
    findingsFor(combined, { two: 3 }).map((f) => [f.pointer, f.message]),
    [['/two', 'value matches more than one allowed shape']],
  );
});

test('several errors for one pointer collapse into one finding', () => {
  const schema = { type: 'object', properties: { s: { type: 'string', minLength: 3, pattern: '^x' } } };
  const findings = findingsFor(schema, { s: 'a' });
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.pointer, '/s');
});

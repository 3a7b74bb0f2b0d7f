// Unit tests for the validation pipeline: JSON -> schema -> semantic rules, and the
// single-error form create/run use.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors';
import { assertBundleValid, checkBundle } from '../../../src/spec/check';
import { baseSpec, makeBundle } from '../../support/bundle';

test('a good bundle: the spec, the absolute bundle, no findings', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  const r = checkBundle(b.dir, { systemdCgroup: false });
  assert.deepEqual(r.findings, []);
  assert.equal(r.bundle, b.dir);
  assert.equal(r.spec?.ociVersion, baseSpec().ociVersion);
});

test('a syntax error stops before the schema and the rules', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  b.writeRaw('{"ociVersion": "1.0.0",, }');
  const r = checkBundle(b.dir, { systemdCgroup: false });
  assert.equal(r.spec, undefined);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0]!.rule, 'json-syntax');
});

test('schema and semantic findings together; a field the schema rejected is not reported twice', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  b.update((s) => {
    s.linux!.namespaces!.push({ type: 'bogus' as 'pid' });
    s.process!.cwd = 'rel';
  });
  const r = checkBundle(b.dir, { systemdCgroup: false });
  const at = (p: string) => r.findings.filter((f) => f.pointer === p).map((f) => f.rule);
  assert.deepEqual(at('/linux/namespaces/5/type'), ['schema']);
  assert.deepEqual(at('/process/cwd'), ['process-cwd']);
});

test('host probes can be injected', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  b.update((s) => (s.linux!.namespaces![1] = { type: 'network', path: '/var/run/netns/x' }));
  const r = checkBundle(b.dir, { systemdCgroup: false, host: { namespaceTypeOf: () => 'network' } });
  assert.deepEqual(r.findings, []);
});

test('assertBundleValid: warnings returned, the first error thrown as a ConfigError', (t) => {
  const b = makeBundle({ emptyRootfs: true });
  t.after(() => b.remove());
  b.update((s) => (s.mounts![0]!.destination = 'proc'));
  const ok = assertBundleValid(b.dir, { systemdCgroup: false });
  assert.equal(ok.warnings.length, 1);
  assert.equal(ok.spec.mounts![0]!.destination, 'proc');
  b.update((s) => {
    s.process!.args = [];
    s.process!.cwd = 'rel';
  });
  assert.throws(
    () => assertBundleValid(b.dir, { systemdCgroup: false }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.pointer === '/process/args' &&
      e.message === '/process/args: args must not be empty (expected at least one argument, found [])',
  );
});

test('a missing bundle throws the bundle finding', () => {
  assert.throws(() => assertBundleValid('/does/not/exist/runts-bundle', { systemdCgroup: false }), (e: unknown) => e instanceof ConfigError && /chdir/.test(e.message));
});

// `runts spec` through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec, rootlessSpec } from '../../../src/spec/defaults';
import { runts } from '../../support/runts';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-spec-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('spec writes a tab-indented config.json into the bundle and refuses to overwrite it', (t) => {
  const dir = tmp(t);
  const r = runts(['spec', '--bundle', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const file = path.join(dir, 'config.json');
  assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(defaultSpec(), null, '\t'));
  const again = runts(['spec', '-b', dir]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /level=error msg="File config.json exists. Remove it first"\n$/);
  assert.equal(fs.readFileSync(file, 'utf8'), JSON.stringify(defaultSpec(), null, '\t'), 'left untouched');
});

test('spec without --bundle writes into the current directory; --rootless', (t) => {
  const dir = tmp(t);
  const r = runts(['spec', '--rootless'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'), JSON.stringify(rootlessSpec(), null, '\t'));
});

test('spec with a bundle that does not exist or is not a directory', (t) => {
  const dir = tmp(t);
  const missing = path.join(dir, 'nope');
  const r = runts(['spec', '-b', missing]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.endsWith(`msg="chdir ${missing}: no such file or directory"\n`), r.stderr);
  assert.equal(fs.existsSync(missing), false);
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, '');
  const r2 = runts(['spec', '-b', file]);
  assert.equal(r2.status, 1);
  assert.ok(r2.stderr.endsWith(`msg="chdir ${file}: not a directory"\n`), r2.stderr);
});

test('spec takes no arguments', () => {
  const r = runts(['spec', 'x']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /runts: \\"spec\\" requires exactly 0 argument\(s\)/);
});

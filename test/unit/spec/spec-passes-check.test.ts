import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkBundle } from '../../../src/spec/check';
import { defaultSpec, rootlessSpec } from '../../../src/spec/defaults';

for (const [name, make] of [['default', defaultSpec], ['rootless', () => rootlessSpec(1000, 1000)]] as const) {
  test(`the ${name} config from runts spec passes runts check`, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-spec-check-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'rootfs'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(make(), null, '\t'));
    const { findings } = checkBundle(dir, { systemdCgroup: false });
    assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  });
}

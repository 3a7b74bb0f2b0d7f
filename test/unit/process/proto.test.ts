// native/include/runts-proto.h and src/process/proto.ts must agree on every constant.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as proto from '../../../src/process/proto';

// dist/test/unit/process -> repository root
const HEADER = path.resolve(__dirname, '..', '..', '..', '..', 'native', 'include', 'runts-proto.h');

function headerDefines(): Map<string, number> {
  const text = fs.readFileSync(HEADER, 'utf8');
  const defs = new Map<string, number>();
  for (const m of text.matchAll(/^#define\s+([A-Z][A-Z0-9_]*)\s+(0x[0-9a-fA-F]+|\d+)\b/gm)) {
    const [, name, value] = m;
    if (name !== undefined && value !== undefined) defs.set(name, Number(value));
  }
  return defs;
}

function tsConstants(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(proto)) if (typeof v === 'number') out.set(k, v);
  return out;
}

test('every #define of runts-proto.h has the same value in proto.ts', () => {
  const defs = headerDefines();
  assert.ok(defs.size > 40, `parsed only ${defs.size} defines from ${HEADER}`);
  const ts = tsConstants();
  for (const [name, value] of defs) {
    assert.equal(ts.get(name), value, `${name}: header ${value}, proto.ts ${String(ts.get(name))}`);
  }
});

test('proto.ts has no constant the header lacks', () => {
  const defs = headerDefines();
  for (const name of tsConstants().keys()) assert.ok(defs.has(name), `${name} is not in runts-proto.h`);
});

test('message types and attribute ids are unique within their kind', () => {
  const defs = [...headerDefines()];
  for (const prefix of ['SYNC_', 'ATTR_']) {
    const values = defs.filter(([n]) => n.startsWith(prefix)).map(([, v]) => v);
    assert.equal(new Set(values).size, values.length, `${prefix}* values collide`);
  }
});

test('syncName names types the way the native side does', () => {
  assert.equal(proto.syncName(proto.SYNC_PID), 'SYNC_PID (67)');
  assert.equal(proto.syncName(12345), 'unknown (12345)');
  assert.equal(proto.stageName(proto.RUNTS_STAGE_CHILD), 'child');
});

// Tests src/spec/load.ts: bundle resolution and every way reading config.json can fail,
// with the line and column a person needs to find a JSON syntax error.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJson, positionOf, readConfig, resolveBundle, scanForSyntaxError } from '../../../src/spec/load';
import type { Finding } from '../../../src/spec/finding';

function tmpDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-load-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function bundleWith(t: { after: (fn: () => void) => void }, text: string): string {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'config.json'), text);
  return dir;
}

function onlyFinding(findings: Finding[]): Finding {
  assert.equal(findings.length, 1, JSON.stringify(findings));
  const f = findings[0];
  assert.ok(f !== undefined);
  return f;
}

test('resolveBundle defaults to the current directory', () => {
  assert.equal(resolveBundle(undefined), process.cwd());
  assert.equal(resolveBundle(''), process.cwd());
});

test('resolveBundle makes relative paths absolute without resolving symlinks', (t) => {
  const dir = tmpDir(t);
  fs.mkdirSync(path.join(dir, 'real'));
  fs.symlinkSync('real', path.join(dir, 'link'));
  assert.equal(resolveBundle(path.join(dir, 'link')), path.join(dir, 'link'));
  assert.equal(resolveBundle(path.join(dir, 'real', '..', 'link', '.')), path.join(dir, 'link'));
  assert.equal(resolveBundle('some/bundle'), path.join(process.cwd(), 'some', 'bundle'));
});

test('readConfig returns the parsed object with absolute paths', (t) => {
  const text = '{\n  "ociVersion": "1.0.2-dev",\n  "x-extension": [1, 2]\n}\n';
  const dir = bundleWith(t, text);
  const { loaded, findings } = readConfig(dir);
  assert.deepEqual(findings, []);
  assert.ok(loaded !== undefined);
  assert.equal(loaded.bundle, dir);
  assert.equal(loaded.path, path.join(dir, 'config.json'));
  assert.equal(loaded.text, text);
  assert.deepEqual(loaded.value, { ociVersion: '1.0.2-dev', 'x-extension': [1, 2] });
});

test('a missing bundle directory is a bundle finding in runc words', (t) => {
  const dir = path.join(tmpDir(t), 'nope');
  const { loaded, findings } = readConfig(dir);
  assert.equal(loaded, undefined);
  const f = onlyFinding(findings);
  assert.equal(f.rule, 'bundle');
  assert.equal(f.severity, 'error');
  assert.equal(f.pointer, '');
  assert.equal(f.message, `chdir ${dir}: no such file or directory`);
});

test('a bundle that is a file is a bundle finding', (t) => {
  const file = path.join(tmpDir(t), 'file');
  fs.writeFileSync(file, '{}');
  const f = onlyFinding(readConfig(file).findings);
  assert.equal(f.rule, 'bundle');
  assert.equal(f.message, `chdir ${file}: not a directory`);
});

test('a missing config.json is reported as runc reports it', (t) => {
  const f = onlyFinding(readConfig(tmpDir(t)).findings);
  assert.equal(f.rule, 'bundle');
  assert.equal(f.message, 'JSON specification file config.json not found');
});

test('an unreadable config.json is a bundle finding, not an exception', (t) => {
  const dir = tmpDir(t);
  fs.mkdirSync(path.join(dir, 'config.json'));
  const f = onlyFinding(readConfig(dir).findings);
  assert.equal(f.rule, 'bundle');
  assert.equal(f.message, `read ${path.join(dir, 'config.json')}: illegal operation on a directory`);
});

interface SyntaxCase {
  name: string;
  text: string;
  line: number;
  column: number;
  message: RegExp;
}

const syntaxCases: SyntaxCase[] = [
  {
    name: 'a comma where a key belongs',
    text: '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n',
    line: 3,
    column: 15,
    message: /^invalid JSON: expected property name or '\}'$/,
  },
  { name: 'an empty file', text: '', line: 1, column: 1, message: /^invalid JSON: unexpected end of JSON input$/ },
  { name: 'a truncated document', text: '{\n  "a": [1, 2', line: 2, column: 13, message: /^invalid JSON: / },
  { name: 'a misspelt literal (no position from V8)', text: '{\n  "a": tru\n}', line: 2, column: 11, message: /^invalid JSON: unexpected token '\\n'$/ },
  { name: 'a trailing comma in an array (no position from V8)', text: '{\n\t"a": [1,]\n}', line: 2, column: 10, message: /^invalid JSON: unexpected token '\]'$/ },
  { name: 'a trailing comma in an object', text: '{\n  "a": 1,\n}', line: 3, column: 1, message: /^invalid JSON: expected double-quoted property name$/ },
  { name: 'text after the document', text: '{"a":1}\n}', line: 2, column: 1, message: /^invalid JSON: unexpected non-whitespace character after JSON$/ },
  { name: 'a raw newline inside a string', text: '{"a":"x\ny"}', line: 1, column: 8, message: /^invalid JSON: bad control character in string literal$/ },
  { name: 'a missing colon', text: '{\r\n  "a" 1\r\n}', line: 2, column: 7, message: /^invalid JSON: expected ':' after property name$/ },
  { name: 'a byte order mark', text: '\uFEFF{}', line: 1, column: 1, message: /byte order mark/ },
];

for (const c of syntaxCases) {
  test(`JSON syntax error: ${c.name} -> line ${c.line}, column ${c.column}`, (t) => {
    const { loaded, findings } = readConfig(bundleWith(t, c.text));
    assert.equal(loaded, undefined);
    const f = onlyFinding(findings);
    assert.equal(f.rule, 'json-syntax');
    assert.equal(f.severity, 'error');
    assert.equal(f.pointer, '');
    assert.match(f.message, c.message);
    assert.deepEqual({ line: f.line, column: f.column }, { line: c.line, column: c.column });
  });
}

test('a top-level value that is not an object is reported where it starts', (t) => {
  for (const [text, line, column, found] of [
    ['[1]', 1, 1, '[1]'],
    ['\n\n  "config"\n', 3, 3, '"config"'],
    ['null', 1, 1, 'null'],
    ['42', 1, 1, '42'],
  ] as const) {
    const { loaded, findings } = readConfig(bundleWith(t, text));
    assert.equal(loaded, undefined, text);
    const f = onlyFinding(findings);
    assert.equal(f.rule, 'json-syntax');
    assert.equal(f.message, 'top-level value must be a JSON object');
    assert.equal(f.expected, 'type object');
    assert.equal(f.found, found);
    assert.deepEqual({ line: f.line, column: f.column }, { line, column }, text);
  }
});

test('positionOf counts 1-based lines and columns', () => {
  assert.deepEqual(positionOf('abc', 0), { line: 1, column: 1 });
  assert.deepEqual(positionOf('abc', 3), { line: 1, column: 4 });
  assert.deepEqual(positionOf('a\nbc\n', 3), { line: 2, column: 2 });
  assert.deepEqual(positionOf('a\nbc\n', 5), { line: 3, column: 1 });
  assert.deepEqual(positionOf('a', 99), { line: 1, column: 2 });
});

test('the fallback scanner agrees with V8 wherever V8 gives a position', () => {
  const broken = [
    '{"a":1,}',
    '{"a" 1}',
    '{"a":1}}',
    '{"a":"\\q"}',
    '{"a": 01}',
    '{"a":"x\ny"}',
    '{\n  "b": {,\n}',
    '{"a":[1,2,,3]}',
    '{"a":-}',
    '{"a":1.}',
    '{"a":"\\u12G4"}',
  ];
  for (const text of broken) {
    let v8: number | undefined;
    try {
      JSON.parse(text);
      assert.fail(`${text} parsed`);
    } catch (err) {
      const m = /at position (\d+)/.exec(err instanceof Error ? err.message : '');
      if (m !== null) v8 = Number(m[1]);
    }
    if (v8 !== undefined) assert.equal(scanForSyntaxError(text), v8, text);
  }
});

test('the fallback scanner accepts valid JSON', () => {
  for (const text of ['{}', ' [1, -2.5e+3, true, false, null, "a\\"b\\u00e9"] ', '{"a":{"b":[{}]}}', '"x"', '0']) {
    JSON.parse(text);
    assert.equal(scanForSyntaxError(text), text.length, text);
  }
});

test('parseJson returns the value for valid text', () => {
  assert.deepEqual(parseJson('{"a": [1]}'), { ok: true, value: { a: [1] } });
});

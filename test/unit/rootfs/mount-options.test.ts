import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knownMountOptions, parseMountOptions } from '../../../src/rootfs/mount-options';
import * as C from '../../../src/sys/constants';

test('runc-spec /dev options: flags, and the rest as fs data in order', () => {
  const o = parseMountOptions(['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
  assert.equal(o.flags, C.MS_NOSUID | C.MS_STRICTATIME);
  assert.equal(o.data, 'mode=755,size=65536k');
  assert.deepEqual(o.propagation, []);
  assert.equal(o.recAttr, undefined);
  assert.equal(o.tmpcopyup, false);
});

test('a later clearing option wins over an earlier setting one, and is remembered', () => {
  const o = parseMountOptions(['ro', 'nosuid', 'rw', 'suid', 'noexec']);
  assert.equal(o.flags, C.MS_NOEXEC);
  assert.equal(o.clearedFlags, C.MS_RDONLY | C.MS_NOSUID);
  const p = parseMountOptions(['rw', 'ro']);
  assert.equal(p.flags, C.MS_RDONLY);
  assert.equal(p.clearedFlags, 0);
});

test('bind and rbind', () => {
  assert.equal(parseMountOptions(['bind']).flags, C.MS_BIND);
  assert.equal(parseMountOptions(['rbind', 'ro']).flags, C.MS_BIND | C.MS_REC | C.MS_RDONLY);
});

test('propagation options are separate calls, in order', () => {
  const o = parseMountOptions(['rbind', 'rprivate', 'shared']);
  assert.deepEqual(o.propagation, [C.MS_PRIVATE | C.MS_REC, C.MS_SHARED]);
  assert.equal(o.flags, C.MS_BIND | C.MS_REC);
});

test('recursive attributes; atime ones also clear MOUNT_ATTR__ATIME', () => {
  const o = parseMountOptions(['rbind', 'rro', 'rnosuid', 'rnodev', 'rnoexec', 'rnosymfollow']);
  assert.deepEqual(o.recAttr, {
    attrSet: C.MOUNT_ATTR_RDONLY | C.MOUNT_ATTR_NOSUID | C.MOUNT_ATTR_NODEV | C.MOUNT_ATTR_NOEXEC | C.MOUNT_ATTR_NOSYMFOLLOW,
    attrClr: 0,
  });
  assert.deepEqual(parseMountOptions(['rnoatime']).recAttr, {
    attrSet: C.MOUNT_ATTR_NOATIME,
    attrClr: C.MOUNT_ATTR__ATIME,
  });
  assert.deepEqual(parseMountOptions(['rrelatime']).recAttr, { attrSet: 0, attrClr: C.MOUNT_ATTR__ATIME });
  assert.deepEqual(parseMountOptions(['rstrictatime']).recAttr, {
    attrSet: C.MOUNT_ATTR_STRICTATIME,
    attrClr: C.MOUNT_ATTR__ATIME,
  });
  assert.deepEqual(parseMountOptions(['rro', 'rrw']).recAttr, { attrSet: 0, attrClr: C.MOUNT_ATTR_RDONLY });
  assert.deepEqual(parseMountOptions(['rnodiratime']).recAttr, { attrSet: C.MOUNT_ATTR_NODIRATIME, attrClr: 0 });
});

test('tmpcopyup, idmap and ridmap are recognised, never passed as data', () => {
  const o = parseMountOptions(['tmpcopyup', 'mode=1777']);
  assert.equal(o.tmpcopyup, true);
  assert.equal(o.data, 'mode=1777');
  assert.equal(parseMountOptions(['bind', 'idmap']).idmap, 'idmap');
  assert.equal(parseMountOptions(['rbind', 'ridmap']).idmap, 'ridmap');
  assert.equal(parseMountOptions(['rbind', 'ridmap']).data, '');
});

test('every mount flag runc knows maps to its kernel value', () => {
  const cases: Array<[string, number]> = [
    ['dirsync', C.MS_DIRSYNC], ['iversion', C.MS_I_VERSION], ['lazytime', C.MS_LAZYTIME], ['mand', C.MS_MANDLOCK],
    ['noatime', C.MS_NOATIME], ['nodev', C.MS_NODEV], ['nodiratime', C.MS_NODIRATIME], ['noexec', C.MS_NOEXEC],
    ['nosuid', C.MS_NOSUID], ['nosymfollow', C.MS_NOSYMFOLLOW], ['relatime', C.MS_RELATIME], ['remount', C.MS_REMOUNT],
    ['ro', C.MS_RDONLY], ['silent', C.MS_SILENT], ['strictatime', C.MS_STRICTATIME], ['sync', C.MS_SYNCHRONOUS],
  ];
  for (const [name, flag] of cases) assert.equal(parseMountOptions([name]).flags, flag, name);
  const clears: Array<[string, number]> = [
    ['async', C.MS_SYNCHRONOUS], ['atime', C.MS_NOATIME], ['dev', C.MS_NODEV], ['diratime', C.MS_NODIRATIME],
    ['exec', C.MS_NOEXEC], ['loud', C.MS_SILENT], ['noiversion', C.MS_I_VERSION], ['nolazytime', C.MS_LAZYTIME],
    ['nomand', C.MS_MANDLOCK], ['norelatime', C.MS_RELATIME], ['nostrictatime', C.MS_STRICTATIME],
    ['rw', C.MS_RDONLY], ['suid', C.MS_NOSUID], ['symfollow', C.MS_NOSYMFOLLOW],
  ];
  for (const [name, flag] of clears) assert.equal(parseMountOptions([name]).clearedFlags, flag, name);
  assert.deepEqual(parseMountOptions(['defaults']), parseMountOptions([]));
});

test('knownMountOptions lists runc\'s set, sorted', () => {
  const k = knownMountOptions();
  assert.deepEqual(k, [...k].sort());
  for (const o of ['rbind', 'rro', 'rslave', 'tmpcopyup', 'nosymfollow', 'unbindable']) assert.ok(k.includes(o), o);
  assert.ok(!k.includes('mode=755'));
});

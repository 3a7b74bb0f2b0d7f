// Owns: busybox bundles for tests and typed config mutators (runc's update_config).
// Every bundle lives in a fresh tmp dir; remove() deletes it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSpec } from '../../src/spec/defaults';
import type { Spec } from '../../src/spec/types';

const BUSYBOX = '/bin/busybox';
let applets: string[] | undefined;

function busyboxApplets(): string[] {
  if (applets === undefined) {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  }
  return applets;
}

/** The config `runts spec` writes (runc's defaults), made non-interactive, as the base of every test bundle. */
export function baseSpec(): Spec {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  spec.process!.args = ['sh', '-c', 'true'];
  return spec;
}

export interface Bundle {
  dir: string;
  rootfs: string;
  configPath: string;
  /** read, change and write config.json */
  update(mutate: (spec: Spec) => void): void;
  /** write raw text as config.json (malformed-JSON tests) */
  writeRaw(text: string): void;
  remove(): void;
}

export interface BundleOptions {
  /** no rootfs contents at all (validation-only tests) */
  emptyRootfs?: boolean;
  spec?: Spec;
}

export function makeBundle(opts: BundleOptions = {}): Bundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-bundle-'));
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(rootfs);
  if (opts.emptyRootfs !== true) {
    for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(rootfs, d));
    fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const a of busyboxApplets()) {
      const p = path.join(rootfs, 'bin', a);
      if (!fs.existsSync(p)) fs.symlinkSync('busybox', p);
    }
    fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  }
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(opts.spec ?? baseSpec(), null, 2));
  return {
    dir,
    rootfs,
    configPath,
    update(mutate) {
      const spec = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Spec;
      mutate(spec);
      fs.writeFileSync(configPath, JSON.stringify(spec, null, 2));
    },
    writeRaw(text) {
      fs.writeFileSync(configPath, text);
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

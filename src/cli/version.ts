// Owns: the `--version` text, in runc's layout (name version / commit / spec). Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SPEC_VERSION } from '../spec/types';

export interface BuildInfo {
  version: string;
  commit: string;
}

export function buildInfo(): BuildInfo {
  // dist/build-info.json is written by `make`; a plain tsc build falls back to package.json.
  const distDir = path.resolve(__dirname, '..', '..');
  try {
    return JSON.parse(fs.readFileSync(path.join(distDir, 'build-info.json'), 'utf8')) as BuildInfo;
  } catch {
    const pkg = JSON.parse(fs.readFileSync(path.join(distDir, '..', 'package.json'), 'utf8')) as { version: string };
    return { version: pkg.version, commit: 'unknown' };
  }
}

export function versionText(): string {
  const b = buildInfo();
  return [`runts version ${b.version}`, `commit: ${b.commit}`, `spec: ${SPEC_VERSION}`, `node: ${process.version}`].join('\n');
}

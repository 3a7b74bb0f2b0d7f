// Owns: the side-by-side benchmark of runts against Debian's runc. Runs each command
// pair alternately (so machine noise hits both alike), reports medians and the
// runts/runc ratio, and the number of Node starts each runts command costs.
// Usage: make bench  (as root; needs runc and busybox-static)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeBundle } from '../test/support/bundle';

const RUNTS = path.resolve(__dirname, '..', '..', 'bin', 'runts');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);

interface Case {
  name: string;
  /** Node processes one runts call starts (the CLI, plus setup for a container start) */
  nodeStarts: number;
  args: (runtime: 'runts' | 'runc', root: string, round: number) => string[];
  cwd?: () => string;
  after?: (runtime: 'runts' | 'runc', root: string, round: number) => void;
}

function time(cmd: string, args: string[], cwd?: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(cwd !== undefined ? { cwd } : {}) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function main(): void {
  const bundle = makeBundle();
  bundle.update((s) => {
    s.process!.args = ['/bin/true'];
    s.root!.path = bundle.rootfs;
  });
  const roots = { runts: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-runts-')), runc: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-runc-')) };
  const specDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spec-'));
  const cases: Case[] = [
    { name: '--version', nodeStarts: 1, args: () => ['--version'] },
    { name: 'state <missing id>', nodeStarts: 1, args: (_r, root) => ['--root', root, 'state', 'nope'] },
    { name: 'list', nodeStarts: 1, args: (_r, root) => ['--root', root, 'list'] },
    {
      name: 'spec',
      nodeStarts: 1,
      args: () => ['spec', '--bundle', specDir],
      after: () => fs.rmSync(path.join(specDir, 'config.json'), { force: true }),
    },
    {
      name: 'run /bin/true',
      nodeStarts: 2,
      args: (_r, root, i) => ['--root', root, 'run', '--bundle', bundle.dir, `bench-${i}`],
    },
  ];
  try {
    console.log(`rounds: ${ROUNDS} (medians, ms)`);
    console.log(['command'.padEnd(22), 'runts'.padStart(8), 'runc'.padStart(8), 'ratio'.padStart(7), 'node starts'.padStart(12)].join(' '));
    for (const c of cases) {
      const t: Record<'runts' | 'runc', number[]> = { runts: [], runc: [] };
      let ok = true;
      for (let i = 0; i < ROUNDS && ok; i++) {
        for (const rt of ['runts', 'runc'] as const) {
          try {
            t[rt].push(time(rt === 'runts' ? RUNTS : 'runc', c.args(rt, roots[rt], i)));
          } catch (err) {
            console.log(`${c.name}: ${rt} failed: ${(err as Error).message.split('\n')[0]}`);
            ok = false;
            break;
          }
          c.after?.(rt, roots[rt], i);
        }
      }
      if (!ok) continue;
      const a = median(t.runts);
      const b = median(t.runc);
      console.log(
        [c.name.padEnd(22), a.toFixed(1).padStart(8), b.toFixed(1).padStart(8), (a / b).toFixed(2).padStart(7), String(c.nodeStarts).padStart(12)].join(' '),
      );
    }
  } finally {
    for (const [rt, root] of Object.entries(roots)) {
      for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
        spawnSync(rt === 'runts' ? RUNTS : 'runc', ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
      }
      fs.rmSync(root, { recursive: true, force: true });
    }
    fs.rmSync(specDir, { recursive: true, force: true });
    bundle.remove();
  }
}

main();

// Owns: `runts check`: validate a bundle and report every finding. Runs in: cli.
import { defineCommand, raw } from '../command';

export interface CheckCommandOptions {
  bundle: string | undefined;
  json: boolean;
  systemdCgroup: boolean;
}

export const checkCommand = defineCommand<CheckCommandOptions>({
  name: 'check',
  summary: 'check a bundle\'s config.json against the runtime-spec and report every problem',
  usage: '',
  args: { exact: 0 },
  options: [
    { flags: '-b, --bundle <path>', description: 'path to the root of the bundle directory, defaults to the current directory' },
    { flags: '--json', description: 'print the findings as a JSON array', defaultValue: false },
  ],
  toOptions: (_args, o, globals) => ({
    bundle: raw.str(o, 'bundle'),
    json: raw.bool(o, 'json'),
    systemdCgroup: globals.systemdCgroup,
  }),
  async run(opts) {
    const { checkBundle } = require('../../spec/check') as typeof import('../../spec/check');
    const { renderFinding } = require('../../spec/finding') as typeof import('../../spec/finding');
    const { findings } = checkBundle(opts.bundle, { systemdCgroup: opts.systemdCgroup });
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
    } else {
      const lines = findings.map((f) => `${f.severity}: ${renderFinding(f)}`);
      lines.push(findings.length === 0 ? 'config.json is valid' : `${errors} error(s), ${findings.length - errors} warning(s)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return errors > 0 ? 1 : 0;
  },
});

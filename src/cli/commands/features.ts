import { defineCommand } from '../command';

export const featuresCommand = defineCommand<null>({
  name: 'features',
  summary: 'show the enabled features',
  usage: '',
  args: { exact: 0 },
  toOptions: () => null,
  async run() {
    const { buildFeatures, seccompFeatures } = require('../../spec/features') as typeof import('../../spec/features');
    const { buildInfo } = require('../version') as typeof import('../version');
    const info = buildInfo();
    const features = buildFeatures({ seccomp: seccompFeatures(), version: info.version, commit: info.commit });
    // runc prints json.MarshalIndent(…, "", "    ") followed by a newline.
    process.stdout.write(JSON.stringify(features, null, 4) + '\n');
  },
});

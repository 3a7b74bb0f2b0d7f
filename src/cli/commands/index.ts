// Owns: the list of commands, one line each, sorted. Runs in: cli.
import type { CommandSpec } from '../command';
import { checkCommand } from './check';
import { specCommand } from './spec';
import { stateCommand } from './state';
import { listCommand } from './list';
import { startCommand } from './start';
import { runCommand } from './run';
import { killCommand } from './kill';
import { deleteCommand } from './delete';
import { createCommand } from './create';
import { execCommand } from './exec';
import { eventsCommand } from './events';
import { featuresCommand } from './features';
import { pauseCommand } from './pause';
import { psCommand } from './ps';
import { resumeCommand } from './resume';
import { updateCommand } from './update';

export const commands: readonly CommandSpec<unknown>[] = [
  checkCommand,
  createCommand,
  deleteCommand,
  eventsCommand,
  execCommand,
  featuresCommand,
  killCommand,
  listCommand,
  pauseCommand,
  psCommand,
  resumeCommand,
  runCommand,
  specCommand,
  startCommand,
  stateCommand,
  updateCommand,
];

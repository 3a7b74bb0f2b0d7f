// Owns: the list of commands, one line each, sorted. Runs in: cli.
import type { CommandSpec } from '../command';
import { notImplemented } from './not-implemented';
import { checkCommand } from './check';
import { specCommand } from './spec';
import { stateCommand } from './state';
import { listCommand } from './list';
import { startCommand } from './start';
import { runCommand } from './run';
import { killCommand } from './kill';
import { deleteCommand } from './delete';
import { createCommand } from './create';

export const commands: readonly CommandSpec<unknown>[] = [
  checkCommand,
  createCommand,
  deleteCommand,
  notImplemented('events', 'display container events such as OOM notifications, cpu, memory, and IO usage statistics'),
  notImplemented('exec', 'execute new process inside the container'),
  notImplemented('features', 'show the enabled features'),
  killCommand,
  listCommand,
  notImplemented('pause', 'pause suspends all processes inside the container'),
  notImplemented('ps', 'ps displays the processes running inside a container'),
  notImplemented('resume', 'resumes all processes that have been previously paused'),
  runCommand,
  specCommand,
  startCommand,
  stateCommand,
  notImplemented('update', 'update container resource constraints'),
];

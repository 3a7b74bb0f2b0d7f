// Owns: the list of commands, one line each, sorted. Runs in: cli.
import type { CommandSpec } from '../command';
import { notImplemented } from './not-implemented';
import { checkCommand } from './check';
import { specCommand } from './spec';
import { stateCommand } from './state';
import { listCommand } from './list';

export const commands: readonly CommandSpec<any>[] = [
  checkCommand,
  notImplemented('create', 'create a container'),
  notImplemented('delete', 'delete any resources held by the container often used with detached container'),
  notImplemented('events', 'display container events such as OOM notifications, cpu, memory, and IO usage statistics'),
  notImplemented('exec', 'execute new process inside the container'),
  notImplemented('features', 'show the enabled features'),
  notImplemented('kill', 'kill sends the specified signal (default: SIGTERM) to the container\'s init process'),
  listCommand,
  notImplemented('pause', 'pause suspends all processes inside the container'),
  notImplemented('ps', 'ps displays the processes running inside a container'),
  notImplemented('resume', 'resumes all processes that have been previously paused'),
  notImplemented('run', 'create and run a container'),
  specCommand,
  notImplemented('start', 'executes the user defined process in a created container'),
  stateCommand,
  notImplemented('update', 'update container resource constraints'),
];

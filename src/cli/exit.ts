// Owns: the single exit point of the CLI. Runs in: cli.
//
// Every failure funnels here: exactly one error line (log file or stderr, see
// log.logFatal) carrying the whole cause chain, then the exit status. Nothing else in
// the code base prints an error; layers below only throw.
import { exitCodeOf, renderError } from '../errors';
import { logFatal } from '../log';

let exiting = false;

export function failAndExit(err: unknown): never {
  if (!exiting) {
    exiting = true;
    logFatal(renderError(err));
  }
  process.exit(exitCodeOf(err));
}

export function installExitHandlers(): void {
  process.on('uncaughtException', failAndExit);
  process.on('unhandledRejection', failAndExit);
}

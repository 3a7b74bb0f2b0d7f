// Owns: the undo stack of a multi-step operation (create): each step that makes
// something pushes how to remove it; on failure the steps unwind in reverse and the
// original error is reported with any cleanup failure attached. Runs in: cli.
import { renderError, RuntimeError } from '../errors';
import { debugFor } from '../log';

const debug = debugFor('container');

export class UndoStack {
  private readonly steps: { what: string; undo: () => void | Promise<void> }[] = [];

  push(what: string, undo: () => void | Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Forget everything: the operation succeeded. */
  commit(): void {
    this.steps.length = 0;
  }

  /** Run every undo step, newest first; returns the original error, annotated. */
  async unwind(cause: unknown): Promise<unknown> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        debug('undo: %s', step.what);
        await step.undo();
      } catch (err) {
        failures.push(`${step.what}: ${renderError(err)}`);
      }
    }
    if (failures.length === 0) return cause;
    return new RuntimeError(`${renderError(cause)} (cleanup also failed: ${failures.join('; ')})`);
  }
}

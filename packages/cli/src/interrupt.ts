/**
 * Ctrl-C for commands that wait on the service: the first SIGINT/SIGTERM aborts `signal` so the
 * command can stop waiting and say what it did; a second one exits at once (status 130).
 */
import { CliError } from './cli-errors.js';

/** Exit status after an interrupt (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

/** The command stopped because the user interrupted it. The message says what state the work is in. */
export class InterruptedError extends CliError {
  readonly exitCode = EXIT_INTERRUPTED;
  constructor(message: string) {
    super('INTERRUPTED', message);
    this.name = 'InterruptedError';
  }
}

export class Interrupt {
  private readonly controller = new AbortController();
  private readonly handler = (signal: NodeJS.Signals): void => {
    if (this.controller.signal.aborted) {
      process.stderr.write(`\nbackdrop: second ${signal}, exiting now.\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    this.controller.abort(new InterruptedError(`interrupted by ${signal}`));
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** Aborted on the first SIGINT/SIGTERM. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Stops listening (the default Ctrl-C behaviour returns). */
  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

import { TracehoundError } from '../model/errors.ts';

/** The command line was wrong: the CLI prints the message and exits with code 2. */
export class UsageError extends TracehoundError {
  constructor(message: string) {
    super('usage', message);
  }
}

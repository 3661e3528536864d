// The PkiError an action throws, for tests that check what a student is told.
import { PkiError } from '../../src-main/pki/errors.js';

export function caughtPkiError(run: () => unknown): PkiError {
  try {
    run();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

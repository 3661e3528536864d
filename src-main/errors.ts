// Errors a person can meet: a stable code and one sentence that says what happened, why and
// what to try. Anything else that escapes is a bug and is reported as INTERNAL.
import type { ApiErrorInfo } from './api/types';

export class WorkbenchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkbenchError';
  }

  toInfo(): ApiErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function toErrorInfo(err: unknown): ApiErrorInfo {
  if (err instanceof WorkbenchError) return err.toInfo();
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && 'message' in err) {
    // Typed errors of other modules (store, pki) carry a code and a student-ready message.
    const known = err as { code: string; message: string; name?: string };
    if (known.name && known.name !== 'Error' && known.name !== 'SystemError') {
      return { code: known.code, message: known.message };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `unexpected engine error: ${message} (this is a bug; the session data is kept)` };
}

// The life of a form that sends a request to the engine: its errors show once it was submitted, the submit
// button waits while the engine works, and what the engine refused is kept for the form to show.
import type { ApiErrorInfo } from '../api/contract';
import { errorInfo as engineErrorInfo } from './pki-forms';

type Checked = { ok: true } | { ok: false; errors: object };
type Valid<R> = Extract<R, { ok: true }>;
type Errors<R> = R extends { ok: false; errors: infer E } ? E : never;

export interface FormRun<R extends Checked> {
  /** What is wrong with the form, once the student has tried to send it; {} before. */
  readonly errors: Errors<R>;
  readonly busy: boolean;
  /** What the engine answered instead, for the form's error box. */
  readonly engineError: ApiErrorInfo | null;
  /** Submitted and not valid: the form says so next to its button. */
  readonly invalid: boolean;
  submit(): Promise<void>;
}

export function formRun<R extends Checked>(options: {
  validate: () => R;
  /** Sends the valid form; what it throws becomes engineError. */
  send: (valid: Valid<R>) => Promise<void>;
  /** Runs first on every submit: keep the form for the next visit, clear the last result… */
  before?: () => void;
  /** After a success the errors wait for the next submit again (for a form that stays open for another round). */
  resetOnSuccess?: boolean;
  errorInfo?: (error: unknown) => ApiErrorInfo;
}): FormRun<R> {
  let submitted = $state(false);
  let busy = $state(false);
  let engineError = $state<ApiErrorInfo | null>(null);
  const errors = $derived.by((): Errors<R> => {
    if (!submitted) return {} as Errors<R>;
    const result = options.validate();
    return result.ok ? ({} as Errors<R>) : (result.errors as Errors<R>);
  });

  return {
    get errors() {
      return errors;
    },
    get busy() {
      return busy;
    },
    get engineError() {
      return engineError;
    },
    get invalid() {
      return submitted && Object.keys(errors).length > 0;
    },
    async submit(): Promise<void> {
      submitted = true;
      engineError = null;
      options.before?.();
      const result = options.validate();
      if (!result.ok) return;
      busy = true;
      try {
        await options.send(result as Valid<R>);
        if (options.resetOnSuccess) submitted = false;
      } catch (error) {
        engineError = (options.errorInfo ?? engineErrorInfo)(error);
      } finally {
        busy = false;
      }
    },
  };
}

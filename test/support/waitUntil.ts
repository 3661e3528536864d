// Waiting for what a test then checks, not for a fixed time: a busy 2-core classroom machine can
// take many seconds for what a fast one does at once, so the deadline is long, and the failure says
// what never happened instead of letting a later assertion fail on half-finished work.

/** Long enough for a loaded CI machine; well inside the integration project's 120 s test timeout. */
export const WAIT_DEADLINE_MS = 60_000;

export interface WaitOptions {
  /** How long to wait before failing; `WAIT_DEADLINE_MS` unless told. */
  timeoutMs?: number;
  /** How often `check` is asked again. */
  intervalMs?: number;
}

/**
 * Resolves with the first truthy value `check` gives (asked at once, then every `intervalMs`).
 * `what` names the awaited event ("s_server to report the client's alert"); it may be a function
 * so that the failure can show the state at the deadline (a process's output so far).
 */
export async function waitUntil<T>(what: string | (() => string), check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? WAIT_DEADLINE_MS;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) {
      const said = typeof what === 'string' ? what : what();
      throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${said}, and it never happened`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves once `promise` settles, or fails after the deadline saying what never happened. */
export async function withDeadline<T>(what: string, promise: Promise<T>, timeoutMs = WAIT_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${what}, and it never happened`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

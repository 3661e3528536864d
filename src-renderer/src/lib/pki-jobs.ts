// Long workshop jobs (RSA 4096 key generation) as the engine announces them.
import type { PkiJobEvent } from '../api/contract';

/** The newest state of each job; finished jobs stay a moment so the student sees them end. */
export function mergeJob(jobs: readonly PkiJobEvent[], event: PkiJobEvent): PkiJobEvent[] {
  const others = jobs.filter((job) => job.id !== event.id);
  return [...others, event].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
}

export function runningJobs(jobs: readonly PkiJobEvent[]): PkiJobEvent[] {
  return jobs.filter((job) => job.state === 'started');
}

/** Forget jobs that ended more than `keepMs` ago. */
export function pruneJobs(jobs: readonly PkiJobEvent[], now: number, keepMs = 12_000): PkiJobEvent[] {
  return jobs.filter((job) => job.state === 'started' || (job.endedAt ?? job.startedAt) > now - keepMs);
}

/** "4.2 s" while running, "took 3.8 s" or "failed after 1.0 s: reason" once over. */
export function jobProgress(job: PkiJobEvent, now: number): string {
  const seconds = (((job.endedAt ?? now) - job.startedAt) / 1000).toFixed(1);
  if (job.state === 'started') return `${seconds} s`;
  if (job.state === 'finished') return `took ${seconds} s`;
  return `failed after ${seconds} s${job.error ? `: ${job.error}` : ''}`;
}

// Playback of a recorded connection: a cursor that moves over its records at the recorded pace
// (or faster), pauses, steps record by record and jumps to any moment. Pure: time comes from a
// Clock, so tests drive it with a fake one.

/** Where time comes from: the page passes performance.now and setTimeout, tests a fake clock. */
export interface Clock {
  now(): number;
  /** Calls fn once after ms; returns a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

/** How fast: a multiple of the recorded pace, or one record a second whatever the recording says. */
export type PlaybackSpeed = 1 | 2 | 10 | 100 | 'steady';

export const PLAYBACK_SPEEDS: { value: PlaybackSpeed; label: string; hint: string }[] = [
  { value: 1, label: '1×', hint: 'the recorded pace' },
  { value: 2, label: '2×', hint: 'twice the recorded pace' },
  { value: 10, label: '10×', hint: 'ten times the recorded pace' },
  { value: 100, label: '100×', hint: 'a hundred times the recorded pace' },
  { value: 'steady', label: '1 record/s', hint: 'one record a second, however close together they were recorded' },
];

/** The shortest wait between two moves: a record a frame is as fast as anyone can follow. */
export const MIN_TICK_MS = 16;
/** The wait between records in 'steady' mode. */
export const STEADY_MS = 1000;

export interface PlaybackSnapshot {
  /** Playback time in ms since the session started. */
  time: number;
  /** The record on show: the last one sent at or before `time` (1-based); 0 before the first. */
  cursor: number;
  count: number;
  /** Time of the first record (the start of the scrub range). */
  start: number;
  /** Time of the last record (the end of the scrub range). */
  end: number;
  playing: boolean;
  speed: PlaybackSpeed;
}

/** Records' times made non-decreasing (wire order is the truth; a clock step must not reorder it). */
export function monotonicTimes(times: readonly number[]): number[] {
  const out: number[] = [];
  let last = 0;
  for (const t of times) {
    last = Math.max(last, Number.isFinite(t) ? t : last);
    out.push(last);
  }
  return out;
}

/** The number of records sent at or before `time`: the record on show at that moment. */
export function recordAt(times: readonly number[], time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** "12.345 s" or "87.6 ms": a playback time a student reads at a glance. */
export function formatPlaybackTime(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)} s`;
  return `${ms.toFixed(1)} ms`;
}

export class Playback {
  private readonly times: number[];
  private time = 0;
  private cursor = 0;
  private playing = false;
  private speed: PlaybackSpeed = 1;
  /** Real clock and playback time when the current run started (recorded pace). */
  private anchor = { real: 0, time: 0 };
  private cancel: (() => void) | null = null;

  constructor(
    times: readonly number[],
    private readonly clock: Clock,
    private readonly onChange: (snapshot: PlaybackSnapshot) => void = () => undefined,
  ) {
    this.times = monotonicTimes(times);
  }

  get snapshot(): PlaybackSnapshot {
    return { time: this.time, cursor: this.cursor, count: this.times.length, start: this.times[0] ?? 0, end: this.end, playing: this.playing, speed: this.speed };
  }

  private get end(): number {
    return this.times.length === 0 ? 0 : this.times[this.times.length - 1]!;
  }

  /** Plays from here; at the end it starts over from the first record. */
  play(): void {
    if (this.playing || this.times.length === 0) return;
    if (this.cursor >= this.times.length) this.moveTo(0, this.times[0]!);
    // Before the first record there is nothing to wait for: a connection that opened late in the
    // session (a proxy's upstream leg, the fifth connection of a capture) starts at its first record.
    if (this.cursor === 0 && this.time < this.times[0]!) this.time = this.times[0]!;
    this.playing = true;
    this.anchor = { real: this.clock.now(), time: this.time };
    this.scheduleNext();
    this.emit();
  }

  pause(): void {
    if (!this.playing) return;
    this.advanceToNow();
    this.stopTimer();
    this.playing = false;
    this.emit();
  }

  setSpeed(speed: PlaybackSpeed): void {
    if (this.playing) {
      this.advanceToNow();
      this.stopTimer();
      this.speed = speed;
      this.anchor = { real: this.clock.now(), time: this.time };
      this.scheduleNext();
    } else {
      this.speed = speed;
    }
    this.emit();
  }

  /** One record forward or back; pauses first. */
  step(delta: 1 | -1): void {
    this.halt();
    const target = Math.min(this.times.length, Math.max(delta < 0 ? 1 : 0, this.cursor + delta));
    if (target === 0) this.moveTo(0, 0);
    else this.moveTo(target, this.times[target - 1]!);
    this.emit();
  }

  /** Jumps to a moment (the scrub bar, from the first record to the last); playing goes on from there. */
  seek(time: number): void {
    const t = Math.min(this.end, Math.max(this.times[0] ?? 0, time));
    this.moveTo(recordAt(this.times, t), t);
    if (this.playing) {
      this.stopTimer();
      this.anchor = { real: this.clock.now(), time: this.time };
      this.scheduleNext();
    }
    this.emit();
  }

  /** Puts the cursor on a record chosen elsewhere (a click in the table or the ladder). */
  seekRecord(number: number): void {
    if (number === this.cursor || number < 1 || number > this.times.length) return;
    this.halt();
    this.moveTo(number, this.times[number - 1]!);
    this.emit();
  }

  dispose(): void {
    this.stopTimer();
    this.playing = false;
  }

  private halt(): void {
    if (!this.playing) return;
    this.stopTimer();
    this.playing = false;
  }

  private moveTo(cursor: number, time: number): void {
    this.cursor = cursor;
    this.time = time;
  }

  private advanceToNow(): void {
    if (this.speed === 'steady') return; // steady moves only on its ticks
    const t = this.anchor.time + (this.clock.now() - this.anchor.real) * this.speed;
    const time = Math.min(this.end, t);
    this.moveTo(Math.max(this.cursor, recordAt(this.times, time)), time);
  }

  private scheduleNext(): void {
    const next = this.cursor; // index of the next record
    if (next >= this.times.length) {
      this.playing = false;
      return;
    }
    let wait: number;
    if (this.speed === 'steady') wait = this.cursor === 0 ? MIN_TICK_MS : STEADY_MS;
    else wait = Math.max(MIN_TICK_MS, (this.times[next]! - this.time) / this.speed);
    this.cancel = this.clock.schedule(wait, () => this.tick());
  }

  private tick(): void {
    this.cancel = null;
    if (!this.playing) return;
    const due = this.times[this.cursor]!;
    if (this.speed === 'steady') {
      this.moveTo(this.cursor + 1, due);
    } else {
      // The timer was set for the next record, so that one is due even if it fired a hair early;
      // at high speed several records fall in one tick and the cursor lands on the last of them.
      const t = Math.min(this.end, Math.max(due, this.anchor.time + (this.clock.now() - this.anchor.real) * this.speed));
      this.moveTo(recordAt(this.times, t), t);
      this.anchor = { real: this.clock.now(), time: t };
    }
    if (this.cursor >= this.times.length) {
      this.time = this.end;
      this.playing = false;
    } else {
      this.scheduleNext();
    }
    this.emit();
  }

  private stopTimer(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private emit(): void {
    this.onChange(this.snapshot);
  }
}

// Playback timing against a fake clock: the recorded pace, faster, pause, steps, scrubbing.
import { describe, expect, it } from 'vitest';
import {
  MIN_TICK_MS,
  Playback,
  STEADY_MS,
  formatPlaybackTime,
  monotonicTimes,
  recordAt,
  type PlaybackSnapshot,
} from '../../../src-renderer/src/lib/sessions-playback';
import { FakeClock } from './fakeClock';

// Records 1..5 at 0, 100, 300, 1300, 1400 ms after the session started.
const TIMES = [0, 100, 300, 1300, 1400];

function setup(times = TIMES): { clock: FakeClock; playback: Playback; seen: PlaybackSnapshot[] } {
  const clock = new FakeClock();
  const seen: PlaybackSnapshot[] = [];
  const playback = new Playback(times, clock, (s) => seen.push(s));
  return { clock, playback, seen };
}

describe('playback at the recorded pace', () => {
  it('shows each record when the recording reached it', () => {
    const { clock, playback } = setup();
    expect(playback.snapshot).toMatchObject({ cursor: 0, count: 5, end: 1400, playing: false });
    playback.play();
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBe(1); // record 1 at 0 ms
    clock.advance(100 - MIN_TICK_MS - 1);
    expect(playback.snapshot.cursor).toBe(1);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(2);
    clock.advance(199);
    expect(playback.snapshot.cursor).toBe(2);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(3);
    clock.advance(999);
    expect(playback.snapshot.cursor).toBe(3);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(4);
    clock.advance(100);
    expect(playback.snapshot).toMatchObject({ cursor: 5, time: 1400, playing: false });
    expect(clock.pending).toBe(0);
  });

  it('plays ten times faster at 10×', () => {
    const { clock, playback } = setup();
    playback.setSpeed(10);
    playback.play();
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBe(2); // 16 ms × 10 = 160 ms of the recording: records 1 and 2
    // Record 3 is due 14 ms later, but moves are at least a frame apart: it shows at 32 ms.
    clock.advance(MIN_TICK_MS - 1);
    expect(playback.snapshot.cursor).toBe(2);
    clock.advance(1);
    expect(playback.snapshot).toMatchObject({ cursor: 3, time: 320 });
    clock.advance(97); // record 4 at 1300 ms of the recording: 98 ms later
    expect(playback.snapshot.cursor).toBe(3);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(4);
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot).toMatchObject({ cursor: 5, playing: false });
  });

  it('changing speed while playing keeps the place and goes on faster', () => {
    const { clock, playback } = setup();
    playback.play();
    clock.advance(500); // at 500 ms: records 1-3 shown
    expect(playback.snapshot.cursor).toBe(3);
    playback.setSpeed(100);
    expect(playback.snapshot).toMatchObject({ cursor: 3, time: 500, playing: true });
    clock.advance(7); // 800 ms of the recording in 8 ms real, but ticks are at least 16 ms apart
    expect(playback.snapshot.cursor).toBe(3);
    clock.advance(MIN_TICK_MS - 7);
    expect(playback.snapshot.cursor).toBe(5);
  });

  it('pauses where it is and resumes from there', () => {
    const { clock, playback } = setup();
    playback.play();
    clock.advance(150);
    playback.pause();
    expect(playback.snapshot).toMatchObject({ cursor: 2, time: 150, playing: false });
    clock.advance(10_000);
    expect(playback.snapshot.cursor).toBe(2);
    expect(clock.pending).toBe(0);
    playback.play();
    clock.advance(149);
    expect(playback.snapshot.cursor).toBe(2);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(3);
  });

  it('plays again from the start once it reached the end', () => {
    const { clock, playback } = setup();
    playback.seek(1400);
    expect(playback.snapshot.cursor).toBe(5);
    playback.play();
    expect(playback.snapshot).toMatchObject({ cursor: 0, time: 0, playing: true });
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBe(1);
  });

  it("'steady' shows one record a second however the recording was paced", () => {
    const { clock, playback } = setup([0, 0.2, 0.3, 0.4]);
    playback.setSpeed('steady');
    playback.play();
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBe(1);
    clock.advance(STEADY_MS - 1);
    expect(playback.snapshot.cursor).toBe(1);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(2);
    clock.advance(2 * STEADY_MS);
    expect(playback.snapshot).toMatchObject({ cursor: 4, playing: false });
  });
});

describe('stepping and scrubbing', () => {
  it('steps record by record, pausing a running playback, and stops at both ends', () => {
    const { clock, playback } = setup();
    playback.step(1);
    expect(playback.snapshot).toMatchObject({ cursor: 1, time: 0 });
    playback.step(1);
    playback.step(1);
    expect(playback.snapshot).toMatchObject({ cursor: 3, time: 300 });
    playback.play();
    playback.step(-1);
    expect(playback.snapshot).toMatchObject({ cursor: 2, time: 100, playing: false });
    clock.advance(5000);
    expect(playback.snapshot.cursor).toBe(2);
    playback.step(-1);
    playback.step(-1);
    expect(playback.snapshot.cursor).toBe(1);
    for (let i = 0; i < 10; i++) playback.step(1);
    expect(playback.snapshot.cursor).toBe(5);
  });

  it('scrubs to any moment: the record on show is the last one sent by then', () => {
    const { clock, playback, seen } = setup();
    playback.seek(1299);
    expect(playback.snapshot).toMatchObject({ cursor: 3, time: 1299 });
    playback.seek(99_999);
    expect(playback.snapshot).toMatchObject({ cursor: 5, time: 1400 });
    playback.seek(-5);
    expect(playback.snapshot).toMatchObject({ cursor: 1, time: 0 });
    // Scrubbing while playing goes on playing from the new place.
    playback.play();
    playback.seek(1000);
    clock.advance(299);
    expect(playback.snapshot.cursor).toBe(3);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(4);
    expect(seen.length).toBeGreaterThan(4);
  });

  it('scrubs from the first record to the last: the TCP handshake before it is not a moment to show', () => {
    const { playback } = setup([40, 41, 90]);
    expect(playback.snapshot).toMatchObject({ start: 40, end: 90, cursor: 0 });
    playback.seek(0);
    expect(playback.snapshot).toMatchObject({ cursor: 1, time: 40 });
    playback.seek(89);
    expect(playback.snapshot.cursor).toBe(2);
  });

  it('follows a record picked elsewhere', () => {
    const { clock, playback } = setup();
    playback.play();
    playback.seekRecord(4);
    expect(playback.snapshot).toMatchObject({ cursor: 4, time: 1300, playing: false });
    clock.advance(1000);
    expect(playback.snapshot.cursor).toBe(4);
    playback.seekRecord(99);
    expect(playback.snapshot.cursor).toBe(4);
  });

  it('an empty connection has nothing to play', () => {
    const { clock, playback } = setup([]);
    playback.play();
    clock.advance(1000);
    expect(playback.snapshot).toMatchObject({ cursor: 0, count: 0, playing: false });
    playback.step(1);
    expect(playback.snapshot.cursor).toBe(0);
  });
});

describe('helpers', () => {
  it('keeps times in wire order even when a timestamp goes back', () => {
    expect(monotonicTimes([0, 5, 3, 9, Number.NaN, 10])).toEqual([0, 5, 5, 9, 9, 10]);
  });

  it('finds the record on show at a moment', () => {
    expect(recordAt(TIMES, -1)).toBe(0);
    expect(recordAt(TIMES, 0)).toBe(1);
    expect(recordAt(TIMES, 299.9)).toBe(2);
    expect(recordAt(TIMES, 300)).toBe(3);
    expect(recordAt(TIMES, 5000)).toBe(5);
    expect(recordAt([0, 0, 0], 0)).toBe(3);
  });

  it('formats playback times', () => {
    expect(formatPlaybackTime(0)).toBe('0.0 ms');
    expect(formatPlaybackTime(87.64)).toBe('87.6 ms');
    expect(formatPlaybackTime(1234)).toBe('1.234 s');
    expect(formatPlaybackTime(65_000)).toBe('65.0 s');
  });
});

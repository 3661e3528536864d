// Playback of a connection that opened late in its session: Play shows the first record at once
// (as the scrub bar, which starts there, promises) rather than sitting still for the time the
// session ran before the connection opened; "Play again" starts there too.
import { describe, expect, it } from 'vitest';
import { MIN_TICK_MS, Playback } from '../../../src-renderer/src/lib/sessions-playback';
import { FakeClock } from './fakeClock';

// A connection whose records came 30 s after the session started: 30000, 30100, 30300 ms.
const LATE = [30_000, 30_100, 30_300];

describe('playback of a connection that opened late in the session', () => {
  it('shows the first record as soon as Play is pressed, then keeps the recorded gaps', () => {
    const clock = new FakeClock();
    const playback = new Playback(LATE, clock);
    expect(playback.snapshot).toMatchObject({ start: 30_000, cursor: 0 });
    playback.play();
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot).toMatchObject({ cursor: 1, playing: true });
    // The second record comes 100 ms after the first, as recorded.
    clock.advance(99 - MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBe(1);
    clock.advance(1);
    expect(playback.snapshot.cursor).toBe(2);
    clock.advance(200);
    expect(playback.snapshot).toMatchObject({ cursor: 3, playing: false });
  });

  it('"Play again" starts from the first record, not from the start of the session', () => {
    const clock = new FakeClock();
    const playback = new Playback(LATE, clock);
    playback.seek(30_300);
    expect(playback.snapshot.cursor).toBe(3);
    playback.play();
    expect(playback.snapshot).toMatchObject({ cursor: 0, time: 30_000, playing: true });
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBe(1);
  });

  it('the same at ten times the pace', () => {
    const clock = new FakeClock();
    const playback = new Playback(LATE, clock);
    playback.setSpeed(10);
    playback.play();
    clock.advance(MIN_TICK_MS);
    expect(playback.snapshot.cursor).toBeGreaterThanOrEqual(1);
    clock.advance(40 - MIN_TICK_MS);
    expect(playback.snapshot).toMatchObject({ cursor: 3, playing: false });
  });
});

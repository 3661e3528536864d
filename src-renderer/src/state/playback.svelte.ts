// The playback cursor of the connection on show: which record is current, whether it is playing
// and how fast. The timing is lib/sessions-playback.ts; this holds one Playback for the page and
// loads the record times it plays over.
import { EngineCallError } from '../api/client';
import { Playback, type Clock, type PlaybackSnapshot, type PlaybackSpeed } from '../lib/sessions-playback';
import { engine } from './app.svelte';

/** Playback covers this many records of a connection (times arrive 5,000 at a time). */
export const PLAYBACK_MAX_RECORDS = 20_000;
const PAGE = 5000;

const browserClock: Clock = {
  now: () => performance.now(),
  schedule(ms, fn) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

function idle(): PlaybackSnapshot {
  return { time: 0, cursor: 0, count: 0, start: 0, end: 0, playing: false, speed: 1 };
}

export const playback = $state({
  /** "session/connection" the cursor belongs to; '' when nothing is loaded. */
  key: '',
  loading: false,
  error: null as string | null,
  /** Records in the connection; playback covers the first PLAYBACK_MAX_RECORDS of them. */
  total: 0,
  snapshot: idle(),
});

let current: Playback | null = null;

/** Loads the record times of a connection and puts the cursor before its first record. */
export async function loadPlayback(sessionId: number, connectionId: number): Promise<void> {
  const key = `${sessionId}/${connectionId}`;
  stopPlayback();
  playback.key = key;
  playback.loading = true;
  playback.error = null;
  playback.total = 0;
  try {
    const times: number[] = [];
    let total = Infinity;
    while (times.length < Math.min(total, PLAYBACK_MAX_RECORDS)) {
      const page = await engine().call('sessions.records', { id: sessionId, connectionId, from: times.length + 1, limit: PAGE });
      if (playback.key !== key) return;
      total = page.total;
      if (page.rows.length === 0) break;
      for (const row of page.rows) times.push(row.t);
    }
    playback.total = Number.isFinite(total) ? total : times.length;
    const speed = playback.snapshot.speed;
    current = new Playback(times.slice(0, PLAYBACK_MAX_RECORDS), browserClock, (snapshot) => {
      if (playback.key === key) playback.snapshot = snapshot;
    });
    current.setSpeed(speed);
  } catch (error) {
    if (playback.key === key) playback.error = error instanceof EngineCallError || error instanceof Error ? error.message : String(error);
  } finally {
    if (playback.key === key) playback.loading = false;
  }
}

/** Pauses and forgets the connection (the page closed or moved on). */
export function stopPlayback(): void {
  current?.dispose();
  current = null;
  playback.key = '';
  playback.snapshot = { ...idle(), speed: playback.snapshot.speed };
}

export function togglePlay(): void {
  if (!current) return;
  if (current.snapshot.playing) current.pause();
  else current.play();
}

export function setPlaybackSpeed(speed: PlaybackSpeed): void {
  if (current) current.setSpeed(speed);
  else playback.snapshot = { ...playback.snapshot, speed };
}

export function stepPlayback(delta: 1 | -1): void {
  current?.step(delta);
}

export function seekPlayback(time: number): void {
  current?.seek(time);
}

/** A record picked in the table or the ladder becomes the cursor. */
export function followSelection(number: number): void {
  current?.seekRecord(number);
}

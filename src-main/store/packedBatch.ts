// Packing a recording batch for the trip to the writer thread.
import { SegmentEncoder, type LogEntry } from './connectionLog';
import type { StoredBatch } from './sessionStore';

/** What the recorder gathered since its last flush, on the engine thread. */
export interface RecordingBatch extends Omit<StoredBatch, 'segments'> {
  /** Each connection's entries since the last flush, in order. */
  logs: Map<number, LogEntry[]>;
}

/**
 * A batch as it crosses to the writer thread: each connection's entries encoded as one segment,
 * all segments in one buffer that is transferred, not cloned (cloning row objects one by one cost
 * more than the TLS work they recorded). `segments` holds (connection id, offset, length) triples.
 */
export interface PackedBatch extends Omit<StoredBatch, 'segments'> {
  segments: number[];
  bytes: ArrayBuffer;
}

/** About how many bytes a batch's segments take (they grow past it if needed). */
export function packedSize(batch: RecordingBatch): number {
  let total = 0;
  for (const entries of batch.logs.values()) {
    for (const e of entries) {
      if (e.type === 'chunk') total += e.inFile ? 26 : 18 + e.data.length;
      else if (e.type === 'certificate') total += 8 + e.der.length;
      else if (e.type === 'keylog') total += 13 + e.line.length;
      else total += 160;
    }
  }
  return total;
}

/**
 * Encodes a batch's entries into `spare` (a buffer the writer thread handed back) when it is large
 * enough, else into a new one. Reusing buffers matters: filling fresh memory cost about five times
 * as much as the copy itself (page faults), on every recorded megabyte.
 */
export function packBatch(batch: RecordingBatch, spare?: ArrayBuffer, minBytes = packedSize(batch)): PackedBatch {
  const encoder = new SegmentEncoder(spare, minBytes);
  const segments: number[] = [];
  for (const [connectionId, entries] of batch.logs) {
    const start = encoder.length;
    for (const e of entries) encoder.entry(e);
    segments.push(connectionId, start, encoder.length - start);
  }
  const { logs: _logs, ...rows } = batch;
  return { ...rows, segments, bytes: encoder.bytes };
}

export function unpackBatch(packed: PackedBatch): StoredBatch {
  const { bytes, segments: places, ...rows } = packed;
  const segments: StoredBatch['segments'] = [];
  for (let i = 0; i < places.length; i += 3) {
    segments.push({ connectionId: places[i], data: Buffer.from(bytes, places[i + 1], places[i + 2]) });
  }
  return { ...rows, segments };
}

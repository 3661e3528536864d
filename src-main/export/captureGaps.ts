// A captured TLS stream with gaps (segments the capture does not hold) made decodable again: each
// direction is cut back to the last whole record before a gap and picks up at a record boundary
// after it, and each gap is described for the timeline. The record decoder reads a direction as
// one byte stream, so a record cut by a gap would swallow the bytes after it and end the decode.
//
// A boundary after a gap is found the way a reader of the RFC would: the record cut by the gap
// said its length (RFC 8446, Section 5.1; RFC 5246, Section 6.2.1), so where the next record
// starts is known when that header was captured; otherwise the first offset from which a chain of
// record headers (known content type, major version 3, length at most 2^14 + 2048) runs through
// the captured bytes is taken.
import type { Direction } from '../api/types';
import { MAX_RECORD_LENGTH } from '../tls/records';
import { concatBytes as concat } from '../bytes';

const HEADER = 5;
/** change_cipher_spec, alert, handshake, application_data, heartbeat. */
const CONTENT_TYPES = new Set([20, 21, 22, 23, 24]);

export interface GappedChunk {
  direction: Direction;
  t: number;
  data: Uint8Array;
  /** Bytes of this direction the capture does not hold just before this chunk. */
  gapBefore?: number;
}

/** The stream around a gap as the capture had it: captured bytes the decoder skips, and holes. */
export type GapPart = { captured: Uint8Array } | { notCaptured: number };

export interface CaptureGap {
  direction: Direction;
  /** When the first bytes after the gap arrived (the time of the chunk after it). */
  t: number;
  /** Bytes the capture does not hold. */
  notCaptured: number;
  /**
   * How many gaps in the sequence numbers this is: gaps with no record boundary between them (a
   * snap length cuts every long packet) make one, so the timeline is not a wall of marks.
   */
  holes: number;
  /** Captured bytes on either side of the gap that belong to records it cut: kept, not decoded. */
  undecoded: Uint8Array;
  /**
   * In stream order, what lies between the last whole record before the gap and the first after
   * it: the undecoded bytes and the holes, so an export can put the capture back as it was.
   */
  layout: GapPart[];
  /** Whether a record boundary was found after the gap (false: the rest up to the next gap is in `undecoded`). */
  resumed: boolean;
  /** Whether the boundary follows from the length of the record the gap cut (else it was searched for). */
  exact: boolean;
  /** Bytes of this direction kept before the gap: where in the stored stream decoding resumes. */
  streamOffset: number;
  /** Whether this direction sent protected records before the gap (so those after it are protected too). */
  protectedBefore: boolean;
}

function headerFits(bytes: Uint8Array, at: number): boolean {
  const available = Math.min(HEADER, bytes.length - at);
  if (available >= 1 && !CONTENT_TYPES.has(bytes[at])) return false;
  if (available >= 2 && bytes[at + 1] !== 0x03) return false;
  if (available >= 3 && bytes[at + 2] > 0x04) return false;
  if (available >= HEADER && ((bytes[at + 3] << 8) | bytes[at + 4]) > MAX_RECORD_LENGTH) return false;
  return true;
}

/** Whole records in a row with valid headers that settle a boundary (a false one survives two headers with a chance of about 1e-12). */
const CONFIRMING_RECORDS = 4;

/**
 * Whether records start at `at` and run on: every header valid, for CONFIRMING_RECORDS whole
 * records, or to exactly the segment's end, or for at least two whole records before one the end
 * cuts. Bounded, so that a search over a long segment stays linear whatever its bytes are.
 */
function chainFrom(bytes: Uint8Array, at: number): boolean {
  let whole = 0;
  let q = at;
  while (q < bytes.length && whole < CONFIRMING_RECORDS) {
    if (!headerFits(bytes, q)) return false;
    if (q + HEADER > bytes.length) return whole >= 2;
    const next = q + HEADER + ((bytes[q + 3] << 8) | bytes[q + 4]);
    if (next > bytes.length) return whole >= 2;
    whole++;
    q = next;
  }
  return whole >= 1;
}

/** Where the last whole record ends, walking from `start`; and where the record after it would end. */
function wholeRecords(bytes: Uint8Array, start: number): { end: number; cutRecordEnd: number | null } {
  let q = start;
  while (q + HEADER <= bytes.length && headerFits(bytes, q)) {
    const next = q + HEADER + ((bytes[q + 3] << 8) | bytes[q + 4]);
    if (next > bytes.length) return { end: q, cutRecordEnd: next };
    q = next;
  }
  // At the end, or a header the end cuts (its length unknown): whole records up to here. Bytes that
  // are no record stay, for the decoder to say what they are.
  return { end: headerFits(bytes, q) ? q : bytes.length, cutRecordEnd: null };
}

/** Whether a change_cipher_spec or application_data record (the wire type of every TLS 1.3 protected record) lies in [start, end). */
function sendsProtected(bytes: Uint8Array, start: number, end: number): boolean {
  for (let q = start; q + HEADER <= end; q += HEADER + ((bytes[q + 3] << 8) | bytes[q + 4])) {
    if (bytes[q] === 20 || bytes[q] === 23) return true;
  }
  return false;
}

/**
 * The chunks with each gap's cut records taken out (so the decoder reads whole records on both
 * sides of it), in their order, and the gaps. Chunks without a gap come back as they are.
 */
export function realignAtGaps<C extends GappedChunk>(chunks: readonly C[]): { chunks: Omit<C, 'gapBefore'>[]; gaps: CaptureGap[] } {
  if (!chunks.some((c) => c.gapBefore)) return { chunks: chunks.map(({ gapBefore: _gap, ...c }) => c), gaps: [] };
  /** Per chunk index, the part of it kept: [from, to) in the chunk's own bytes. */
  const keep = new Map<number, [number, number]>();
  const gaps: CaptureGap[] = [];
  // Each gap's undecoded bytes, joined once at the end: a snap length merges thousands of holes
  // into one gap, and joining at each would copy the growing whole every time.
  const undecodedParts = new Map<CaptureGap, Uint8Array[]>();
  for (const direction of ['client-to-server', 'server-to-client'] as const) {
    const indices = chunks.flatMap((c, i) => (c.direction === direction ? [i] : []));
    // Segments: runs of chunks with no gap between them.
    const segments: number[][] = [];
    for (const i of indices) {
      if (segments.length === 0 || chunks[i].gapBefore) segments.push([]);
      segments[segments.length - 1].push(i);
    }
    /** Where the record the previous gap cut would end, counted from the start of the next segment. */
    let carried: number | null = null;
    let undecodedBefore: Uint8Array = new Uint8Array(0);
    let kept = 0;
    let protectedBefore = false;
    segments.forEach((segment, s) => {
      const bytes = concat(segment.map((i) => chunks[i].data));
      const last = s === segments.length - 1;
      let start = 0;
      let exact = false;
      let expected: number | null = null;
      if (s > 0) {
        const gap = chunks[segment[0]].gapBefore ?? 0;
        expected = carried === null ? null : carried - gap;
        if (expected !== null && expected >= 0 && expected <= bytes.length && (expected === bytes.length || chainFrom(bytes, expected))) {
          start = expected;
          exact = true;
        } else {
          start = bytes.length;
          for (let p = 0; p < bytes.length; p++) {
            if (chainFrom(bytes, p)) {
              start = p;
              break;
            }
          }
        }
      }
      const walked = wholeRecords(bytes, start);
      const end = last ? bytes.length : walked.end;
      if (s > 0) {
        const notCaptured = chunks[segment[0]].gapBefore ?? 0;
        const head = bytes.slice(0, start);
        const gap: CaptureGap = {
          direction,
          t: chunks[segment[0]].t,
          notCaptured,
          holes: 1,
          undecoded: new Uint8Array(0),
          layout: [
            ...(undecodedBefore.length ? [{ captured: undecodedBefore }] : []),
            { notCaptured },
            ...(head.length ? [{ captured: head }] : []),
          ],
          resumed: start < bytes.length,
          exact,
          streamOffset: kept,
          protectedBefore,
        };
        const previous = gaps[gaps.length - 1];
        if (previous && previous.direction === direction && !previous.resumed) {
          previous.notCaptured += gap.notCaptured;
          previous.holes++;
          undecodedParts.get(previous)?.push(undecodedBefore, head);
          previous.layout.push(...gap.layout);
          previous.resumed = gap.resumed;
          previous.exact = gap.exact;
        } else {
          gaps.push(gap);
          undecodedParts.set(gap, [undecodedBefore, head]);
        }
      }
      protectedBefore ||= sendsProtected(bytes, start, walked.end);
      kept += Math.max(0, end - start);
      undecodedBefore = bytes.slice(Math.max(start, end));
      if (start === bytes.length && expected !== null && expected > bytes.length) {
        // Still inside the record cut before: the next gap's boundary follows from its length too.
        carried = expected - bytes.length;
      } else {
        carried = !last && walked.cutRecordEnd !== null && walked.end === end ? walked.cutRecordEnd - bytes.length : null;
      }
      let offset = 0;
      for (const i of segment) {
        const length = chunks[i].data.length;
        const from = Math.min(Math.max(start - offset, 0), length);
        const to = Math.max(Math.min(end - offset, length), from);
        keep.set(i, [from, to]);
        offset += length;
      }
    });
  }
  for (const [gap, parts] of undecodedParts) gap.undecoded = concat(parts);
  const out: Omit<C, 'gapBefore'>[] = [];
  chunks.forEach(({ gapBefore: _gap, ...c }, i) => {
    const [from, to] = keep.get(i) ?? [0, c.data.length];
    if (to <= from) return;
    out.push(from === 0 && to === c.data.length ? c : { ...c, data: c.data.subarray(from, to) });
  });
  return { chunks: out, gaps };
}

// Packing a recording batch for the trip to the writer thread.
import type { ChunkRow, RecordingBatch } from './sessionStore';

/**
 * A batch as it crosses to the writer thread: every chunk's bytes packed into one buffer that is
 * transferred, not cloned (cloning chunk by chunk cost more than the TLS work it recorded).
 */
export interface PackedBatch extends Omit<RecordingBatch, 'chunks'> {
  chunks: (Omit<ChunkRow, 'data'> & { offset: number; length: number })[];
  bytes: ArrayBuffer;
}

/**
 * Packs a batch's chunk bytes into one buffer: `spare` (one the writer thread handed back) when it
 * is large enough, else a new one. Reusing buffers matters: filling fresh memory cost about five
 * times as much as the copy itself (page faults), on every recorded megabyte.
 */
export function packBatch(batch: RecordingBatch, spare?: ArrayBuffer): PackedBatch {
  const total = batch.chunks.reduce((n, c) => n + c.data.length, 0);
  // Not zero-filled (every byte is written below) and never pooled, so it can be transferred.
  const bytes = spare && spare.byteLength >= total ? new Uint8Array(spare) : Buffer.allocUnsafeSlow(total);
  let offset = 0;
  const chunks = batch.chunks.map(({ data, ...row }) => {
    bytes.set(data, offset);
    const packed = { ...row, offset, length: data.length };
    offset += data.length;
    return packed;
  });
  return { ...batch, chunks, bytes: bytes.buffer as ArrayBuffer };
}

export function unpackBatch(packed: PackedBatch): RecordingBatch {
  const { bytes, ...rest } = packed;
  return {
    ...rest,
    chunks: packed.chunks.map(({ offset, length, ...row }) => ({ ...row, data: new Uint8Array(bytes, offset, length) })),
  };
}

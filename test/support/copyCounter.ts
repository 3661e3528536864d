// Counts the bytes the code under test copies into new buffers with concatBytes: how tests show
// that a large body is joined about once, not once per TLS record. Used from a vi.mock factory:
//   const copied = vi.hoisted(() => ({ on: false, bytes: 0 }));
//   vi.mock('../../src-main/bytes', async (original) => (await import('../support/copyCounter')).countingBytes(await original(), copied));
import type * as Bytes from '../../src-main/bytes';

export interface CopyCounter {
  /** Counting happens only while on. */
  on: boolean;
  bytes: number;
}

export function countingBytes(orig: typeof Bytes, counter: CopyCounter): typeof Bytes {
  return {
    ...orig,
    concatBytes: (parts: readonly Uint8Array[]) => {
      const out = orig.concatBytes(parts);
      if (counter.on) counter.bytes += out.length;
      return out;
    },
  };
}

// The gap realignment on its own: bytes that are no record after a gap, a gap in the client's
// direction, a gap on a record boundary, and a capture with no gap at all.
import { describe, expect, it } from 'vitest';
import { realignAtGaps, type GappedChunk } from '../../src-main/export/captureGaps';

function record(type: number, length: number, fill = 0xab): Uint8Array {
  const out = new Uint8Array(5 + length).fill(fill);
  out.set([type, 0x03, 0x03, length >> 8, length & 0xff]);
  return out;
}

const join = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const joined = (chunks: { direction: string; data: Uint8Array }[], direction: string) =>
  Buffer.concat(chunks.filter((c) => c.direction === direction).map((c) => c.data));

describe('realignAtGaps', () => {
  it('leaves a capture with no gap as it is', () => {
    const chunks: GappedChunk[] = [
      { direction: 'client-to-server', t: 0, data: record(22, 40) },
      { direction: 'server-to-client', t: 1, data: record(22, 90) },
    ];
    const out = realignAtGaps(chunks);
    expect(out.gaps).toEqual([]);
    expect(out.chunks.map((c) => c.data)).toEqual(chunks.map((c) => c.data));
  });

  it('after a gap with no record header in what follows, keeps those bytes in the gap and decodes nothing of them', () => {
    const before = join(record(23, 100), record(23, 100).subarray(0, 30));
    const after = new Uint8Array(200).fill(0x41); // "AAAA…": no content type
    const out = realignAtGaps<GappedChunk>([
      { direction: 'server-to-client', t: 0, data: before },
      { direction: 'server-to-client', t: 5, data: after, gapBefore: 1000 },
    ]);
    expect(joined(out.chunks, 'server-to-client').equals(Buffer.from(record(23, 100)))).toBe(true);
    expect(out.gaps).toHaveLength(1);
    expect(out.gaps[0]).toMatchObject({ direction: 'server-to-client', t: 5, notCaptured: 1000, resumed: false, streamOffset: 105, protectedBefore: true });
    // The cut record's 30 bytes and the 200 after the gap: captured, kept, not decoded.
    expect(out.gaps[0].undecoded.length).toBe(230);
  });

  it('gaps with no record boundary between them (a snap length cuts every packet) make one mark, up to where records are whole again', () => {
    const big = record(23, 3000);
    const chunks: GappedChunk[] = [{ direction: 'server-to-client', t: 0, data: record(22, 80) }];
    // Three packets of the big record, each cut to its first 60 bytes, then two whole records.
    for (let i = 0; i < 3; i++) chunks.push({ direction: 'server-to-client', t: i + 1, data: big.subarray(i * 1000, i * 1000 + 60), ...(i > 0 ? { gapBefore: 940 } : {}) });
    const tail = join(record(23, 40), record(21, 2));
    // The last 5 bytes of the big record, 940 bytes after the third piece ends.
    chunks.push({ direction: 'server-to-client', t: 4, data: join(big.subarray(big.length - 5), tail), gapBefore: big.length - 5 - 2060 });
    const out = realignAtGaps(chunks);
    expect(out.gaps).toHaveLength(1);
    expect(out.gaps[0]).toMatchObject({ holes: 3, notCaptured: 940 * 3, resumed: true, exact: true, t: 2 });
    expect(joined(out.chunks, 'server-to-client').equals(Buffer.concat([record(22, 80), tail]))).toBe(true);
  });

  it('a gap in the client direction that falls on a record boundary loses no record', () => {
    const a = record(22, 50);
    const b = record(23, 60);
    const c = record(23, 70);
    const server = record(22, 300);
    const out = realignAtGaps<GappedChunk>([
      { direction: 'client-to-server', t: 0, data: a },
      { direction: 'server-to-client', t: 1, data: server },
      { direction: 'client-to-server', t: 2, data: join(b, c), gapBefore: 400 },
    ]);
    expect(joined(out.chunks, 'client-to-server').equals(Buffer.from(join(a, b, c)))).toBe(true);
    expect(joined(out.chunks, 'server-to-client').equals(Buffer.from(server))).toBe(true);
    expect(out.gaps).toEqual([
      expect.objectContaining({ direction: 'client-to-server', notCaptured: 400, resumed: true, exact: false, streamOffset: a.length, protectedBefore: false }),
    ]);
    expect(out.gaps[0].undecoded.length).toBe(0);
  });

  it('a gap inside a record whose header was captured resumes exactly where that record ends', () => {
    const cut = record(23, 1000);
    const next = record(23, 20, 0x16); // its body looks like headers, to mislead a search
    const out = realignAtGaps<GappedChunk>([
      { direction: 'server-to-client', t: 0, data: cut.subarray(0, 300) },
      { direction: 'server-to-client', t: 9, data: join(cut.subarray(500), next), gapBefore: 200 },
    ]);
    expect(out.gaps[0]).toMatchObject({ resumed: true, exact: true, notCaptured: 200 });
    expect(joined(out.chunks, 'server-to-client').equals(Buffer.from(next))).toBe(true);
    expect(out.gaps[0].undecoded.length).toBe(300 + (cut.length - 500));
  });
});

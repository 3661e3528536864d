// Captures taken apart and put back together for tests: the Ethernet frames of a pcapng the
// workbench wrote, and a classic pcap written from frames (to drop, reorder or re-link them).

export interface Frame {
  time: number;
  data: Uint8Array;
}

/** The Ethernet frames of a pcapng (as written by the workbench), in order. */
export function frames(pcapng: Uint8Array): Frame[] {
  const view = new DataView(pcapng.buffer, pcapng.byteOffset, pcapng.byteLength);
  const out: Frame[] = [];
  for (let at = 0; at < pcapng.length; ) {
    const type = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    if (type === 6) {
      const micros = view.getUint32(at + 12, true) * 0x100000000 + view.getUint32(at + 16, true);
      const captured = view.getUint32(at + 20, true);
      out.push({ time: micros / 1000, data: pcapng.slice(at + 28, at + 28 + captured) });
    }
    at += length;
  }
  return out;
}

/** A classic pcap (microseconds, little-endian) of the frames under a link type (1: Ethernet). */
export function pcap(list: Frame[], linktype = 1): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linktype, 20);
  const records = list.map((f) => {
    const r = Buffer.alloc(16);
    const micros = Math.round(f.time * 1000);
    r.writeUInt32LE(Math.floor(micros / 1e6), 0);
    r.writeUInt32LE(micros % 1e6, 4);
    r.writeUInt32LE(f.data.length, 8);
    r.writeUInt32LE(f.data.length, 12);
    return Buffer.concat([r, f.data]);
  });
  return Buffer.concat([header, ...records]);
}

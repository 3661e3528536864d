// The content identity of a session about to be imported: a SHA-256 over what was recorded (the
// bytes each way of each connection, the key log, the certificates, when and to where), and over
// nothing a copy changes on the way (the bundle's export time, the session's name and tags, the
// file's name, notes the importer writes). The same bundle exported twice, or the same capture
// imported under another file name, has the same identity.
import { createHash, type Hash } from 'node:crypto';
import type { RecordedSession } from './recordedSession';

/**
 * A time to the microsecond, as captures keep it: pcap and pcapng readers reach the same instant
 * through different float arithmetic, and the last bits must not make two captures differ.
 */
function micros(time: number | null): number | null {
  return time === null ? null : Math.round(time * 1000);
}

function field(hash: Hash, value: string | number | null): void {
  const text = value === null ? '\u0000null' : String(value);
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length).update(bytes);
}

export function sessionContentId(session: RecordedSession): string {
  const hash = createHash('sha256');
  field(hash, 'tlslab-session-content-1');
  field(hash, session.kind);
  field(hash, micros(session.startedAt));
  field(hash, session.target);
  field(hash, session.connections.length);
  for (const c of session.connections) {
    field(hash, c.leg);
    field(hash, c.local);
    field(hash, c.remote);
    field(hash, micros(c.openedAt));
    // Each direction as one byte stream: how the bytes were cut into chunks is the recorder's
    // business, and a store may join or split chunks on the way.
    for (const direction of ['client-to-server', 'server-to-client'] as const) {
      const stream = createHash('sha256');
      let length = 0;
      for (const chunk of c.chunks) {
        if (chunk.direction !== direction) continue;
        stream.update(chunk.data);
        length += chunk.data.length;
      }
      field(hash, direction);
      field(hash, length);
      field(hash, stream.digest('hex'));
    }
    const lines = [...new Set(c.keylog.map((k) => k.line.trim()))].sort();
    field(hash, lines.length);
    for (const line of lines) field(hash, line);
    field(hash, c.certificates.length);
    for (const cert of [...c.certificates].sort((a, b) => (a.role === b.role ? a.position - b.position : a.role < b.role ? -1 : 1))) {
      field(hash, `${cert.role}:${cert.position}`);
      field(hash, createHash('sha256').update(cert.der).digest('hex'));
    }
  }
  return hash.digest('hex');
}

// What the tshark-clients test needs around real clients: a relay that keeps each connection apart
// (Chromium opens more than one), a capture of one connection with its key log for tshark, and
// tshark's PDML (every field with its display line) read back into plain objects.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Direction } from '../../src-main/api/types';
import { writePcapng } from '../../src-main/export/pcapng';
import { relayKeeping } from './recordingRelay';
import type { RecordedChunk } from '../../src-main/tls/records';

export interface ConnectionRelay {
  port: number;
  /** One list of chunks per accepted connection, in the order they were accepted. */
  connections: RecordedChunk[][];
  /** Resolves once every connection accepted so far has closed on both sides. */
  settled(): Promise<void>;
  close(): void;
}

export async function connectionRelay(port: number): Promise<ConnectionRelay> {
  const connections: RecordedChunk[][] = [];
  const closing: Promise<void>[] = [];
  const start = performance.now();
  const listener = net.createServer((client) => {
    const chunks: RecordedChunk[] = [];
    connections.push(chunks);
    const keep = (direction: Direction) => (data: Buffer) => chunks.push({ direction, t: performance.now() - start, data: Uint8Array.from(data) });
    const upstream = relayKeeping(client, port, keep);
    // A peer that has gone leaves nothing for the other side to say to it (s_server -www would
    // otherwise wait on a half-closed connection for ever).
    client.once('close', () => upstream.destroySoon());
    upstream.once('close', () => client.destroySoon());
    closing.push(Promise.all([new Promise((r) => client.once('close', r)), new Promise((r) => upstream.once('close', r))]).then(() => undefined));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as net.AddressInfo).port,
    connections,
    settled: async () => {
      await Promise.all(closing);
    },
    close: () => listener.close(),
  };
}

export interface Recorded {
  chunks: RecordedChunk[];
  keylog: string[];
}

export const CAPTURE_SERVER_PORT = 4433;

/** Writes the recording as a pcapng with its key log embedded; returns the file. */
export function writeCapture(dir: string, recorded: Recorded): string {
  const base = Date.now();
  const pcap = writePcapng({
    connections: [
      {
        client: { address: '127.0.0.1', port: 40_000 },
        server: { address: '127.0.0.1', port: CAPTURE_SERVER_PORT },
        chunks: recorded.chunks.map((c) => ({ direction: c.direction, time: base + c.t, data: c.data })),
      },
    ],
    keylog: recorded.keylog,
  });
  const file = path.join(dir, `capture-${base}-${Math.random().toString(16).slice(2)}.pcapng`);
  fs.writeFileSync(file, pcap);
  return file;
}

/** One field of tshark's dissection: its filter name, its display line, its value as shown. */
export interface PdmlField {
  name: string;
  showname: string;
  show: string;
  /** The field's bytes, in hex, as tshark took them from the packet. */
  value: string;
}

function unescape(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCharCode(parseInt(h, 16))).replace(/&amp;/g, '&');
}

/**
 * tshark's fields, in dissection order, of every packet that matches the display filter,
 * one list per packet.
 */
export function pdmlPackets(file: string, filter: string): PdmlField[][] {
  const xml = execFileSync('tshark', ['-r', file, '-d', `tcp.port==${CAPTURE_SERVER_PORT},tls`, '-Y', filter, '-T', 'pdml'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return xml.split('<packet>').slice(1).map((packet) => {
    const fields: PdmlField[] = [];
    for (const tag of packet.matchAll(/<field ([^>]*?)\/?>/g)) {
      const attrs: Record<string, string> = {};
      for (const a of tag[1].matchAll(/(\w+)="([^"]*)"/g)) attrs[a[1]] = unescape(a[2]);
      if (attrs.name) fields.push({ name: attrs.name, showname: attrs.showname ?? '', show: attrs.show ?? '', value: attrs.value ?? '' });
    }
    return fields;
  });
}

/** Every occurrence of one field in a packet's fields. */
export function fieldsNamed(fields: PdmlField[], name: string): PdmlField[] {
  return fields.filter((f) => f.name === name);
}

/**
 * The name in a display line such as "Cipher Suite: TLS_AES_128_GCM_SHA256 (0x1301)" or
 * "Type: key_share (51)": what follows the label, without the trailing code.
 */
export function shownName(field: PdmlField): string {
  const afterLabel = field.showname.slice(field.showname.indexOf(': ') + 2);
  return afterLabel.replace(/ \((0x[0-9a-f]+|\d+)\)$/i, '');
}

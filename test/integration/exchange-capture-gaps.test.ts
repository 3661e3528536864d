// A capture with a gap (a TCP segment the capture does not hold): the records before the gap are
// decoded, the timeline marks "N bytes not captured" where it falls, and decoding resumes after it
// at a record boundary (from the cut record's length, or found by its header), with nothing after
// the gap lost and no "not a TLS record" in between. The gaps are cut out of a real session:
// recorded against openssl s_server, exported as pcapng by the workbench, segments dropped.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionImportResult } from '../../src-main/api/exchangeTypes';
import type { ClientSessionRequest, SessionDetail, TimelineEntry, TlsRecordEntry } from '../../src-main/api/types';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { startLoopbackCapture, tshark } from '../support/loopbackCapture';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { tlslabSync } from '../support/run';
import type { DecryptedRecordInfo } from '../../src-main/api/decryptTypes';
import type { RecordPage } from '../../src-main/api/recordTypes';
import { type Frame, frames, pcap } from '../support/pcapFrames';

let pki: TestPki;
let tmp: string;
let www: string;
let dataDir: string;
let engine: RunningEngine;
let api: ApiConnection;
let tls13: RunningPeer;
let tls12: RunningPeer;
let tls12cbc: RunningPeer;
let tls10: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-gaps-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-gaps-'));
  www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  // Text, so every record after the gap is a full 16 KiB one of the download.
  fs.writeFileSync(path.join(www, 'big.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(4000));
  dataDir = path.join(tmp, 'data');
  engine = await startEngine({ dataDir });
  api = await connectApi(engine);
  tls13 = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-tls1_3'], { cwd: www });
  tls12 = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], { cwd: www });
  tls12cbc = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256'], { cwd: www });
  tls10 = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], { cwd: www });
});

afterAll(async () => {
  api?.close();
  await engine?.close();
  await tls13?.stop();
  await tls12?.stop();
  await tls12cbc?.stop();
  await tls10?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => tlslabSync(dataDir, args);

async function download(peer: RunningPeer, overrides: Partial<ClientSessionRequest> = {}): Promise<SessionDetail> {
  const request: ClientSessionRequest = {
    ...overrides,
    host: 'www.bank32.com',
    port: peer.port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: '/big.txt' },
  };
  const detail = await api.result<SessionDetail>('client.run', request);
  expect(detail.status).toBe('ok');
  return detail;
}

/** TCP payload bytes of an IPv4 Ethernet frame, and its source port. */
function tcpPayload(f: Frame): { port: number; length: number } {
  const ip = 14;
  const tcp = ip + (f.data[ip] & 0x0f) * 4;
  const total = (f.data[ip + 2] << 8) | f.data[ip + 3];
  return { port: (f.data[tcp] << 8) | f.data[tcp + 1], length: ip + total - tcp - (f.data[tcp + 12] >> 4) * 4 };
}

/** The capture of a recorded session with `count` server data segments dropped from the middle of the download. */
function cutCapture(id: number, serverPort: number, count: number, name: string): { file: string; dropped: number } {
  const exported = path.join(tmp, `${name}-whole.pcapng`);
  expect(cli(['sessions', 'export', String(id), '--format', 'pcapng', '--out', exported]).status).toBe(0);
  const all = frames(fs.readFileSync(exported));
  const serverData = all.filter((f) => tcpPayload(f).port === serverPort && tcpPayload(f).length > 0);
  const from = Math.floor(serverData.length / 2);
  const cut = new Set(serverData.slice(from, from + count));
  const dropped = [...cut].reduce((n, f) => n + tcpPayload(f).length, 0);
  const file = path.join(tmp, `${name}.pcap`);
  // Without the Decryption Secrets Block (a classic pcap has none): the key log goes with --keylog.
  fs.writeFileSync(file, pcap(all.filter((f) => !cut.has(f))));
  // tshark agrees a segment is missing (so the test tests something).
  expect(tshark(['-r', file, '-Y', 'tcp.analysis.lost_segment', '-T', 'fields', '-e', 'frame.number']).trim()).not.toBe('');
  return { file, dropped };
}

const records = (timeline: TimelineEntry[]) => timeline.filter((e): e is TlsRecordEntry => e.kind === 'record');

async function importGapped(original: SessionDetail, peer: RunningPeer, count: number, name: string) {
  const { file, dropped } = cutCapture(original.id, peer.port, count, name);
  const keylog = path.join(tmp, `${name}.keys`);
  expect(cli(['sessions', 'export', String(original.id), '--format', 'keylog', '--out', keylog]).status).toBe(0);
  const run = cli(['sessions', 'import', file, '--keylog', keylog, '--json']);
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as SessionImportResult;
  const detail = JSON.parse(cli(['sessions', 'show', String(result.id), '--json']).stdout) as SessionDetail;
  return { result, detail, dropped, file };
}

interface Opened {
  notes: string[];
  records: DecryptedRecordInfo[];
}

const decrypt = async (id: number): Promise<Opened> => (await api.result<Opened[]>('sessions.decrypt', { id }))[0];

/** A record's place in its direction's sequence: the same in the original session and the capture. */
const place = (r: DecryptedRecordInfo) => `${r.direction} ${r.keyEpoch} ${r.sequenceNumber}`;

/**
 * Every protected record opened but the `closed` ones (TLS 1.0: the one whose IV the gap took, just
 * before the resumed one), those after the gap too, and each is the original's record with the
 * same sequence number: the bytes the server sent. Returns the first record opened after the gap.
 */
async function expectOpenedAfterGap(originalId: number, opened: Opened, closed = 0): Promise<DecryptedRecordInfo> {
  const sent = new Map((await decrypt(originalId)).records.map((r) => [place(r), r]));
  const shut = opened.records.filter((r) => r.status !== 'decrypted');
  expect(shut.map((r) => `${r.number} ${r.direction} ${r.status}`)).toHaveLength(closed);
  const marked = opened.records.filter((r) => r.afterGap);
  expect(marked).toHaveLength(1);
  const resumed = marked[0];
  if (closed) {
    const previous = opened.records.filter((r) => r.direction === resumed.direction && r.number < resumed.number).at(-1);
    expect(shut[0]).toBe(previous);
  }
  const after = opened.records.filter((r) => r.number >= resumed.number && r.direction === resumed.direction);
  expect(after.length).toBeGreaterThan(1);
  for (const r of opened.records.filter((x) => x.status === 'decrypted')) {
    const original = sent.get(place(r));
    expect(original, place(r)).toBeDefined();
    expect(r.plaintextHex, place(r)).toBe(original!.plaintextHex);
  }
  // Application data after the gap is there, and it is the file's text.
  const data = after.filter((r) => r.contentType === 23 && r.plaintextLength);
  expect(data.length).toBeGreaterThan(0);
  for (const r of data) expect(r.plaintextText).toContain('The quick brown fox jumps over the lazy dog.\n');
  return resumed;
}

describe('a capture with a gap', () => {
  it.each([
    ['TLS 1.3', () => tls13, {}, 0],
    ['TLS 1.2 (AES-GCM)', () => tls12, {}, 0],
    ['TLS 1.2 (AES-CBC, HMAC-SHA256)', () => tls12cbc, {}, 0],
    // TLS 1.0 chains CBC IVs: the record after the gap took its IV from the record the gap cut.
    ['TLS 1.0 (AES-CBC, chained IVs)', () => tls10, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' }, 1],
  ] as const)('%s, one segment lost inside a record: the records before are decoded, the gap is marked, decoding resumes with the next record, and so does decryption', async (title, peer, client, closedAfterGap) => {
    const original = await download(peer(), client as Partial<ClientSessionRequest>);
    const before = records(original.connections[0].timeline);
    const { result, detail, dropped, file: gapped } = await importGapped(original, peer(), 1, title.replace(/\W+/g, '-'));
    expect(result.notes.join('\n')).toMatch(new RegExp(`${dropped} bytes were not captured \\(one gap`));

    const timeline = detail.connections[0].timeline;
    const marks = timeline.filter((e) => e.kind === 'note' && /not captured here/.test(e.text));
    expect(marks).toHaveLength(1);
    const mark = marks[0] as { text: string };
    expect(mark.text).toContain(`server → client: ${dropped} bytes not captured here`);
    expect(mark.text).toContain("decoding resumes with the next record, where the cut record's length says it starts");

    const after = records(timeline);
    // Nothing read as "not a TLS record", nothing malformed.
    expect(after.filter((r) => r.malformed)).toEqual([]);
    // Every record but the one the gap cut is there, with its length, in order, on both sides of the mark.
    const shape = (list: TlsRecordEntry[]) => list.map((r) => `${r.direction} ${r.contentType} ${r.length}`);
    const lost = before.filter((r) => !shape(after).includes(shape([r])[0]));
    expect(after).toHaveLength(before.length - 1);
    expect(lost.length).toBeLessThanOrEqual(1);
    const markAt = timeline.indexOf(marks[0]);
    expect(records(timeline.slice(0, markAt)).length).toBeGreaterThan(5);
    expect(records(timeline.slice(markAt)).length).toBeGreaterThan(1);
    // The last record of the download, after the gap, is the server's last one.
    expect(shape(after.slice(-1))).toEqual(shape(before.slice(-1)));

    // With the key log, every protected record before the gap opens, and those after it too: the
    // sequence number after the gap was found, and the one record the gap cut is counted as lost.
    const firstAfter = records(timeline.slice(markAt))[0].number;
    const opened = await decrypt(result.id);
    expect(opened.records.filter((r) => r.number < firstAfter).length).toBeGreaterThan(3);
    const resumed = await expectOpenedAfterGap(original.id, opened, closedAfterGap);
    expect(resumed.afterGap).toEqual({ notCaptured: dropped, recordsLost: 1, exact: true });
    // The record inspector opens it too, with the same plaintext.
    const inspected = await api.result<RecordPage>('sessions.records', { id: result.id, from: resumed.number, limit: 1, detail: true });
    expect(inspected.details?.[0].plaintext?.base64).toBe(Buffer.from(resumed.plaintextHex ?? '', 'hex').toString('base64'));
    const gapNotes = opened.notes.filter((n) => n.includes('lost in the gap'));
    expect(gapNotes).toEqual([expect.stringMatching(new RegExp(`^server records, capture gap at byte \\d+ of the stream \\(${dropped} bytes not captured\\): 1 record lost in the gap; decryption resumed at sequence number ${resumed.sequenceNumber}$`))]);
    if (closedAfterGap) {
      expect(opened.records.find((r) => r.status !== 'decrypted')?.problem).toContain('its IV is the last ciphertext block of the record before it');
    }

    // Exported again as pcapng, the gap is where it was: every captured byte goes out, the
    // missing ones stay missing (Wireshark sees the lost segment), and it is the same capture.
    const again = path.join(tmp, `${title.replace(/\W+/g, '-')}-again.pcapng`);
    expect(cli(['sessions', 'export', String(result.id), '--format', 'pcapng', '--out', again]).status).toBe(0);
    const serverBytes = (file: string) =>
      tshark(['-r', file, '-Y', `tcp.srcport == ${peer().port} && tcp.len > 0`, '-T', 'fields', '-e', 'tcp.len'])
        .trim()
        .split('\n')
        .reduce((n, v) => n + Number(v), 0);
    expect(serverBytes(again)).toBe(serverBytes(gapped));
    expect(tshark(['-r', again, '-Y', 'tcp.analysis.lost_segment', '-T', 'fields', '-e', 'frame.number']).trim()).not.toBe('');
    const reimported = JSON.parse(cli(['sessions', 'import', again, '--json']).stdout) as SessionImportResult;
    expect(reimported.alreadyImportedAs).toBe(result.id);
  });

  it('several segments lost, more than a record: decoding resumes at the first record header found after the gap', async () => {
    const original = await download(tls13);
    const before = records(original.connections[0].timeline);
    const { detail, dropped } = await importGapped(original, tls13, 14, 'wide');
    const timeline = detail.connections[0].timeline;
    const mark = timeline.find((e) => e.kind === 'note' && /not captured here/.test(e.text)) as { text: string } | undefined;
    expect(mark?.text).toContain(`server → client: ${dropped} bytes not captured here`);
    expect(mark?.text).toMatch(/\d+ captured bytes next to it belong to records the gap cut and are not decoded/);
    expect(mark?.text).toContain('decoding resumes at the first record header found after it');
    const after = records(timeline);
    expect(after.filter((r) => r.malformed)).toEqual([]);
    // 14 segments of 1460 bytes take two or three records of 16 KiB with them, no more.
    expect(after.length).toBeGreaterThanOrEqual(before.length - 3);
    expect(after.length).toBeLessThan(before.length);
    expect(after[after.length - 1].length).toBe(before[before.length - 1].length);

    // Decryption resumes too, counting the two or three records the gap took.
    const opened = await decrypt(detail.id);
    const resumed = await expectOpenedAfterGap(original.id, opened);
    expect(resumed.afterGap).toEqual({ notCaptured: dropped, recordsLost: before.length - after.length, exact: true });
    expect(opened.notes.join('\n')).toContain(`${before.length - after.length} records lost in the gap; decryption resumed at sequence number ${resumed.sequenceNumber}`);
  });

  it('a capture without gaps decrypts as the recorded session does: no record searched for, no gap note', async () => {
    const original = await download(tls13);
    const exported = path.join(tmp, 'whole.pcapng');
    expect(cli(['sessions', 'export', String(original.id), '--format', 'pcapng', '--out', exported]).status).toBe(0);
    const file = path.join(tmp, 'whole.pcap');
    fs.writeFileSync(file, pcap(frames(fs.readFileSync(exported))));
    const keylog = path.join(tmp, 'whole.keys');
    expect(cli(['sessions', 'export', String(original.id), '--format', 'keylog', '--out', keylog]).status).toBe(0);
    const result = JSON.parse(cli(['sessions', 'import', file, '--keylog', keylog, '--json']).stdout) as SessionImportResult;
    const imported = await decrypt(result.id);
    const recorded = await decrypt(original.id);
    const shape = (o: Opened) => o.records.map((r) => [place(r), r.status, r.plaintextHex, r.afterGap]);
    expect(shape(imported)).toEqual(shape(recorded));
    expect(imported.records.every((r) => r.status === 'decrypted' && r.afterGap === undefined)).toBe(true);
    expect(imported.notes.filter((n) => /gap/.test(n))).toEqual([]);
  });

  it("a real loopback capture cut to a snap length: the handshake decodes, the records after a gap are the server's own, and the cut download is one mark per run of gaps", async () => {
    const file = path.join(tmp, 'loopback.pcapng');
    const capture = await startLoopbackCapture(tls13.port, file);
    const original = await download(tls13);
    await capture.stop();
    const snapped = path.join(tmp, 'loopback-snapped.pcapng');
    execFileSync('editcap', ['-s', '700', file, snapped]);
    const keylog = path.join(tmp, 'loopback.keys');
    expect(cli(['sessions', 'export', String(original.id), '--format', 'keylog', '--out', keylog]).status).toBe(0);
    const run = cli(['sessions', 'import', snapped, '--keylog', keylog, '--json']);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as SessionImportResult;
    expect(result.notes.join('\n')).toMatch(/cut short by the capture's snap length/);
    const detail = JSON.parse(cli(['sessions', 'show', String(result.id), '--json']).stdout) as SessionDetail;
    const connection = detail.connections.find((c) => records(c.timeline).some((r) => r.messages.includes('ServerHello')));
    expect(connection).toBeDefined();
    const timeline = connection!.timeline;
    const got = records(timeline);
    expect(got.filter((r) => r.malformed)).toEqual([]);
    expect(got.find((r) => r.direction === 'client-to-server')?.messages).toContain('ClientHello');
    const marks = timeline.filter((e) => e.kind === 'note' && /not captured here/.test(e.text)) as { text: string }[];
    expect(marks.length).toBeGreaterThan(0);
    // The download's 16 KiB records, each cut in every packet, make few marks, not one per packet.
    const packets = Number(tshark(['-r', snapped, '-Y', `tcp.srcport == ${tls13.port} && tcp.len > 700`, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length);
    expect(marks.length).toBeLessThan(packets);
    expect(marks.some((m) => /\d+ gaps, with no record boundary between them,/.test(m.text))).toBe(true);
    // Decoding resumed after the first gap (the session tickets after the cut certificate flight),
    // and what it read there are the server's own records, in order: a subsequence of the original's.
    const firstMark = timeline.indexOf(marks[0] as TimelineEntry);
    expect(records(timeline.slice(firstMark)).length).toBeGreaterThan(0);
    const sent = records(original.connections[0].timeline).filter((r) => r.direction === 'server-to-client').map((r) => `${r.contentType} ${r.length}`);
    let at = 0;
    for (const r of got.filter((x) => x.direction === 'server-to-client').map((x) => `${x.contentType} ${x.length}`)) {
      at = sent.indexOf(r, at) + 1;
      expect(at, `${r} is no record the server sent, in this order`).toBeGreaterThan(0);
    }
  });
});

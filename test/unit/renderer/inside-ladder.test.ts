import { describe, expect, it } from 'vitest';
import type { RecordRow } from '../../../src-main/api/recordTypes';
import { LADDER, buildLadder, connectionLabel, earlyDataFate, flights, ladderConnections, postHandshakeRequests, roundTripsBeforeData, tcpCloseLabel, tcpConnectLabel } from '../../../src-renderer/src/lib/inside-ladder';
import { decryptionFacts, recordRowView } from '../../../src-renderer/src/lib/inside-records';
import { recordRow, tls12HandshakeRows, tls13HandshakeRows } from './fixtures';

let n = 0;
function row(direction: 'c' | 's', messages: string[], contentType = 22, extra: Partial<RecordRow> = {}): RecordRow {
  n++;
  return recordRow(n, direction, messages, contentType, extra);
}

function tls12(): RecordRow[] {
  n = 0;
  return [
    ...tls12HandshakeRows(row),
    row('c', ['Application Data'], 23, { protected: true, decrypted: true }),
    row('s', ['Application Data'], 23, { protected: true, decrypted: true }),
    row('s', ['Alert (warning, close_notify)'], 21, { protected: true, decrypted: true, alert: { level: 1, levelName: 'warning', description: 0, descriptionName: 'close_notify' } }),
  ];
}

function tls13(): RecordRow[] {
  n = 0;
  return [
    ...tls13HandshakeRows(row),
    row('c', ['Application Data'], 23, { protected: true, decrypted: true }),
    row('s', ['NewSessionTicket'], 23, { protected: true, decrypted: true }),
  ];
}

describe('the ladder diagram', () => {
  it('counts two round trips before data in TLS 1.2 and one in TLS 1.3', () => {
    expect(roundTripsBeforeData(tls12())).toBe(2);
    expect(roundTripsBeforeData(tls13())).toBe(1);
    expect(roundTripsBeforeData(tls12().slice(0, 2))).toBeNull();
  });

  it('groups records into flights and draws them downwards in time order between the two columns', () => {
    const rows = tls12();
    expect(flights(rows).map((f) => f.map((r) => r.number))).toEqual([[1], [2], [3, 4, 5], [6, 7], [8], [9, 10]]);
    const model = buildLadder('client', [
      { leg: 'client', rows, total: rows.length, tcpOpen: { t: 0, label: 'TCP connect' }, tcpClose: { t: 99, label: 'TCP close' } },
    ]);
    expect(model.columns.map((c) => c.label)).toEqual(['Client', 'Server']);
    expect(model.items.map((i) => i.kind)).toEqual(['event', 'flight', 'flight', 'flight', 'flight', 'flight', 'flight', 'event']);
    const ys = model.items.map((i) => i.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    const second = model.items[2];
    expect(second).toMatchObject({ kind: 'flight', from: 1, to: 0 });
    if (second.kind === 'flight') expect(second.lines.map((l) => l.text)).toEqual(['ServerHello, Certificate, ServerKeyExchange, ServerHelloDone']);
    expect(model.roundTrips.map((r) => r.index)).toEqual([1, 2]);
    expect(model.roundTrips[0].y1).toBe(model.items[1].y);
    expect(model.notes[0]).toBe("2 round trips before the client's first application data");
  });

  it('puts a proxy between the client and the server and caps a long flight', () => {
    n = 0;
    const victim = [row('c', ['ClientHello']), row('s', ['ServerHello'])];
    const upstream = [row('c', ['ClientHello']), ...Array.from({ length: 20 }, () => row('s', ['Application Data'], 23))];
    const model = buildLadder('proxy', [
      { leg: 'proxy-client', rows: victim, total: victim.length },
      { leg: 'proxy-upstream', rows: upstream, total: 500 },
    ]);
    expect(model.columns.map((c) => c.label)).toEqual(['Client', 'Proxy', 'Server']);
    const up = model.items.filter((i) => i.kind === 'flight' && i.leg === 'proxy-upstream');
    expect(up.every((i) => Math.min(i.from, i.to) === 1 && Math.max(i.from, i.to) === 2)).toBe(true);
    const long = up[1];
    if (long.kind === 'flight') {
      expect(long.lines).toHaveLength(LADDER.maxLines);
      expect(long.more).toBe(20 - LADDER.maxLines);
      expect(long.truncated).toBe(true);
    }
    expect(model.hidden).toBe(500 - upstream.length);
  });
});

describe('record rows and decryption facts', () => {
  it('shows a record as Wireshark does, with whether it travelled encrypted', () => {
    const rows = tls13();
    expect(recordRowView(rows[3])).toMatchObject({ number: 4, arrow: '←', direction: 'server → client', tone: 'handshake', protection: 'opened' });
    expect(recordRowView(rows[0]).protection).toBe('');
    expect(recordRowView(rows[6]).tone).toBe('data');
    expect(recordRowView(tls12()[9]).tone).toBe('alert');
    expect(recordRowView({ ...rows[6], encrypted: true, decrypted: false }).protection).toBe('locked');
  });

  it('lists nonce, sequence number, additional data and the tag check of an opened record', () => {
    const facts = decryptionFacts({
      number: 7,
      t: 7,
      direction: 'client-to-server',
      outerContentType: 23,
      contentType: 23,
      contentTypeName: 'Application Data',
      length: 120,
      status: 'decrypted',
      keyEpoch: 'application',
      sequenceNumber: 1,
      nonce: { hex: 'aa', construction: 'client_write_iv XOR sequence number 1', fixedIv: 'ab' },
      additionalData: '1703030078',
      tag: 'ff',
      tagCheck: 'ok',
      paddingLength: 0,
      messages: ['Application Data'],
    });
    expect(facts.map((f) => f.label)).toEqual(['Result', 'Keys', 'Sequence number', 'Fixed IV', 'Nonce', 'Additional data', 'Authentication tag', 'Tag check', 'Real content type', 'Zero padding removed']);
    expect(facts.find((f) => f.label === 'Nonce')?.explanation).toContain('XOR sequence number 1');
    expect(facts.find((f) => f.label === 'Tag check')).toMatchObject({ value: 'verified', tone: 'ok' });
  });
});

describe('the connections one ladder draws', () => {
  it('a session of two client connections (a ticket fetched, then resumed) draws the one picked, alone', () => {
    expect(ladderConnections(['client', 'client'], 0)).toEqual([0]);
    expect(ladderConnections(['client', 'client'], 1)).toEqual([1]);
    expect(ladderConnections(['server', 'server', 'server'], 2)).toEqual([2]);
  });

  it('a proxy draws both legs of the victim connection picked: the k-th client leg with the k-th upstream leg', () => {
    expect(ladderConnections(['proxy-client', 'proxy-upstream'], 0)).toEqual([0, 1]);
    expect(ladderConnections(['proxy-client', 'proxy-upstream'], 1)).toEqual([0, 1]);
    const two = ['proxy-client', 'proxy-upstream', 'proxy-client', 'proxy-upstream'] as const;
    expect(ladderConnections(two, 2)).toEqual([2, 3]);
    expect(ladderConnections(two, 1)).toEqual([0, 1]);
    // A victim the proxy never reached upstream for: its own leg only.
    expect(ladderConnections(['proxy-client', 'proxy-upstream', 'proxy-client'], 2)).toEqual([2]);
  });

});

describe('the TCP connect line of the ladder', () => {
  it('reads from the side that connected to the side that listened, whichever side the workbench was', () => {
    // The workbench's client connected: its own address first.
    expect(tcpConnectLabel('client', '127.0.0.1:50000', '127.0.0.1:4433')).toBe('TCP connect 127.0.0.1:50000 → 127.0.0.1:4433');
    expect(tcpConnectLabel('proxy-upstream', '127.0.0.1:50001', '127.0.0.1:4433')).toBe('TCP connect 127.0.0.1:50001 → 127.0.0.1:4433');
    // The workbench listened (its server, the proxy's victim leg): the peer connected to it.
    expect(tcpConnectLabel('server', '127.0.0.1:4433', '127.0.0.1:50002')).toBe('TCP connect 127.0.0.1:50002 → 127.0.0.1:4433');
    expect(tcpConnectLabel('proxy-client', '127.0.0.1:8443', '127.0.0.1:50003')).toBe('TCP connect 127.0.0.1:50003 → 127.0.0.1:8443');
  });
});

/** s_client -early_data against s_server: the 0-RTT record with the ClientHello, then the handshake. */
function zeroRtt(accepted: boolean, opened = true): RecordRow[] {
  n = 0;
  const sealed = { protected: true, decrypted: opened };
  return [
    row('c', ['ClientHello']),
    row('c', ['Change Cipher Spec (compatibility)'], 20),
    row('c', [opened ? 'Application Data (0-RTT)' : 'Application Data (0-RTT, encrypted)'], 23, sealed),
    row('s', ['ServerHello']),
    row('s', opened ? ['EncryptedExtensions', 'Finished'] : ['Application Data (encrypted)'], 23, sealed),
    ...(accepted ? [row('c', [opened ? 'EndOfEarlyData' : 'Application Data (encrypted)'], 23, sealed)] : []),
    row('c', [opened ? 'Finished' : 'Application Data (encrypted)'], 23, sealed),
    row('s', [opened ? 'NewSessionTicket' : 'Application Data (encrypted)'], 23, sealed),
    row('c', [opened ? 'Application Data' : 'Application Data (encrypted)'], 23, sealed),
  ];
}

describe('0-RTT early data in the ladder', () => {
  it('accepted (the client sent EndOfEarlyData): no round trip before the client data', () => {
    expect(earlyDataFate(zeroRtt(true))).toBe('accepted');
    expect(roundTripsBeforeData(zeroRtt(true))).toBe(0);
    const rows = zeroRtt(true);
    const model = buildLadder('client', [{ leg: 'client', rows, total: rows.length }]);
    expect(model.notes).toEqual(["0 round trips before the client's first application data (its 0-RTT data, sent with the ClientHello, was accepted)"]);
  });

  it('turned down (no EndOfEarlyData): the data reached nobody, the ladder says so and counts the round trip the client waited', () => {
    const rows = zeroRtt(false);
    expect(earlyDataFate(rows)).toBe('rejected');
    expect(roundTripsBeforeData(rows)).toBe(1);
    const model = buildLadder('client', [{ leg: 'client', rows, total: rows.length }]);
    expect(model.notes).toEqual(["1 round trip before the client's first application data (its 0-RTT data was turned down: the server skipped it)"]);
    const lines = model.items.flatMap((i) => (i.kind === 'flight' ? i.lines.map((l) => l.text) : []));
    expect(lines).toContain('Application Data (0-RTT): turned down');
  });

  it('with the client records closed (no key log), the ladder does not guess', () => {
    expect(earlyDataFate(zeroRtt(true, false))).toBe('unknown');
    const rows = zeroRtt(true, false);
    expect(buildLadder('client', [{ leg: 'client', rows, total: rows.length }]).notes[0]).toContain('whether the server took it is in records not opened');
  });

  it('a handshake with no 0-RTT data is counted as before', () => {
    expect(earlyDataFate(tls13())).toBe('none');
    expect(buildLadder('client', [{ leg: 'client', rows: tls13(), total: 8 }]).notes).toEqual(["1 round trip before the client's first application data"]);
  });
});

describe('the ladder of an imported capture', () => {
  it('does not call either side the workbench: both programs are in the capture', () => {
    const legs = [{ leg: 'client' as const, rows: tls13(), total: 8 }];
    expect(buildLadder('client', legs, true).columns).toEqual([
      { label: 'Client', note: 'in the capture' },
      { label: 'Server', note: 'in the capture' },
    ]);
    expect(buildLadder('client', legs).columns[0].note).toBe('the workbench');
  });

  it('says which side closed TCP by its role', () => {
    expect(tcpCloseLabel('local', true)).toBe('TCP close by the client');
    expect(tcpCloseLabel('peer', true)).toBe('TCP close by the server');
    expect(tcpCloseLabel('local', false)).toBe('TCP close by the workbench');
    expect(tcpCloseLabel('peer', false)).toBe('TCP close by the peer');
    expect(tcpCloseLabel('unknown', true)).toBe('TCP close');
  });
});

describe('handshakes after the first, in the ladder', () => {
  function lines(rows: RecordRow[]): string[][] {
    const model = buildLadder('server', [{ leg: 'server', rows, total: rows.length }]);
    return model.items.flatMap((i) => (i.kind === 'flight' ? [i.lines.map((l) => l.text)] : []));
  }

  it('a TLS 1.2 renegotiation: the ClientHello sent under the keys starts its own flight and says what it is', () => {
    const rows = tls12().slice(0, 8); // ... the client's Application Data last
    rows.push(row('c', ['ClientHello'], 22, { protected: true, decrypted: true }));
    rows.push(row('s', ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone'], 22, { protected: true, decrypted: true }));
    const drawn = lines(rows);
    expect(drawn.at(-3)).toEqual(['Application Data']);
    expect(drawn.at(-2)).toEqual(['ClientHello (renegotiation)']);
  });

  it('after a HelloRetryRequest: the second ClientHello goes with the compatibility ChangeCipherSpec before it', () => {
    n = 0;
    const rows = [
      row('c', ['ClientHello']),
      row('s', ['HelloRetryRequest']),
      row('s', ['Change Cipher Spec (compatibility)'], 20),
      row('c', ['Change Cipher Spec (compatibility)'], 20),
      row('c', ['ClientHello']),
      row('s', ['ServerHello']),
    ];
    expect(lines(rows)).toEqual([
      ['ClientHello'],
      ['HelloRetryRequest', 'Change Cipher Spec (compatibility)'],
      ['Change Cipher Spec (compatibility)', 'ClientHello (after HelloRetryRequest)'],
      ['ServerHello'],
    ]);
  });
});

describe('post-handshake client authentication in the ladder', () => {
  it('a CertificateRequest after the client Finished says it is post-handshake; one in the handshake or a renegotiation does not', () => {
    n = 0;
    const rows = [
      row('c', ['ClientHello']),
      row('s', ['ServerHello']),
      row('s', ['EncryptedExtensions', 'CertificateRequest', 'Certificate', 'CertificateVerify', 'Finished'], 23, { protected: true, decrypted: true }),
      row('c', ['Certificate', 'CertificateVerify', 'Finished'], 23, { protected: true, decrypted: true }),
      row('c', ['Application Data'], 23, { protected: true, decrypted: true }),
      row('s', ['CertificateRequest'], 23, { protected: true, decrypted: true }),
      row('c', ['Certificate', 'CertificateVerify', 'Finished'], 23, { protected: true, decrypted: true }),
    ];
    expect([...postHandshakeRequests(rows)]).toEqual([6]);
    const texts = buildLadder('client', [{ leg: 'client', rows, total: rows.length }]).items.flatMap((i) => (i.kind === 'flight' ? i.lines.map((l) => l.text) : []));
    expect(texts).toContain('CertificateRequest (post-handshake)');
    expect(texts).toContain('EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished');

    const renegotiated = [...tls12(), row('c', ['ClientHello'], 22, { protected: true }), row('s', ['ServerHello', 'Certificate', 'CertificateRequest', 'ServerHelloDone'], 22, { protected: true })];
    expect(postHandshakeRequests(renegotiated).size).toBe(0);
  });
});

describe('the Connection list', () => {
  it('tells two connections of one leg apart by their ends, written client to server', () => {
    expect(connectionLabel(0, 'client', '127.0.0.1:56258', '127.0.0.1:15401')).toBe('1: client, 127.0.0.1:56258 → 127.0.0.1:15401');
    expect(connectionLabel(1, 'client', '127.0.0.1:45742', '127.0.0.1:15401')).toBe('2: client, 127.0.0.1:45742 → 127.0.0.1:15401');
    expect(connectionLabel(0, 'proxy-client', '127.0.0.1:8443', '127.0.0.1:39022')).toBe('1: client to proxy, 127.0.0.1:39022 → 127.0.0.1:8443');
    expect(connectionLabel(2, 'server', null, null)).toBe('3: server');
  });
});

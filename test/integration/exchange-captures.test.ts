// Captures a teacher brings from other tools: tshark on the loopback interface while curl (with
// SSLKEYLOGFILE) talks to `openssl s_server`, then the forms such a capture travels in: gzip
// compressed (Wireshark opens .pcapng.gz as it is), cut by a snap length (editcap -s), started after a
// connection's handshake, with a connection that is not TLS at all. Each is imported with the
// tlslab command and checked against what tshark reads in the same file.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackCapture, tshark } from '../support/loopbackCapture';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { interactiveSClient, startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { tlslabSync } from '../support/run';

const hasTool = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error === undefined;
const tools = ['tshark', 'editcap', 'mergecap', 'curl', 'gzip'].filter((t) => !hasTool(t));

let pki: TestPki;
let tmp: string;
let peer: RunningPeer;
let whole: string;
let snapped: string;
let keylog: string;

const cli = tlslabSync;

interface Imported {
  id: number;
  source: string;
  connections: number;
  keylogLines: number;
  notes: string[];
}

function importInto(name: string, file: string, extra: string[] = []): { dataDir: string; result: Imported } {
  const dataDir = path.join(tmp, `data-${name}`);
  const run = cli(dataDir, ['sessions', 'import', file, ...extra, '--json']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return { dataDir, result: JSON.parse(run.stdout) as Imported };
}

interface ShownConnection {
  local: string;
  keylog: string[];
}

function show(dataDir: string, id: number): { connections: ShownConnection[] } {
  return JSON.parse(cli(dataDir, ['sessions', 'show', String(id), '--json']).stdout) as { connections: ShownConnection[] };
}

/** Client randoms of the ClientHellos tshark reads, by client port. */
function clientRandoms(file: string): Map<string, string> {
  const rows = tshark(['-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tls.handshake.random']);
  return new Map(rows.split('\n').filter(Boolean).map((r) => r.split('\t') as [string, string]));
}

beforeAll(async () => {
  if (tools.length) return;
  pki = makeTestPki('tlslab-captures-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-captures-'));
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
  whole = path.join(tmp, 'whole.pcapng');
  snapped = path.join(tmp, 'snapped.pcapng');
  keylog = path.join(tmp, 'keys.log');
  const capturing = await startLoopbackCapture(peer.port, whole);
  for (const max of ['1.2', '1.3']) {
    execFileSync('curl', ['-s', '-o', '/dev/null', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${peer.port}:127.0.0.1`, '--tls-max', max, `https://www.bank32.com:${peer.port}/`], {
      env: { ...process.env, SSLKEYLOGFILE: keylog },
    });
  }
  // Bytes that are not TLS, to the same port: s_server answers them with an alert and closes.
  await new Promise<void>((resolve) => {
    const plain = net.connect(peer.port, '127.0.0.1', () => plain.write('GET / HTTP/1.0\r\n\r\n'));
    plain.on('data', () => undefined);
    plain.on('close', () => resolve());
    plain.on('error', () => resolve());
  });
  await capturing.stop();
  // The same packets as a capture with -s 200 keeps them: each cut to its first 200 bytes.
  execFileSync('editcap', ['-s', '200', whole, snapped]);
}, 60_000);

afterAll(async () => {
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(tools.length > 0)('a capture whose first handshake failed', () => {
  it('shows the session by the connection that worked, and a capture of the failure alone names the alert', async () => {
    const only12 = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1_2']);
    try {
      const file = path.join(tmp, 'retry.pcapng');
      const keys = path.join(tmp, 'retry-keys.log');
      const capturing = await startLoopbackCapture(only12.port, file);
      const curl = (args: string[]) =>
        spawnSync('curl', ['-s', '-o', '/dev/null', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${only12.port}:127.0.0.1`, ...args, `https://www.bank32.com:${only12.port}/`], {
          env: { ...process.env, SSLKEYLOGFILE: keys },
        }).status;
      expect(curl(['--tlsv1.3'])).not.toBe(0);
      expect(curl([])).toBe(0);
      await capturing.stop();
      const versions = tshark(['-r', file, '-Y', 'tls.handshake.type == 2', '-T', 'fields', '-e', 'tls.handshake.version']).trim();
      expect(versions).toBe('0x0303');

      const { dataDir, result } = importInto('retry', file, ['--keylog', keys]);
      expect(result.connections).toBe(2);
      const shown = JSON.parse(cli(dataDir, ['sessions', 'show', String(result.id), '--json']).stdout) as { status: string; version: string; error: unknown };
      expect(shown).toMatchObject({ status: 'ok', version: 'TLSv1.2', error: null });

      // The failed attempt alone: its alert is the reason given.
      const frames = tshark(['-r', file, '-Y', 'tls.handshake.type == 2', '-T', 'fields', '-e', 'tcp.stream']).trim();
      const failedOnly = path.join(tmp, 'failed-only.pcapng');
      execFileSync('editcap', [file, failedOnly, ...tshark(['-r', file, '-Y', `tcp.stream == ${frames}`, '-T', 'fields', '-e', 'frame.number']).trim().split('\n')]);
      const failed = importInto('failed-only', failedOnly);
      const error = JSON.parse(cli(failed.dataDir, ['sessions', 'show', String(failed.result.id), '--json']).stdout) as { status: string; error: { message: string } };
      expect(error.status).toBe('failed');
      expect(error.error.message).toMatch(/the server ended the first one with alert protocol_version \(fatal\)/);
    } finally {
      await only12.stop();
    }
  });
});

describe.skipIf(tools.length > 0)('a capture of a client refusing the certificate', () => {
  it('is a failed session that names the client\'s alert, though the handshake got its ServerHello', async () => {
    const file = path.join(tmp, 'refused.pcapng');
    const capturing = await startLoopbackCapture(peer.port, file);
    // No CA given: curl does not trust the server's certificate and ends the TLS 1.2 handshake with an alert.
    const status = spawnSync('curl', ['-s', '-o', '/dev/null', '--tls-max', '1.2', '--resolve', `www.bank32.com:${peer.port}:127.0.0.1`, `https://www.bank32.com:${peer.port}/`]).status;
    await capturing.stop();
    expect(status).not.toBe(0);
    const alert = tshark(['-r', file, '-Y', 'tls.alert_message', '-T', 'fields', '-e', 'tls.alert_message.desc']).trim();
    expect(alert).toBe('48'); // unknown_ca
    const { dataDir, result } = importInto('refused', file);
    const shown = JSON.parse(cli(dataDir, ['sessions', 'show', String(result.id), '--json']).stdout) as { status: string; version: string; error: { message: string } | null };
    expect(shown.version).toBe('TLSv1.2');
    expect(shown.status).toBe('failed');
    expect(shown.error?.message).toBe('the client ended the connection with alert unknown_ca (fatal)');
  });
});

describe.skipIf(tools.length > 0)('a capture of a TLS 1.2 renegotiation', () => {
  it('gives the connection the key log line of the encrypted second ClientHello too, so the records after it open', async () => {
    // OpenSSL 3 servers refuse a client's renegotiation unless told to allow it.
    const plain = await startOpensslServer(pki.serverCert, pki.serverKey, ['-tls1_2', '-client_renegotiation']);
    try {
      const file = path.join(tmp, 'renegotiation.pcapng');
      const keys = path.join(tmp, 'renegotiation-keys.log');
      const capturing = await startLoopbackCapture(plain.port, file);
      const verified = (o: string) => (o.match(/verify return:1/g) ?? []).length;
      let verifiedFirst = 0;
      const out = await interactiveSClient(['-connect', `127.0.0.1:${plain.port}`, '-tls1_2', '-CAfile', pki.caCert, '-keylogfile', keys], [
        { send: 'before the renegotiation\n', until: (o) => o.includes('Verify return code') && (verifiedFirst = verified(o)) > 0 },
        // The second handshake verifies the chain again: twice as many "verify return" lines.
        { send: 'R\n', until: (o) => o.includes('RENEGOTIATING') && verified(o) >= 2 * verifiedFirst },
        { send: 'after the renegotiation\n', until: () => plain.output().includes('after the renegotiation') },
      ]);
      await capturing.stop();
      expect(out.output).toContain('RENEGOTIATING');
      // Two handshakes, two CLIENT_RANDOM lines; tshark sees one ClientHello in the clear.
      expect(fs.readFileSync(keys, 'utf8').trim().split('\n').filter((l) => l.startsWith('CLIENT_RANDOM'))).toHaveLength(2);
      const { dataDir, result } = importInto('renegotiation', file, ['--keylog', keys]);
      expect(show(dataDir, result.id).connections[0].keylog).toHaveLength(2);
      const decrypted = cli(dataDir, ['sessions', 'show', String(result.id), '--decrypt']).stdout;
      expect(decrypted).toContain('before the renegotiation');
      expect(decrypted).toContain('after the renegotiation');
    } finally {
      await plain.stop();
    }
  });
});

describe.skipIf(tools.length > 0)(`captures made by tshark${tools.length ? ` (skipped: ${tools.join(', ')} not installed)` : ''}`, () => {
  it('a gzip-compressed capture (which tshark reads as it is) imports like the capture itself', () => {
    const gz = `${whole}.gz`;
    fs.writeFileSync(gz, execFileSync('gzip', ['-c', whole], { maxBuffer: 64 * 1024 * 1024 }));
    expect(tshark(['-r', gz, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tcp.srcport']).trim().split('\n')).toHaveLength(2);

    const plain = importInto('plain', whole, ['--keylog', keylog]).result;
    const compressed = importInto('gzip', gz, ['--keylog', keylog]).result;
    expect(compressed.source).toBe('pcapng');
    expect(compressed.connections).toBe(2);
    expect(compressed.keylogLines).toBe(plain.keylogLines);

    // A damaged gzip file gets one line that says so.
    const cut = path.join(tmp, 'cut.pcapng.gz');
    fs.writeFileSync(cut, fs.readFileSync(gz).subarray(0, 200));
    const failed = cli(path.join(tmp, 'data-cut'), ['sessions', 'import', cut]);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toMatch(/gzip-compressed file does not uncompress/);
  });

  it('a capture cut by a snap length: each connection keeps only its own key log lines, and the notes say why bytes are missing', () => {
    const randoms = clientRandoms(whole);
    const { dataDir, result } = importInto('snapped', snapped, ['--keylog', keylog]);
    expect(result.connections).toBe(2);
    expect(result.notes.join('\n')).toMatch(/cut short by the capture's snap length/);
    expect(result.notes.join('\n')).toMatch(/snap length cut short/);
    const session = show(dataDir, result.id);
    for (const c of session.connections) {
      const random = randoms.get(c.local.split(':').pop() as string);
      expect(random).toBeDefined();
      expect(c.keylog.length).toBeGreaterThan(0);
      for (const line of c.keylog) expect(line.split(' ')[1].toLowerCase()).toBe(random);
    }
    // Every line of the key log is on exactly one connection, as tshark pairs them.
    expect(result.keylogLines).toBe(fs.readFileSync(keylog, 'utf8').split('\n').filter(Boolean).length);
  });

  it('the same packets twice (mergecap -a, or one capture of two interfaces): each connection once, with its bytes once', () => {
    const twice = path.join(tmp, 'twice.pcapng');
    execFileSync('mergecap', ['-a', '-w', twice, whole, whole]);
    // tshark: the same conversations, each packet counted twice.
    const conversations = (file: string) => tshark(['-r', file, '-q', '-z', 'conv,tcp']).split('\n').filter((l) => l.includes('<->')).length;
    expect(conversations(twice)).toBe(conversations(whole));

    const once = importInto('once', whole, ['--keylog', keylog]);
    const doubled = importInto('twice', twice, ['--keylog', keylog]);
    expect(doubled.result.connections).toBe(once.result.connections);
    const bytes = (dataDir: string, id: number) =>
      (JSON.parse(cli(dataDir, ['sessions', 'show', String(id), '--json']).stdout) as { connections: { bytesClientToServer: number; bytesServerToClient: number }[] }).connections.map(
        (c) => [c.bytesClientToServer, c.bytesServerToClient],
      );
    expect(bytes(doubled.dataDir, doubled.result.id)).toEqual(bytes(once.dataDir, once.result.id));
  });

  it('the key log and the capture swapped: each gets one plain line that says which is which', () => {
    const asCapture = cli(path.join(tmp, 'data-swap-1'), ['sessions', 'import', keylog]);
    expect(asCapture.status).toBe(1);
    expect(asCapture.stderr.trim().split('\n')).toHaveLength(1);
    expect(asCapture.stderr).toMatch(/keys\.log: this file is a TLS key log \(SSLKEYLOGFILE\), not a capture; import the capture and give this file as its key log \(--keylog\)/);

    const asKeylog = cli(path.join(tmp, 'data-swap-2'), ['sessions', 'import', whole, '--keylog', whole]);
    expect(asKeylog.status).toBe(1);
    expect(asKeylog.stderr.trim().split('\n')).toHaveLength(1);
    expect(asKeylog.stderr).toMatch(/whole\.pcapng is not a key log: it holds binary data/);
    // Not a byte of the capture is echoed to the terminal.
    expect(asKeylog.stderr).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('connections the import leaves out (not TLS; begun before the capture) are named in a note', () => {
    // Drop the first connection's SYN, SYN-ACK, ACK and ClientHello, as if the capture began then.
    const firstPorts = tshark(['-r', whole, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport']).trim().split('\n');
    const [helloFrame, clientPort] = firstPorts[0].split('\t');
    // That connection's frames only: s_server answers port probes late, and their frames may fall in between.
    const cut = tshark(['-r', whole, '-Y', `tcp.port == ${clientPort} && frame.number <= ${helloFrame}`, '-T', 'fields', '-e', 'frame.number']).trim().split('\n');
    expect(cut.length).toBeGreaterThanOrEqual(4);
    const late = path.join(tmp, 'late.pcapng');
    execFileSync('editcap', [whole, late, ...cut]);

    const { result } = importInto('late', late, ['--keylog', keylog]);
    expect(result.connections).toBe(1);
    const note = result.notes.find((n) => /no TLS ClientHello/.test(n));
    // The cut connection, whichever side is named first (without its SYN nobody can tell), and the plain one.
    expect(note).toMatch(/^2 TCP connections with data from the client but no TLS ClientHello were left out/);
    const cutPair = [`127.0.0.1:${clientPort} ↔ 127.0.0.1:${peer.port}`, `127.0.0.1:${peer.port} ↔ 127.0.0.1:${clientPort}`];
    expect(cutPair.some((pair) => note?.includes(pair))).toBe(true);
    expect(note).toMatch(new RegExp(`127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${peer.port}`));
  });
});

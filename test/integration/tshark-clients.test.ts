// The record inspector against tshark on what real clients send today: the ClientHello of
// Chromium, curl, Python's ssl, openssl s_client and Node's tls, and the server's flight from
// openssl s_server and from the workbench's own server, each read by the workbench's decoder and
// by tshark from the same bytes (a pcapng with the key log inside). Every extension type, cipher
// suite, group, key share, signature scheme, version, ALPN protocol and certificate compression
// algorithm must carry the name tshark shows, in the same order, with the same lengths; nothing
// tshark takes apart may be left as raw bytes.
//
// tshark here is 4.0, older than the registries: where it says "Unknown" (or a name IANA has
// since given to something else), the reference is the IANA registry, named in IANA_NEWER below.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordField } from '../../src-main/api/recordTypes';
import { handshakeMessageTree } from '../../src-main/sessions/recordFields';
import { execFileSync } from 'node:child_process';
import * as registry from '../../src-main/tls/registry';
import { isGrease } from '../../src-main/tls/registry';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { Workbench } from '../../src-main/workbench';
import { chromiumLaunchOptions } from '../support/chromium';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { run } from '../support/run';
import { isSessionOf } from '../support/serverSessions';
import { connectionRelay, fieldsNamed, pdmlPackets, shownName, writeCapture, type PdmlField, type Recorded } from '../support/tsharkClients';
import { waitUntil } from '../support/waitUntil';

let pki: TestPki;
let dir: string;
let wb: Workbench;
const peers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-tshark-clients-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-tshark-clients-'));
  wb = new Workbench({ dataDir: path.join(dir, 'data') });
});

afterAll(async () => {
  await wb?.close();
  for (const p of peers) await p.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Names tshark 4.0 does not have, from the IANA "TLS Parameters" registries; for ALPS, which IANA
 * does not list, from BoringSSL, which defined both codepoints.
 */
const IANA_NEWER: Record<string, Record<number, string>> = {
  extension: {
    // ALPS moved to 17613 in Chromium; BoringSSL now calls 17513 application_settings_old and tshark
    // 4.0, which predates the move, calls 17513 application_settings.
    17513: 'application_settings_old',
    17613: 'application_settings',
    0xfe0d: 'encrypted_client_hello',
  },
  group: {
    // tshark 4.0 still gives 0x0200-0x0202 the names of OQS's old experiments (frodo640aes ...).
    0x0200: 'MLKEM512',
    0x0201: 'MLKEM768',
    0x0202: 'MLKEM1024',
    0x11eb: 'SecP256r1MLKEM768',
    0x11ec: 'X25519MLKEM768',
    0x11ed: 'SecP384r1MLKEM1024',
    0x6399: 'X25519Kyber768Draft00',
  },
  scheme: {
    0x0904: 'mldsa44',
    0x0905: 'mldsa65',
    0x0906: 'mldsa87',
  },
};

/** Codepoints neither IANA nor Wireshark names; the inspector must show them as unknown. */
const UNASSIGNED_EXTENSIONS = new Set([
  0xca34, // Chromium's experimental trust anchor IDs (draft-ietf-tls-trust-anchor-ids): no codepoint yet
]);

function all(node: RecordField, test: (n: RecordField) => boolean, out: RecordField[] = []): RecordField[] {
  if (test(node)) out.push(node);
  for (const c of node.children ?? []) all(c, test, out);
  return out;
}

const named = (name: string | RegExp) => (n: RecordField) => (typeof name === 'string' ? n.name === name : name.test(n.name));

function first(node: RecordField, name: string): RecordField {
  const found = all(node, named(name))[0];
  if (!found) throw new Error(`no ${name} in ${node.name}`);
  return found;
}

function extension(hello: RecordField, name: string): RecordField | undefined {
  return all(hello, (n) => n.note?.startsWith('extension ') === true && n.name === name)[0];
}

/** Our name for a code node: "TLS_AES_128_GCM_SHA256 (0x1301)" -> TLS_AES_128_GCM_SHA256; "GREASE (0x0a0a)" -> GREASE. */
function ourName(node: RecordField): string {
  return (node.value ?? '').replace(/ \((0x[0-9a-f]+|\d+)\)$/i, '');
}

/**
 * The same codes in the same order, and for each the name tshark shows, unless tshark shows none
 * (then the IANA name from `newer`, or unknown) or names a GREASE value (we say "GREASE").
 */
function sameCodes(kind: string, theirs: PdmlField[], ours: RecordField[]): void {
  expect(ours.map((n) => n.code), `${kind} codes`).toEqual(theirs.map((f) => Number(f.show)));
  theirs.forEach((field, i) => {
    const code = Number(field.show);
    const node = ours[i];
    const theirName = shownName(field);
    const label = `${kind} 0x${code.toString(16)}: tshark "${field.showname}", ours "${node.value}"`;
    if (isGrease(code) && (theirName === 'Reserved (GREASE)' || theirName.startsWith('Unknown'))) {
      expect(ourName(node), label).toBe('GREASE');
    } else if (IANA_NEWER[kind]?.[code] !== undefined) {
      expect(ourName(node), label).toBe(IANA_NEWER[kind][code]);
    } else if (theirName.startsWith('Unknown')) {
      expect(node.unknown, label).toBe(true);
    } else if (kind === 'psk mode') {
      // "PSK with (EC)DHE key establishment (psk_dhe_ke)": the RFC name in brackets.
      expect(theirName.endsWith(`(${ourName(node)})`), label).toBe(true);
    } else {
      expect(ourName(node), label).toBe(theirName);
    }
  });
}

/** The first ClientHello of a recording, as the inspector shows it. */
function ourClientHello(recorded: Recorded): RecordField {
  const message = decryptConnection({ chunks: recorded.chunks, keylog: recorded.keylog }).decoded.handshakeMessages.find((m) => m.name === 'ClientHello');
  if (!message) throw new Error('no ClientHello in the recording');
  return handshakeMessageTree(message);
}

/** Extensions of a type someone has named whose data we left as raw bytes. */
function rawNamedExtensions(tree: RecordField): string[] {
  return all(tree, (n) => n.note?.startsWith('extension ') === true && !n.unknown && !n.name.startsWith('GREASE') && (n.children ?? []).some((c) => c.name === 'extension_data')).map((n) => n.name);
}

/** Compares our ClientHello with tshark's, field by field; returns both for the client's own checks. */
function clientHelloAgrees(recorded: Recorded): { ours: RecordField; theirs: PdmlField[] } {
  const file = writeCapture(dir, recorded);
  const [theirs] = pdmlPackets(file, 'tls.handshake.type == 1');
  expect(theirs, 'tshark finds the ClientHello').toBeDefined();
  const ours = ourClientHello(recorded);
  expect(ours.malformed).toBeUndefined();
  const only = (ext: string, pattern: RegExp) => {
    const node = extension(ours, ext);
    return (node?.children ?? []).flatMap((c) => all(c, named(pattern)));
  };

  // Every extension: type, name, length.
  const types = all(ours, named('extension_type'));
  sameCodes('extension', fieldsNamed(theirs, 'tls.handshake.extension.type'), types);
  for (const node of types) {
    if (UNASSIGNED_EXTENSIONS.has(node.code ?? -1)) expect(node.unknown).toBe(true);
  }
  expect(all(ours, named('extension_data length')).map((n) => n.value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extension.len').map((f) => f.show));
  expect(rawNamedExtensions(ours)).toEqual([]);

  sameCodes('cipher suite', fieldsNamed(theirs, 'tls.handshake.ciphersuite'), all(first(ours, 'cipher_suites'), named(/^cipher suite \d+$/)));
  sameCodes('group', fieldsNamed(theirs, 'tls.handshake.extensions_supported_group'), only('supported_groups', /^group \d+$/));
  // Signature schemes of signature_algorithms, signature_algorithms_cert and delegated_credentials, in wire order.
  const schemeLists = all(ours, (n) => n.note?.startsWith('extension ') === true && ['signature_algorithms', 'signature_algorithms_cert', 'delegated_credentials'].includes(n.name));
  sameCodes('scheme', fieldsNamed(theirs, 'tls.handshake.sig_hash_alg'), schemeLists.flatMap((n) => all(n, named(/^scheme \d+$/))));
  sameCodes('version', fieldsNamed(theirs, 'tls.handshake.extensions.supported_version'), only('supported_versions', /^version \d+$/));
  sameCodes('compression algorithm', fieldsNamed(theirs, 'tls.compress_certificate.algorithm'), only('compress_certificate', /^algorithm \d+$/));
  sameCodes('psk mode', fieldsNamed(theirs, 'tls.extension.psk_ke_mode'), only('psk_key_exchange_modes', /^mode \d+$/));
  sameCodes('point format', fieldsNamed(theirs, 'tls.handshake.extensions_ec_point_format'), only('ec_point_formats', /^format \d+$/));

  // Key shares: each group, and the length of its key.
  const shares = only('key_share', /^client_share$/);
  sameCodes('group', fieldsNamed(theirs, 'tls.handshake.extensions_key_share_group'), shares.map((s) => first(s, 'group')));
  expect(shares.map((s) => first(s, 'key_exchange length').value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_key_share_key_exchange_length').map((f) => f.show));

  // status_request and status_request_v2: each request's type (RFC 6066 and RFC 6961 names; tshark says "OCSP", "OCSP Multi").
  const statusLists = all(ours, (n) => n.note?.startsWith('extension ') === true && (n.name === 'status_request' || n.name === 'status_request_v2'));
  expect(statusLists.flatMap((n) => all(n, named('status_type')).map((t) => t.code))).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_status_request_type').map((f) => Number(f.show)));
  expect(only('record_size_limit', /^record_size_limit$/).map((n) => n.value)).toEqual(fieldsNamed(theirs, 'tls.record_size_limit').map((f) => f.show));
  // ALPS under the codepoint tshark 4.0 knows (17513; it leaves 17613 raw).
  expect(only('application_settings_old', /^protocol_name$/).map((n) => n.value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_alps_alpn_str').map((f) => f.show));
  expect(only('padding', /^padding$/).map((n) => n.length)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_padding_data').map((f) => f.show.replace(/:/g, '').length / 2));

  // Every list's length prefix.
  const lengthIn = (ext: string, list?: string, label = 'length'): string[] => {
    const node = extension(ours, ext);
    if (!node) return [];
    const holder = list ? (node.children ?? []).find((c) => c.name === list) : node;
    const found = (holder?.children ?? []).find((c) => c.name === label);
    return found?.value !== undefined ? [found.value] : [];
  };
  const lengths: [string, string[]][] = [
    ['tls.handshake.session_id_length', [first(first(ours, 'legacy_session_id'), 'length').value as string]],
    ['tls.handshake.cipher_suites_length', [first(first(ours, 'cipher_suites'), 'length').value as string]],
    ['tls.handshake.extensions_length', [first(first(ours, 'extensions'), 'length').value as string]],
    ['tls.handshake.extensions_server_name_list_len', lengthIn('server_name', undefined, 'server_name_list length')],
    ['tls.handshake.extensions_alpn_len', lengthIn('application_layer_protocol_negotiation', undefined, 'protocol_name_list length')],
    ['tls.handshake.extensions_key_share_client_length', lengthIn('key_share', undefined, 'client_shares length')],
    ['tls.handshake.extensions.supported_versions_len', lengthIn('supported_versions', 'versions')],
    ['tls.handshake.extensions_supported_groups_length', lengthIn('supported_groups', 'named_group_list')],
    ['tls.handshake.extensions_ec_point_formats_length', lengthIn('ec_point_formats', 'ec_point_format_list')],
    ['tls.extension.psk_ke_modes_length', lengthIn('psk_key_exchange_modes', 'ke_modes')],
    ['tls.compress_certificate.algorithms_length', lengthIn('compress_certificate', 'algorithms')],
    ['tls.handshake.extensions_alps_len', lengthIn('application_settings_old', undefined, 'supported_protocols length')],
  ];
  for (const [field, ourLengths] of lengths) expect(ourLengths, field).toEqual(fieldsNamed(theirs, field).map((f) => f.show));

  // ALPN protocols and the server name.
  expect(only('application_layer_protocol_negotiation', /^protocol_name$/).map((n) => n.value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_alpn_str').map((f) => f.show));
  expect(only('application_layer_protocol_negotiation', /^protocol_name$/).map((n) => first(n, 'length').value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_alpn_str_len').map((f) => f.show));
  expect(only('server_name', /^host_name$/).map((n) => n.value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_server_name').map((f) => f.show));
  return { ours, theirs };
}

async function opensslServer(args: string[] = ['-www']): Promise<RunningPeer> {
  const peer = await startOpensslServer(pki.serverCert, pki.serverKey, args);
  peers.push(peer);
  return peer;
}

/** Runs a client through a fresh relay to s_server -www; the first connection and the client's key log. */
async function through(client: (port: number, keylog: string) => Promise<unknown>): Promise<Recorded> {
  const server = await opensslServer();
  const relay = await connectionRelay(server.port);
  const keylog = path.join(dir, `keys-${relay.port}.txt`);
  try {
    await client(relay.port, keylog);
    await relay.settled();
  } finally {
    relay.close();
  }
  const lines = fs.existsSync(keylog) ? fs.readFileSync(keylog, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')) : [];
  const chunks = relay.connections.find((c) => c.some((x) => x.direction === 'client-to-server'));
  if (!chunks) throw new Error('the client never connected');
  return { chunks, keylog: lines };
}

const clientGroup = (recorded: RecordField) => {
  const node = extension(recorded, 'supported_groups');
  return node ? all(node, named(/^group \d+$/)).map(ourName) : [];
};

describe('ClientHellos of real clients read as tshark reads them', () => {
  it('Chromium: GREASE everywhere, X25519MLKEM768, ALPS and a GREASE ECH', async () => {
    const recorded = await through(async (port, keylog) => {
      const browser = await chromium.launch(chromiumLaunchOptions([`--ssl-key-log-file=${keylog}`, '--host-resolver-rules=MAP www.bank32.com 127.0.0.1']));
      try {
        const context = await browser.newContext({ ignoreHTTPSErrors: true });
        const page = await context.newPage();
        await page.goto(`https://www.bank32.com:${port}/`);
        expect(await page.content()).toContain('s_server');
      } finally {
        await browser.close();
      }
    });
    const { ours, theirs } = clientHelloAgrees(recorded);
    // GREASE (RFC 8701) in the suites, the extensions, the groups, the versions and the key shares.
    expect(all(first(ours, 'cipher_suites'), named(/^cipher suite/)).some((n) => ourName(n) === 'GREASE')).toBe(true);
    expect(all(ours, named('extension_type')).filter((n) => ourName(n) === 'GREASE').length).toBeGreaterThanOrEqual(2);
    expect(first(ours, 'supported_versions').value).toMatch(/^GREASE \(0x([0-9a-f])a\1a\), TLS 1\.3, TLS 1\.2$/);

    // The hybrid post-quantum share: X25519MLKEM768 (0x11ec), 1184 bytes of ML-KEM key and 32 of X25519.
    expect(clientGroup(ours)).toContain('X25519MLKEM768');
    const hybrid = all(first(ours, 'key_share'), named('client_share')).find((s) => s.value === 'X25519MLKEM768');
    expect(hybrid && first(hybrid, 'key_exchange length').value).toBe('1216');

    // ALPS: the protocols the client has settings for (tshark 4.0 leaves 17613 raw; its data is a list of ALPN names).
    const alps = extension(ours, 'application_settings') ?? extension(ours, 'application_settings_old');
    expect(alps?.value).toBe('h2');
    expect(first(alps as RecordField, 'supported_protocols length').value).toBe('3');

    // The GREASE ECH (tshark 4.0 leaves it raw): an outer ECHClientHello whose parts fill the extension exactly.
    const ech = extension(ours, 'encrypted_client_hello') as RecordField;
    expect(first(ech, 'type').value).toBe('outer (0x00)');
    expect(first(ech, 'cipher_suite').value).toMatch(/^HKDF-SHA(256|384|512)\/(AES-128-GCM|AES-256-GCM|ChaCha20Poly1305)$/);
    const [echLength] = fieldsNamed(theirs, 'tls.handshake.extension.type')
      .map((f, i) => [f, fieldsNamed(theirs, 'tls.handshake.extension.len')[i]] as const)
      .filter(([f]) => Number(f.show) === 0xfe0d)
      .map(([, len]) => Number(len.show));
    const enc = Number(first(first(ech, 'enc'), 'length').value);
    const payload = Number(first(first(ech, 'payload'), 'length').value);
    expect(1 + 4 + 1 + 2 + enc + 2 + payload).toBe(echLength);
    expect(enc).toBe(32); // an X25519 encapsulated key

    // Certificate compression: brotli, as Chromium offers it.
    expect(extension(ours, 'compress_certificate')?.value).toContain('brotli');
  });

  it('curl: padding, post_handshake_auth and its ALPN list', async () => {
    const recorded = await through((port, keylog) =>
      run('curl', ['-sk', '--http2', '--resolve', `www.bank32.com:${port}:127.0.0.1`, `https://www.bank32.com:${port}/`], { env: { ...process.env, SSLKEYLOGFILE: keylog } }),
    );
    const { ours, theirs } = clientHelloAgrees(recorded);
    expect(extension(ours, 'post_handshake_auth')?.value).toBe('(empty)');
    const padding = extension(ours, 'padding');
    if (padding) {
      const [theirPadding] = fieldsNamed(theirs, 'tls.handshake.extensions_padding_data');
      expect(padding.value).toBe(`${theirPadding.show.replace(/:/g, '').length / 2} zero bytes`);
    }
    expect(extension(ours, 'application_layer_protocol_negotiation')?.value).toBe('h2, http/1.1');
  });

  it("Python's ssl: session_ticket, encrypt_then_mac and the FFDHE groups", async () => {
    const script = [
      'import socket, ssl, sys',
      'c = ssl.create_default_context()',
      'c.check_hostname = False',
      'c.verify_mode = ssl.CERT_NONE',
      'c.keylog_filename = sys.argv[2]',
      "c.set_alpn_protocols(['http/1.1'])",
      "s = c.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))), server_hostname='www.bank32.com')",
      "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')",
      'while s.recv(4096): pass',
    ].join('\n');
    const recorded = await through((port, keylog) => run('python3', ['-c', script, String(port), keylog]));
    const { ours } = clientHelloAgrees(recorded);
    expect(extension(ours, 'session_ticket')?.value).toBe('(empty)');
    expect(extension(ours, 'encrypt_then_mac')?.value).toBe('(empty)');
    expect(clientGroup(ours)).toEqual(expect.arrayContaining(['ffdhe2048', 'ffdhe8192']));
  });

  it('openssl s_client with -groups naming every group this OpenSSL offers, -status and -alpn', async () => {
    const recorded = await through((port, keylog) =>
      run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-keylogfile', keylog, '-groups', 'X25519:P-256:X448:P-521:P-384:ffdhe2048:ffdhe3072', '-status', '-alpn', 'h2,http/1.1', '-ign_eof'], {
        input: 'GET / HTTP/1.0\r\n\r\n',
      }),
    );
    const { ours } = clientHelloAgrees(recorded);
    expect(clientGroup(ours)).toEqual(['x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1', 'ffdhe2048', 'ffdhe3072']);
    expect(first(extension(ours, 'status_request') as RecordField, 'status_type').value).toBe('ocsp (0x01)');
  });

  it("Node's tls: its default ClientHello", async () => {
    const recorded = await through(
      (port, keylog) =>
        new Promise<void>((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] });
          socket.on('keylog', (line) => fs.appendFileSync(keylog, line));
          socket.on('secureConnect', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
          socket.on('data', () => undefined);
          socket.on('close', () => resolve());
          socket.on('error', reject);
        }),
    );
    const { ours } = clientHelloAgrees(recorded);
    expect(first(ours, 'server_name').value).toBe('www.bank32.com');
  });
});

/** A ClientHello built byte by byte: what Firefox and others send that no client here does. */
function builtClientHello(): Uint8Array {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
  const vector = (width: 1 | 2 | 3, bytes: Buffer) => Buffer.concat([width === 1 ? Buffer.from([bytes.length]) : width === 2 ? u16(bytes.length) : Buffer.from([bytes.length >> 16, (bytes.length >> 8) & 255, bytes.length & 255]), bytes]);
  const ext = (type: number, data: Buffer) => Buffer.concat([u16(type), vector(2, data)]);
  const codes = (list: number[]) => vector(2, Buffer.concat(list.map(u16)));
  const ocspRequest = vector(2, Buffer.concat([vector(2, Buffer.alloc(0)), vector(2, Buffer.alloc(0))]));
  const extensions = Buffer.concat([
    ext(0, vector(2, Buffer.concat([Buffer.from([0]), vector(2, Buffer.from('www.bank32.com'))]))),
    ext(17, vector(2, Buffer.concat([Buffer.from([2]), ocspRequest, Buffer.from([1]), ocspRequest]))), // status_request_v2: ocsp_multi, ocsp
    ext(28, u16(16385)), // record_size_limit
    ext(34, codes([0x0403, 0x0503, 0x0603, 0x0203])), // delegated_credentials
    ext(49, Buffer.alloc(0)), // post_handshake_auth
    ext(17513, vector(2, vector(1, Buffer.from('h2')))), // ALPS, the first codepoint
    ext(0xfe0d, Buffer.from([1])), // ECH: the inner ClientHello's marker
    ext(35, Buffer.from('a ticket to show')), // session_ticket with a ticket
    ext(50, codes([0x0403, 0x0804, 0x0303, 0x0904])), // signature_algorithms_cert
    ext(43, vector(1, Buffer.concat([u16(0x3a3a), u16(0x0304), u16(0x0303)]))),
    ext(10, codes([0x4a4a, 0x11ec, 0x11eb, 0x11ed, 0x6399, 0x0201, 0x001d, 0x0017, 0x0100])),
    ext(13, codes([0x0403, 0x0804, 0x0401, 0x0201, 0x0301, 0x0402])),
    ext(51, vector(2, Buffer.concat([u16(0x001d), vector(2, Buffer.alloc(32, 7)), u16(0x0017), vector(2, Buffer.alloc(65, 4))]))),
    ext(45, vector(1, Buffer.from([0, 1]))),
    ext(27, vector(1, Buffer.concat([u16(1), u16(2), u16(3)]))),
    ext(21, Buffer.alloc(20)),
  ]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 1), vector(1, Buffer.alloc(0)), codes([0x2a2a, 0x1301, 0x1303, 0x1302, 0xcca9, 0xcca8, 0xc02b, 0xc02f, 0x0033, 0x0039]), vector(1, Buffer.from([0])), vector(2, extensions)]);
  const handshake = Buffer.concat([Buffer.from([1]), vector(3, body)]);
  return Buffer.concat([Buffer.from([22, 3, 1]), vector(2, handshake)]);
}

describe('a ClientHello with the extensions no client here sends', () => {
  it('record_size_limit, delegated_credentials, status_request_v2, ALPS (17513), an inner ECH and a session ticket read as tshark reads them', () => {
    const { ours } = clientHelloAgrees({ chunks: [{ direction: 'client-to-server', t: 0, data: builtClientHello() }], keylog: [] });
    expect(extension(ours, 'record_size_limit')?.value).toBe('16385 bytes');
    expect(extension(ours, 'delegated_credentials')?.value).toBe('4 schemes');
    expect(extension(ours, 'status_request_v2')?.value).toBe('ocsp_multi, ocsp');
    expect(extension(ours, 'application_settings_old')?.value).toBe('h2');
    expect(extension(ours, 'encrypted_client_hello')?.value).toBe('inner');
    expect(extension(ours, 'session_ticket')?.value).toBe('16-byte ticket');
    expect(extension(ours, 'post_handshake_auth')?.value).toBe('(empty)');
  });
});

// ---------------------------------------------------------------------------------------------
// The server's flight: ServerHello, EncryptedExtensions, Certificate, CertificateVerify, NewSessionTicket

/** Every handshake message of a recording, decrypted with its key log, as the inspector shows them. */
function ourMessages(recorded: Recorded): RecordField[] {
  const result = decryptConnection({ chunks: recorded.chunks, keylog: recorded.keylog });
  return result.decoded.handshakeMessages.map((m) => handshakeMessageTree(m));
}

function serverFlightAgrees(recorded: Recorded): RecordField[] {
  const file = writeCapture(dir, recorded);
  const theirs = pdmlPackets(file, 'tls.handshake').flat();
  const messages = ourMessages(recorded);
  const byName = (name: string) => messages.filter((m) => m.name === name);
  for (const name of ['ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'NewSessionTicket']) {
    expect(byName(name).length, `a ${name} in the recording`).toBeGreaterThan(0);
  }
  for (const m of messages) expect(m.malformed, m.name).toBeUndefined();
  expect(messages.map((m) => m.name)).toEqual(
    fieldsNamed(theirs, 'tls.handshake.type').map((f) => shownName(f).replace(/ /g, '')),
  );

  // Every extension of every message, in order: type, name and length.
  const everyExtension = messages.flatMap((m) => all(m, named('extension_type')));
  sameCodes('extension', fieldsNamed(theirs, 'tls.handshake.extension.type'), everyExtension);
  expect(messages.flatMap((m) => all(m, named('extension_data length')).map((n) => n.value))).toEqual(fieldsNamed(theirs, 'tls.handshake.extension.len').map((f) => f.show));
  expect(messages.flatMap(rawNamedExtensions)).toEqual([]);

  // The suites (the ClientHello's, then the one chosen), the versions, the key shares and their lengths.
  sameCodes('cipher suite', fieldsNamed(theirs, 'tls.handshake.ciphersuite'), messages.flatMap((m) => all(m, named(/^(cipher suite \d+|cipher_suite)$/))).filter((n) => n.code !== undefined));
  sameCodes('version', fieldsNamed(theirs, 'tls.handshake.extensions.supported_version'), messages.flatMap((m) => all(m, named(/^(version \d+|selected_version)$/))));
  const shares = messages.flatMap((m) => all(m, named(/^(client|server)_share$/)));
  sameCodes('group', fieldsNamed(theirs, 'tls.handshake.extensions_key_share_group'), shares.map((s) => first(s, 'group')));
  expect(shares.map((s) => first(s, 'key_exchange length').value)).toEqual(fieldsNamed(theirs, 'tls.handshake.extensions_key_share_key_exchange_length').map((f) => f.show));

  // The ALPN protocols (offered, then chosen in EncryptedExtensions).
  expect(messages.flatMap((m) => all(m, (n) => n.name === 'application_layer_protocol_negotiation' && n.note?.startsWith('extension ') === true)).flatMap((n) => all(n, named('protocol_name')).map((p) => p.value))).toEqual(
    fieldsNamed(theirs, 'tls.handshake.extensions_alpn_str').map((f) => f.show),
  );

  // Certificate: each certificate's length and the list's.
  const certificate = byName('Certificate')[0];
  expect(all(certificate, named(/^certificate \d+$/)).map((c) => first(c, 'length').value)).toEqual(fieldsNamed(theirs, 'tls.handshake.certificate_length').map((f) => f.show));
  expect(first(first(certificate, 'certificate_list'), 'length').value).toBe(fieldsNamed(theirs, 'tls.handshake.certificates_length')[0]?.show);

  // CertificateVerify: the scheme (every scheme of every message, in order) and the signature's length.
  const schemes = messages.flatMap((m) => all(m, (n) => /^scheme \d+$/.test(n.name) || (m.name === 'CertificateVerify' && n.name === 'algorithm')));
  sameCodes('scheme', fieldsNamed(theirs, 'tls.handshake.sig_hash_alg'), schemes);
  expect(first(first(byName('CertificateVerify')[0], 'signature'), 'length').value).toBe(fieldsNamed(theirs, 'tls.handshake.client_cert_vrfy.sig_len')[0]?.show);

  // NewSessionTicket: lifetime, age_add, nonce and ticket, ticket by ticket.
  const tickets = byName('NewSessionTicket');
  expect(tickets.map((t) => first(t, 'ticket_lifetime').value)).toEqual(fieldsNamed(theirs, 'tls.handshake.session_ticket_lifetime_hint').map((f) => `${f.show} s`));
  expect(tickets.map((t) => first(t, 'ticket_age_add').value)).toEqual(fieldsNamed(theirs, 'tls.handshake.session_ticket_age_add').map((f) => f.show));
  expect(tickets.map((t) => first(t, 'ticket_nonce').length - 1)).toEqual(fieldsNamed(theirs, 'tls.handshake.session_ticket_nonce_length').map((f) => Number(f.show)));
  expect(tickets.map((t) => first(t, 'ticket').length - 2)).toEqual(fieldsNamed(theirs, 'tls.handshake.session_ticket_length').map((f) => Number(f.show)));
  return messages;
}

describe("the server's flight read as tshark reads it", () => {
  const clientArgs = ['-servername', 'www.bank32.com', '-tls1_3', '-alpn', 'h2,http/1.1', '-ign_eof'];

  it('from openssl s_server', async () => {
    const server = await opensslServer(['-www', '-alpn', 'http/1.1']);
    const relay = await connectionRelay(server.port);
    const keylog = path.join(dir, `keys-flight-${relay.port}.txt`);
    try {
      await run('openssl', ['s_client', '-connect', `127.0.0.1:${relay.port}`, '-keylogfile', keylog, ...clientArgs], { input: 'GET / HTTP/1.0\r\n\r\n' });
      await relay.settled();
    } finally {
      relay.close();
    }
    const messages = serverFlightAgrees({ chunks: relay.connections[0], keylog: fs.readFileSync(keylog, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')) });
    expect(messages.filter((m) => m.name === 'NewSessionTicket').length).toBe(2);
  });

  it("from the workbench's server, as it recorded the connection itself", async () => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey }, alpn: ['http/1.1'] });
    try {
      await run('openssl', ['s_client', '-connect', server.address, ...clientArgs], { input: 'GET / HTTP/1.0\r\n\r\n' });
      // The recorder writes in batches: wait for the finished session and its connection.
      const connection = await waitUntil('the server to record the connection', () => {
        const session = wb.listSessions(50).find((s) => isSessionOf(s, server) && s.status !== 'running');
        return session ? wb.sessions.getConnections(session.id)[0] : undefined;
      });
      const messages = serverFlightAgrees({ chunks: wb.sessions.getChunks(connection.id), keylog: wb.sessions.getKeylog(connection.id) });
      expect(first(messages.find((m) => m.name === 'EncryptedExtensions') as RecordField, 'application_layer_protocol_negotiation').value).toBe('http/1.1');
    } finally {
      await wb.servers.stop(server.id);
    }
  });
});

describe("Chromium's ClientHello as the workbench's server records it", () => {
  it('the byte tap keeps what tshark reads, GREASE, the hybrid share, ALPS and ECH included', async () => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey } });
    try {
      const browser = await chromium.launch(chromiumLaunchOptions(['--host-resolver-rules=MAP www.bank32.com 127.0.0.1']));
      try {
        const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
        await page.goto(`https://www.bank32.com:${server.port}/`);
      } finally {
        await browser.close();
      }
      const recorded: Recorded = await waitUntil("the server to record Chromium's connection", () => {
        const session = wb.listSessions(50).find((s) => isSessionOf(s, server) && s.status !== 'running');
        const connection = session ? wb.sessions.getConnections(session.id)[0] : undefined;
        return connection ? { chunks: wb.sessions.getChunks(connection.id), keylog: wb.sessions.getKeylog(connection.id) } : undefined;
      });
      const { ours } = clientHelloAgrees(recorded);
      expect(clientGroup(ours)).toContain('X25519MLKEM768');
      expect(extension(ours, 'encrypted_client_hello')).toBeDefined();
    } finally {
      await wb.servers.stop(server.id);
    }
  });
});

describe("the registry against Wireshark's own tables (tshark -G values)", () => {
  it('every cipher suite, extension, group, signature scheme, version and certificate compression algorithm Wireshark names carries its name here', () => {
    const tables: [string, string, (code: number) => string][] = [
      ['tls.handshake.extension.type', 'extension', registry.extensionName],
      ['tls.handshake.ciphersuite', 'cipher suite', registry.cipherSuiteName],
      ['tls.handshake.extensions_supported_group', 'group', registry.namedGroupName],
      ['tls.handshake.sig_hash_alg', 'scheme', registry.signatureSchemeName],
      ['tls.handshake.extensions.supported_version', 'version', registry.versionName],
      ['tls.compress_certificate.algorithm', 'compression algorithm', registry.certificateCompressionAlgorithmName],
      ['tls.handshake.extensions_ec_point_format', 'point format', registry.ecPointFormatName],
      ['tls.handshake.max_fragment_length', 'max_fragment_length', registry.maxFragmentLengthName],
      ['tls.handshake.key_update.request_update', 'request_update', registry.keyUpdateRequestName],
    ];
    // The pre-standard ChaCha20 suites: Wireshark gives them the standard suites' names (0xcca8-0xccaa).
    const ours: Record<number, string> = { 0xcc13: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD', 0xcc14: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD', 0xcc15: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD' };
    const values = execFileSync('tshark', ['-G', 'values'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n');
    const differences: string[] = [];
    let compared = 0;
    for (const line of values) {
      const [kind, field, codeText, theirs] = line.split('\t');
      const table = kind === 'V' ? tables.find(([f]) => f === field) : undefined;
      if (!table || theirs === undefined) continue;
      const code = Number(codeText);
      const [, label, nameOf] = table;
      const expected = isGrease(code) && theirs === 'Reserved (GREASE)' ? `GREASE (0x${code.toString(16).padStart(4, '0')})` : (IANA_NEWER[label]?.[code] ?? (label === 'cipher suite' ? ours[code] : undefined) ?? theirs);
      compared++;
      if (nameOf(code) !== expected) differences.push(`${label} 0x${code.toString(16)}: Wireshark "${theirs}", ours "${nameOf(code)}"`);
    }
    expect(compared).toBeGreaterThan(700);
    expect(differences).toEqual([]);
  });
});

describe('signed_certificate_timestamp (RFC 6962) in a TLS 1.2 ServerHello', () => {
  it('each SCT: version, log id, timestamp, extensions, signature algorithm and signature, as tshark reads them', () => {
    const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
    const vector = (width: 1 | 2 | 3, bytes: Buffer) => Buffer.concat([width === 1 ? Buffer.from([bytes.length]) : width === 2 ? u16(bytes.length) : Buffer.from([bytes.length >> 16, (bytes.length >> 8) & 255, bytes.length & 255]), bytes]);
    const sct = (logByte: number, when: number, signature: number) => {
      const timestamp = Buffer.alloc(8);
      timestamp.writeBigUInt64BE(BigInt(when));
      return vector(2, Buffer.concat([Buffer.from([0]), Buffer.alloc(32, logByte), timestamp, vector(2, Buffer.alloc(0)), u16(0x0403), vector(2, Buffer.alloc(signature, 0x30))]));
    };
    const scts = vector(2, Buffer.concat([sct(0xa4, Date.UTC(2026, 10, 27, 8, 30, 0, 123), 71), sct(0x29, Date.UTC(2026, 0, 2, 3, 4, 5, 6), 70)]));
    const extensions = Buffer.concat([u16(0xff01), vector(2, Buffer.from([0])), u16(18), vector(2, scts)]);
    const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 2), vector(1, Buffer.alloc(0)), u16(0xc02f), Buffer.from([0]), vector(2, extensions)]);
    const handshake = Buffer.concat([Buffer.from([2]), vector(3, body)]);
    const recorded: Recorded = { chunks: [{ direction: 'server-to-client', t: 0, data: Buffer.concat([Buffer.from([22, 3, 3]), vector(2, handshake)]) }], keylog: [] };
    const [theirs] = pdmlPackets(writeCapture(dir, recorded), 'tls.handshake.type == 2');
    const [message] = ourMessages(recorded);
    expect(message.malformed).toBeUndefined();
    const ext = extension(message, 'signed_certificate_timestamp') as RecordField;
    expect(ext.value).toBe('2 SCTs');
    expect(rawNamedExtensions(message)).toEqual([]);
    const ours = all(ext, named('SignedCertificateTimestamp'));
    const their = (name: string) => fieldsNamed(theirs, name);
    expect(first(ext, 'sct_list length').value).toBe(their('tls.sct.scts_length')[0].show);
    expect(ours.map((n) => first(n, 'length').value)).toEqual(their('tls.sct.sct_length').map((f) => f.show));
    expect(ours.map((n) => first(n, 'version').value)).toEqual(their('tls.sct.sct_version').map((f) => `v1 (${f.show})`));
    expect(ours.map((n) => first(n, 'log_id').value)).toEqual(their('tls.sct.sct_logid').map((f) => f.value.slice(0, 48) + '… (32 bytes)'));
    // tshark's value is the 8-byte count of milliseconds; ours the same instant, in UTC.
    expect(ours.map((n) => first(n, 'timestamp').value)).toEqual(their('tls.sct.sct_timestamp').map((f) => `${new Date(Number(BigInt(`0x${f.value}`))).toISOString().slice(0, 23).replace('T', ' ')} UTC`));
    expect(ours.map((n) => first(first(n, 'extensions'), 'length').value)).toEqual(their('tls.sct.sct_extensions_length').map((f) => f.show));
    expect(ours.map((n) => first(first(n, 'signature'), 'length').value)).toEqual(their('tls.sct.sct_signature_length').map((f) => f.show));
    sameCodes('scheme', their('tls.handshake.sig_hash_alg'), ours.map((n) => first(n, 'algorithm')));
  });
});

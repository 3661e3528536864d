// One recorded connection opened: from its chunks, its NSS key log lines and (optionally) the
// server's private key to the key material with every derivation step, and every protected record
// decrypted, TLS 1.3's encrypted handshake included. Pure: bytes in, values out; run per
// connection, when someone asks.

import type { KeyObject } from 'node:crypto';
import type {
  ConnectionKeys,
  DecryptedRecordInfo,
  RecordAfterGap,
  DerivationStep,
  HandshakeMessageInfo,
  KeyValue,
} from '../api/decryptTypes';
import type { Direction } from '../api/types';
import type { ClientHello, HandshakeMessage, ServerHello } from './handshake';
import { distinguishedNameText } from '../pki/names';
import { deriveSecret, hashOf, hkdfExpandLabel, hkdfExtract } from './hkdf';
import { TLS13_KEYLOG_LABELS, nextTrafficSecret, trafficKeys, upperScheduleNote } from './keySchedule13';
import { type KeyBlock, concat, extendedMasterSecret, hmac, keyBlock, keyValue, masterSecret, prfFor, toHex, unknownValue } from './prf';
import { type OpenedRecord, type RecordKeys, openRecord } from './recordCrypto';
import {
  type DecodedConnection,
  type DecryptedRecord,
  type ProtectedRecord,
  type RecordDecryptor,
  type RecordedChunk,
  type RecordedHandshakeMessage,
  decodeConnection,
} from './records';
import { CONTENT_TYPE, HANDSHAKE_TYPE, contentTypeName, isTls13, keyExchangeOf, versionName } from './registry';
import { decryptPreMasterSecret, forwardSecrecyNote, keyMatchesCertificate } from './rsaPremaster';
import { HASH_LENGTH, type SuiteParameters, suiteParameters } from './suites';
import { type TicketKeyEntry, openTicket } from './sessionTicket';

/** RFC 7627 and RFC 7366 extension code points. */
const EXTENDED_MASTER_SECRET = 23;
const ENCRYPT_THEN_MAC = 22;
/** RFC 5077 (TLS 1.2 tickets) and RFC 8446 (TLS 1.3 PSK) extension code points. */
const SESSION_TICKET = 35;
const PRE_SHARED_KEY = 41;
/** RFC 8446, Section 4.2.10: in a ClientHello, "I am sending 0-RTT data"; in EncryptedExtensions, "accepted". */
const EARLY_DATA = 42;

/** The name records under the client's early traffic keys show as their key epoch. */
const EARLY_EPOCH = 'early data (0-RTT)';

/** Keys of the client's 0-RTT data: the suite is the resumed session's, found by which one opens the first early record. */
interface EarlyKeys {
  suite: SuiteParameters;
  secret: Uint8Array;
}

export type ConnectionKeyMaterial = Omit<ConnectionKeys, 'sessionId' | 'connectionId' | 'leg'>;

/** Bytes of one direction a capture does not hold: the records there are lost, and with them their sequence numbers. */
export interface CaptureGapInput {
  direction: Direction;
  /** Where in the recorded stream of this direction the bytes after the gap start. */
  streamOffset: number;
  /** How many bytes the capture does not hold there. */
  notCaptured: number;
}

export interface ConnectionDecryptionInput {
  chunks: readonly RecordedChunk[];
  keylog: readonly string[];
  /** The server's private key: opens an RSA key exchange without any key log. */
  serverPrivateKey?: KeyObject;
  /** The server's certificate (DER), to check the private key belongs to it. */
  serverCertificate?: Uint8Array;
  /**
   * The key was not asked for (the certificate workshop holds it) and the key log opens the
   * connection anyway: use it for an RSA key exchange only, to show the pre-master secret and check
   * the key log's master secret against it; say nothing of it for other key exchanges.
   */
  serverKeyForRsaOnly?: boolean;
  /**
   * Gaps in an imported capture: after each, the sequence numbers of the lost records are
   * searched for (and, in TLS 1.3, the key epochs a lost Finished or KeyUpdate moved to).
   */
  gaps?: readonly CaptureGapInput[];
  /**
   * The recorded connections before this one, newest first (opened lazily): a resumed connection
   * looks among them for the one that left its session (by session ID, ticket or PSK identity).
   */
  earlier?: () => Iterable<EarlierConnection>;
  /** When this connection opened (ms since the epoch): its chunk times count from here. */
  openedAt?: number;
  /**
   * The ticket keys of the workbench's servers (the data folder's keyring): a connection without a
   * key log is opened from the secret sealed in its session ticket, when one of them opens it.
   */
  ticketKeys?: readonly TicketKeyEntry[];
  /** The ticket key was asked for: open the connection from its ticket even when the key log could (and compare the two). */
  preferTicketKey?: boolean;
}

/** An earlier recorded connection, opened, that a resumed connection may have taken its session from. */
export interface EarlierConnection {
  sessionId: number;
  connectionId: number;
  /** Its place among its session's connections, from 1. */
  connectionNumber?: number;
  /** True when it belongs to the same session as the connection being opened (a proxy's, an imported capture's). */
  sameSession?: boolean;
  /** When it opened (ms since the epoch). */
  openedAt?: number;
  opened: ConnectionDecryption;
}

export interface ConnectionDecryption {
  keys: ConnectionKeyMaterial;
  /** Every protected record, in wire order (presented as hex and text on first use). */
  readonly records: DecryptedRecordInfo[];
  /** Protected records from record number `from` on, at most `limit`: only these are presented. */
  page(from: number, limit: number): DecryptedRecordInfo[];
  /** How many records were protected, and how many of them opened. */
  total: number;
  decrypted: number;
  handshake: HandshakeMessageInfo[];
  decoded: DecodedConnection;
  /** Every handshake message with its bytes, in order (what the transcript hashes take). */
  transcript: readonly TranscriptEntry[];
}

// ---------------------------------------------------------------------------------------------
// NSS key log (https://udn.realityripple.com/docs/Mozilla/Projects/NSS/Key_Log_Format)

export interface KeyLog {
  /** label -> client random (hex) -> secret */
  secrets: Map<string, Map<string, Uint8Array>>;
  problems: string[];
}

export function parseKeyLog(lines: readonly string[]): KeyLog {
  const secrets = new Map<string, Map<string, Uint8Array>>();
  const problems: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 3 || !/^[0-9a-fA-F]+$/.test(parts[1]) || !/^[0-9a-fA-F]+$/.test(parts[2]) || parts[2].length % 2 !== 0) {
      problems.push(`key log line not understood (expected "LABEL <client random hex> <secret hex>"): ${line.slice(0, 80)}`);
      continue;
    }
    const [label, random, secret] = parts;
    let byRandom = secrets.get(label);
    if (!byRandom) secrets.set(label, (byRandom = new Map()));
    byRandom.set(random.toLowerCase(), new Uint8Array(Buffer.from(secret, 'hex')));
  }
  return { secrets, problems };
}

function fromKeyLog(log: KeyLog, label: string, clientRandom: Uint8Array): Uint8Array | undefined {
  return log.secrets.get(label)?.get(toHex(clientRandom));
}

// ---------------------------------------------------------------------------------------------
// Key material

interface Tls12Material {
  kind: 'tls12';
  suite: SuiteParameters;
  keyBlock: KeyBlock;
  master: Uint8Array;
  encryptThenMac: boolean;
  /** 0x0303 for TLS 1.2; 0x0301 and 0x0302 (TLS 1.0 and 1.1) use the MD5+SHA-1 PRF, and TLS 1.0 chains CBC IVs. */
  version: number;
}

interface Tls13Material {
  kind: 'tls13';
  suite: SuiteParameters;
  /** Per direction: handshake and application traffic secrets (generation 0). */
  handshakeSecret: Partial<Record<Direction, Uint8Array>>;
  applicationSecret: Partial<Record<Direction, Uint8Array>>;
}

type Material = Tls12Material | Tls13Material;

export interface TranscriptEntry {
  direction: Direction;
  bytes: Uint8Array;
  message: HandshakeMessage;
}

function hasExtension(hello: ClientHello | ServerHello | undefined, type: number): boolean {
  return hello?.extensions.some((e) => e.type === type) ?? false;
}

function describeSuite(suite: SuiteParameters): ConnectionKeys['suite'] {
  const info: NonNullable<ConnectionKeys['suite']> = {
    code: suite.code,
    name: suite.name,
    cipher: suite.cipher,
    protection: suite.protection,
    keyLength: suite.keyLength,
    fixedIvLength: suite.fixedIvLength,
    recordIvLength: suite.recordIvLength,
    tagLength: suite.tagLength,
    macKeyLength: suite.macKeyLength,
    prfHash: suite.prfHash,
  };
  if (suite.macHash) info.macHash = suite.macHash;
  return info;
}

const senderName = (direction: Direction): 'client' | 'server' => (direction === 'client-to-server' ? 'client' : 'server');

const u32 = (n: number): Uint8Array => Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/**
 * The bytes a TLS 1.3 transcript hash takes for the first `count` handshake messages: after a
 * HelloRetryRequest the first ClientHello stands in as a message_hash message (RFC 8446, 4.4.1).
 * NewSessionTicket and KeyUpdate are in no transcript.
 */
function transcriptBytes13(entries: readonly TranscriptEntry[], count: number, hash: SuiteParameters['prfHash']): Uint8Array[] {
  const retried = entries.some((e) => e.message.body.kind === 'server_hello' && e.message.body.isHelloRetryRequest);
  const out: Uint8Array[] = [];
  entries.slice(0, count).forEach((e, i) => {
    const kind = e.message.body.kind;
    if (kind === 'new_session_ticket' || kind === 'key_update') return;
    if (i === 0 && retried && kind === 'client_hello') {
      const digest = hashOf(hash, e.bytes);
      out.push(concat(Uint8Array.of(MESSAGE_HASH, 0, 0, digest.length), digest));
    } else out.push(e.bytes);
  });
  return out;
}

/** Why the upper TLS 1.3 secrets are never known from a recording. */
/** How steps and notes name an earlier connection: "session 12", or "connection 1 of this session". */
function earlierName(c: EarlierConnection): string {
  return c.sameSession ? `connection ${c.connectionNumber ?? c.connectionId} of this session` : `session ${c.sessionId}`;
}

const NOT_LOGGED = 'not recorded: an NSS key log has no line for it, and the peers keep it to themselves';
const NO_SHARED_SECRET =
  "not recorded: it comes from one side's (EC)DHE private key and the other side's public key share, and neither private key is written down";

/** The length of a group's (EC)DHE shared secret: the x-coordinate, or the size of the finite field. */
function sharedSecretLength(group: string): number {
  const name = group.toLowerCase();
  const known: [string, number][] = [['x25519', 32], ['x448', 56], ['256', 32], ['384', 48], ['521', 66], ['ffdhe2048', 256], ['ffdhe3072', 384], ['ffdhe4096', 512], ['ffdhe6144', 768], ['ffdhe8192', 1024]];
  return known.find(([key]) => name.includes(key))?.[1] ?? 0;
}

function resumedFrom(c: EarlierConnection, by: NonNullable<ConnectionKeys['resumedFrom']>['by']): NonNullable<ConnectionKeys['resumedFrom']> {
  return { sessionId: c.sessionId, connectionId: c.connectionId, ...(c.connectionNumber !== undefined ? { connectionNumber: c.connectionNumber } : {}), sameSession: c.sameSession === true, by };
}

/** A note that follows another sentence: capitalized. */
/** A master secret found another way (the server key, a ticket), set beside the key log's. */
function masterSecretCheck(found: string, clientRandom: Uint8Array, master: Uint8Array, logged: Uint8Array, notes: { same: string; differ: string }): DerivationStep {
  return {
    title: `master secret check: the one ${found}, and the key log's (CLIENT_RANDOM line)`,
    operation: 'comparison',
    inputs: [keyValue('ClientHello.random', clientRandom)],
    outputs: [keyValue('computed master_secret', master), keyValue('received master_secret', logged)],
    note: toHex(logged) === toHex(master) ? notes.same : notes.differ,
  };
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Everything the decryptors of one connection share: the transcript so far and the keys. */
class ConnectionCrypto {
  readonly transcript: TranscriptEntry[] = [];
  clientHello?: ClientHello;
  serverHello?: ServerHello;
  helloRetry = false;
  /** Every ClientHello and ServerHello in order: more than one each after a TLS 1.2 renegotiation. */
  readonly clientHellos: ClientHello[] = [];
  readonly serverHellos: ServerHello[] = [];
  private readonly renegotiated = new Map<number, Tls12Material | null>();
  readonly keys: ConnectionKeyMaterial;
  private material?: Material | null;
  private readonly log: KeyLog;

  constructor(private readonly input: ConnectionDecryptionInput) {
    this.log = parseKeyLog(input.keylog);
    this.keys = {
      keyShares: [],
      extendedMasterSecret: false,
      encryptThenMac: false,
      source: 'none',
      secrets: [],
      keys: [],
      steps: [],
      keylog: [...input.keylog],
      notes: [...this.log.problems],
    };
  }

  onHandshakeMessage(direction: Direction, bytes: Uint8Array, message: HandshakeMessage): void {
    this.transcript.push({ direction, bytes, message });
    const body = message.body;
    if (body.kind === 'client_hello') {
      this.clientHello ??= body;
      this.clientHellos.push(body);
    } else if (body.kind === 'server_hello') {
      if (body.isHelloRetryRequest) this.helloRetry = true;
      else {
        this.serverHello ??= body;
        this.serverHellos.push(body);
      }
    }
  }

  /**
   * TLS 1.2 keys of the handshake `generation` (0: the first; 1, 2, ...: renegotiations, whose
   * hellos travelled encrypted): the key log's master secret for that ClientHello's random.
   */
  materialFor(generation: number): Tls12Material | null {
    if (generation === 0) {
      const first = this.materialNow();
      return first?.kind === 'tls12' ? first : null;
    }
    const known = this.renegotiated.get(generation);
    if (known !== undefined) return known;
    const clientHello = this.clientHellos[generation];
    const serverHello = this.serverHellos[generation];
    const suite = serverHello ? suiteParameters(serverHello.cipherSuite.code) : undefined;
    let material: Tls12Material | null = null;
    if (!clientHello || !serverHello) {
      this.keys.notes.push(`renegotiation ${generation}: its ClientHello or ServerHello was not seen, so its keys are unknown`);
    } else if (!suite || suite.family === 'tls13') {
      this.keys.notes.push(`renegotiation ${generation}: the workbench does not decrypt ${serverHello.cipherSuite.name}`);
    } else {
      const master = fromKeyLog(this.log, 'CLIENT_RANDOM', clientHello.random);
      if (!master || master.length !== 48) {
        this.keys.notes.push(`renegotiation ${generation}: no CLIENT_RANDOM line in the key log matches its ClientHello, so the records after its ChangeCipherSpec stay closed`);
      } else {
        const steps = this.keys.steps;
        steps.push({
          title: `renegotiation ${generation}: master secret from the key log (CLIENT_RANDOM line matching the new ClientHello.random)`,
          operation: 'key log lookup',
          inputs: [keyValue('ClientHello.random (renegotiation)', clientHello.random)],
          outputs: [keyValue('master_secret', master)],
          note: 'a new handshake inside the encrypted connection (RFC 5746): its hellos, key exchange and Finished travelled under the keys of the handshake before; the records after its ChangeCipherSpec use these',
        });
        const version = serverHello.version.code;
        const block = keyBlock(suite, master, clientHello.random, serverHello.random, steps, version);
        this.keys.secrets.push(keyValue(`master_secret (renegotiation ${generation})`, master));
        const etm = suite.protection === 'cbc' && hasExtension(serverHello, ENCRYPT_THEN_MAC);
        material = { kind: 'tls12', suite, keyBlock: block, master, encryptThenMac: etm, version };
      }
    }
    this.renegotiated.set(generation, material);
    return material;
  }

  /** The ClientHello said it sends 0-RTT data (the early_data extension). */
  offeredEarlyData(): boolean {
    return hasExtension(this.clientHello, EARLY_DATA);
  }

  /** The key log's CLIENT_EARLY_TRAFFIC_SECRET for this connection, if the client sent 0-RTT data. */
  earlySecret(): Uint8Array | undefined {
    return this.clientHello && this.offeredEarlyData() ? fromKeyLog(this.log, 'CLIENT_EARLY_TRAFFIC_SECRET', this.clientHello.random) : undefined;
  }

  /**
   * The suites the early data may be under, before any ServerHello says: the ClientHello's TLS 1.3
   * suites whose hash has the early secret's length (the resumed session's suite is among them).
   */
  earlyCandidates(): EarlyKeys[] {
    const secret = this.earlySecret();
    if (!secret || !this.clientHello) return [];
    const out: EarlyKeys[] = [];
    for (const offered of this.clientHello.cipherSuites) {
      const suite = suiteParameters(offered.code);
      if (suite?.family === 'tls13' && HASH_LENGTH[suite.prfHash] === secret.length) out.push({ suite, secret });
    }
    return out;
  }

  private earlyShown = false;

  /** Shows the early traffic secret and the keys derived from it, once: they opened a record. */
  showEarlyKeys(early: EarlyKeys): void {
    if (this.earlyShown) return;
    this.earlyShown = true;
    const k = this.keys;
    const name = TLS13_KEYLOG_LABELS.CLIENT_EARLY_TRAFFIC_SECRET;
    k.secrets.push(keyValue(name, early.secret));
    const length = HASH_LENGTH[early.suite.prfHash];
    // The ClientHello that carried the early data (the last one so far: 0-RTT never follows a HelloRetryRequest).
    const hello = [...this.transcript].reverse().find((e) => e.message.body.kind === 'client_hello');
    k.steps.push({
      title: `${name} from the key log (CLIENT_EARLY_TRAFFIC_SECRET)`,
      operation: 'key log lookup',
      rfc: 'RFC 8446, Section 7.1',
      inputs: [
        keyValue('ClientHello.random', this.clientHello?.random ?? new Uint8Array(0)),
        unknownValue('Early Secret (from the PSK)', length, NOT_LOGGED),
        ...(hello ? [keyValue('Transcript-Hash(ClientHello)', hashOf(early.suite.prfHash, hello.bytes))] : []),
      ],
      outputs: [keyValue(name, early.secret)],
      note: `${name} = Derive-Secret(Early Secret, "c e traffic", Transcript-Hash(ClientHello)): the resumed session's PSK and the ClientHello alone, no (EC)DHE (RFC 8446, Section 7.1), under the suite ${early.suite.name}. The key log line gives the result`,
    });
    const keys = trafficKeys(early.suite, early.secret, k.steps, name, 'client_early_');
    k.keys.push(keyValue('client_early_write_key', keys.key), keyValue('client_early_write_iv', keys.iv));
  }

  /** The keys, derived once, when the hellos (and for RSA, the ClientKeyExchange) are known. */
  materialNow(): Material | null {
    if (this.material !== undefined) return this.material;
    if (!this.clientHello || !this.serverHello) return null; // not yet: ask again later
    this.material = this.derive(this.clientHello, this.serverHello);
    return this.material;
  }

  private note(text: string): null {
    this.keys.notes.push(text);
    return null;
  }

  /** The newest earlier recorded connection that `match` picks, if any was given and fits. */
  private findEarlier(match: (c: EarlierConnection) => boolean): EarlierConnection | undefined {
    if (!this.input.earlier) return undefined;
    for (const c of this.input.earlier()) if (match(c)) return c;
    return undefined;
  }

  /**
   * TLS 1.2: the earlier connection whose session this one resumed: the one that sent the ticket
   * the ClientHello carries back (RFC 5077), else the one whose ServerHello gave this session ID.
   */
  private earlierTls12(clientHello: ClientHello): { from: EarlierConnection; by: 'session ID' | 'session ticket'; name: Uint8Array; master?: Uint8Array } | undefined {
    const ext = clientHello.extensions.find((e) => e.type === SESSION_TICKET)?.value;
    const ticket = ext?.kind === 'session_ticket' && ext.ticket.length > 0 ? ext.ticket : undefined;
    const name = ticket ?? clientHello.sessionId;
    const want = toHex(name);
    const from = this.findEarlier((c) =>
      ticket
        ? c.opened.decoded.handshakeMessages.some((m) => m.body.kind === 'new_session_ticket' && m.body.form === 'tls12' && toHex(m.body.ticket) === want)
        : c.opened.decoded.serverHello !== undefined && toHex(c.opened.decoded.serverHello.sessionId) === want,
    );
    if (!from) return undefined;
    const master = from.opened.keys.secrets.find((v) => v.name === 'master_secret' && !v.unknown);
    return { from, by: ticket ? 'session ticket' : 'session ID', name, master: master ? hexBytes(master.hex) : undefined };
  }

  /** The TLS 1.3 traffic secrets the key log lacks: what that costs is known once every record was tried. */
  private missing13: [string, 'handshakeSecret' | 'applicationSecret', Direction][] = [];

  /**
   * The key log lacks some traffic secrets: say which, and whether any record needed them. A
   * handshake that failed before a side's Finished leaves that side's application secret unknown
   * and unused (its peer never derived it, so the key log has no line).
   */
  noteMissingSecrets(results: ReadonlyMap<string, RecordResult>): void {
    if (this.missing13.length === 0) return;
    // The results are keyed "direction:stream offset".
    const sealed = [...results].filter(([, r]) => r.opened.status === 'no-keys').map(([key]) => key.split(':')[0]);
    const needed = this.missing13.filter(([, , direction]) => sealed.includes(direction));
    const unused = this.missing13.filter((m) => !needed.includes(m));
    const names = (list: typeof this.missing13) => list.map(([label]) => label).join(', ');
    if (needed.length > 0) this.keys.notes.push(`the key log lacks ${names(needed)}: records under those keys stay sealed`);
    if (unused.length > 0) {
      this.keys.notes.push(`the key log has no ${names(unused)} line, and no recorded record needed ${unused.length === 1 ? 'it' : 'them'}: the connection ended before ${unused.length === 1 ? 'that key was' : 'those keys were'} used`);
    }
  }

  /** The key log lookups of the application traffic secrets: their transcript hash is known once the server's Finished is. */
  private readonly applicationLookups: DerivationStep[] = [];

  /** The server key this connection uses (see serverKeyForRsaOnly), settled with the suite. */
  private serverKey?: KeyObject;

  private derive(clientHello: ClientHello, serverHello: ServerHello): Material | null {
    const k = this.keys;
    const version = serverHello.version.code;
    k.version = versionName(version);
    k.cipherSuite = { code: serverHello.cipherSuite.code, name: serverHello.cipherSuite.name };
    k.clientRandom = toHex(clientHello.random);
    k.serverRandom = toHex(serverHello.random);
    const suite = suiteParameters(serverHello.cipherSuite.code);
    const tls13 = isTls13(version);
    if (suite) {
      k.suite = describeSuite(suite);
      // As the suite's name says: an anonymous DH suite is no signed DHE, whatever its records share.
      k.keyExchange = suite.family === 'tls13' ? 'tls13' : keyExchangeOf(suite.code);
    }
    const rsa = suite?.family !== 'tls13' && suite?.keyExchange === 'rsa';
    this.serverKey = this.input.serverPrivateKey && (!this.input.serverKeyForRsaOnly || rsa) ? this.input.serverPrivateKey : undefined;
    if (this.serverKey && this.input.serverCertificate) {
      const match = keyMatchesCertificate(this.serverKey, this.input.serverCertificate);
      if (!match.ok && match.problem) k.notes.push(match.problem);
    }
    if (!suite) {
      return this.note(
        `the workbench does not decrypt ${serverHello.cipherSuite.name}: it opens the AES (GCM, CCM, CBC), ChaCha20-Poly1305, Camellia-CBC, ARIA-GCM and NULL (unencrypted) suites, pre-shared key ones among them, not SRP, 3DES or other legacy ones`,
      );
    }
    if (tls13 !== (suite.family === 'tls13')) {
      return this.note(`${suite.name} does not belong to ${versionName(version)}: the ServerHello is inconsistent`);
    }
    if (this.serverKey && suite.keyExchange !== 'rsa') {
      const lesson = forwardSecrecyNote(suite.keyExchange);
      if (lesson) k.notes.push(lesson);
    }
    return tls13 ? this.derive13(suite, clientHello, serverHello) : this.derive12(suite, clientHello, serverHello, version);
  }

  private derive12(suite: SuiteParameters, clientHello: ClientHello, serverHello: ServerHello, version: number): Material | null {
    const k = this.keys;
    if (version < 0x0301 || version > 0x0303) {
      return this.note(`${versionName(version)} uses a different key derivation and record format: the workbench decrypts TLS 1.0 to 1.3`);
    }
    if (version < 0x0303 && suite.protection !== 'cbc' && suite.protection !== 'null') {
      return this.note(`${suite.name} does not belong to ${versionName(version)} (AEAD suites came with TLS 1.2): the ServerHello is inconsistent`);
    }
    if (version < 0x0303 && k.suite) {
      // As this version uses the suite: its PRF, and (TLS 1.0) no IV in the records.
      k.suite = { ...k.suite, prfHash: 'md5+sha1', recordIvLength: version === 0x0301 ? 0 : k.suite.recordIvLength };
    }
    if (version < 0x0303) {
      k.notes.push(`${versionName(version)}: keys from the PRF of RFC 2246 (P_MD5 XOR P_SHA-1)${version === 0x0301 ? '; CBC records carry no IV of their own: each takes the last ciphertext block of the record before' : ''}`);
    }
    const ems = hasExtension(serverHello, EXTENDED_MASTER_SECRET);
    const etm = suite.protection === 'cbc' && hasExtension(serverHello, ENCRYPT_THEN_MAC);
    k.extendedMasterSecret = ems;
    k.encryptThenMac = etm;
    const steps = k.steps;
    let master: Uint8Array | undefined;

    const logged = fromKeyLog(this.log, 'CLIENT_RANDOM', clientHello.random);
    // RFC 5246, 7.4.1.3 (and RFC 5077, 3.4): a server that resumes echoes the client's session ID.
    const resumed = clientHello.sessionId.length > 0 && toHex(serverHello.sessionId) === toHex(clientHello.sessionId);
    const earlier = resumed ? this.earlierTls12(clientHello) : undefined;
    if (resumed) {
      k.notes.push(
        'a resumed session (abbreviated handshake): no key exchange took place in this connection; the master secret is the one an earlier connection established, and the new key block comes from it and this connection\'s two randoms',
      );
    }
    if (resumed) k.resumed = true;
    if (earlier) k.resumedFrom = resumedFrom(earlier.from, earlier.by);
    if (suite.keyExchange === 'rsa' && this.serverKey && !resumed && version < 0x0303) {
      k.notes.push(`the server key is not used for ${versionName(version)} sessions here: the key log's master secret is`);
    } else if (suite.keyExchange === 'rsa' && this.serverKey && !resumed) {
      master = this.rsaMasterSecret(suite, clientHello, serverHello, ems);
      if (master) {
        k.source = 'server-private-key';
        if (logged) {
          const same = toHex(logged) === toHex(master);
          k.notes.push(
            same
              ? 'the master secret computed from the server key equals the one in the key log'
              : 'the master secret computed from the server key differs from the one in the key log',
          );
          steps.push(
            masterSecretCheck('computed from the server key', clientHello.random, master, logged, {
              same: 'they are equal: the pre-master secret the server key decrypted is the one the peers used, and so is every key below',
              differ: 'they differ: the server key or the key log does not belong to this connection',
            }),
          );
        }
      }
    }
    if (!master && this.input.ticketKeys && (!logged || this.input.preferTicketKey)) {
      master = this.ticketMasterSecret12(suite, clientHello, resumed, ems, logged);
      if (master) k.source = 'server-ticket-key';
    }
    if (!master && logged) {
      if (logged.length !== 48) return this.note(`the key log's CLIENT_RANDOM secret is ${logged.length} bytes; a master secret is 48`);
      master = logged;
      k.source = 'keylog';
      steps.push({
        title: 'master secret from the key log (CLIENT_RANDOM line matching ClientHello.random)',
        operation: 'key log lookup',
        inputs: [keyValue('ClientHello.random', clientHello.random)],
        outputs: [keyValue('master_secret', master)],
        note: resumed
          ? `the connection that first established this session computed it (${ems ? 'with the extended master secret, RFC 7627' : 'from its pre-master secret and randoms'}); a resumed session reuses it, and the key log repeats it under this connection's client random`
          : (ems
              ? 'this connection used the extended master secret (RFC 7627): PRF(pre_master_secret, "extended master secret", session_hash). '
              : 'master_secret = PRF(pre_master_secret, "master secret", client_random + server_random). ') +
            'The pre-master secret itself is not logged; for RSA key exchange the server key recovers it.',
      });
    }
    if (earlier) {
      const S = earlierName(earlier.from);
      const how = earlier.by === 'session ticket' ? 'the ticket its server sent in a NewSessionTicket' : 'the session ID its ServerHello gave';
      const named = keyValue(earlier.by === 'session ticket' ? 'SessionTicket (ClientHello extension)' : 'ClientHello.session_id', earlier.name);
      const theirRandom = earlier.from.opened.decoded.clientHello?.random;
      const inputs = [named, ...(theirRandom ? [keyValue(`ClientHello.random of ${S}`, theirRandom)] : [])];
      const whence =
        earlier.from.opened.keys.source === 'server-private-key'
          ? "from the server's private key"
          : earlier.from.opened.keys.source === 'server-ticket-key'
            ? "from the ticket its server sent, opened with the server's ticket key"
            : 'from its key log (CLIENT_RANDOM line)';
      const mine = k.source === 'server-ticket-key' ? "the one in the ticket this ClientHello sent back" : "the one this connection's key log gives";
      if (!master && earlier.master) {
        master = earlier.master;
        k.source = earlier.from.opened.keys.source;
        steps.push({
          title: `master secret of the resumed session: the one ${S} established (found by ${how})`,
          operation: 'session lookup',
          rfc: earlier.by === 'session ticket' ? 'RFC 5077, Section 3.4' : 'RFC 5246, Section 7.3',
          inputs,
          outputs: [keyValue('master_secret', master)],
          note: `this connection's key log has no line for it, but ${S} is in the data folder and its master secret is known (${whence}); a resumed session reuses it with this connection's two randoms`,
        });
      } else if (master) {
        const same = earlier.master && toHex(earlier.master) === toHex(master);
        steps.push({
          title: `master secret of the resumed session: the one ${S} established (found by ${how})`,
          operation: 'session lookup',
          rfc: earlier.by === 'session ticket' ? 'RFC 5077, Section 3.4' : 'RFC 5246, Section 7.3',
          inputs,
          outputs: earlier.master
            ? [keyValue('computed master_secret', earlier.master), keyValue('received master_secret', master)]
            : [unknownValue(`master_secret of ${S}`, 48, `not known: ${S} has no key log line and no server key opened it`), keyValue('master_secret', master)],
          note: !earlier.master
            ? `${S} left this session, but its own master secret is not known, so the two cannot be compared`
            : same
              ? `computed: ${S}'s master secret (${whence}); received: ${mine}. They are equal: the same session, taken up again with new randoms`
              : `computed: ${S}'s master secret (${whence}); received: ${mine}. They differ: ${k.source === 'server-ticket-key' ? 'the ticket does not hold that session' : 'the key log lines do not belong to the same session'}`,
        });
      }
    } else if (resumed && this.input.earlier) {
      k.notes.push(
        `no earlier recorded connection in the data folder ${clientHello.extensions.some((e) => e.type === SESSION_TICKET && e.value.kind === 'session_ticket' && e.value.ticket.length > 0) ? 'sent the ticket' : 'gave the session ID'} this ClientHello resumes, so where its master secret was first computed cannot be shown${k.source === 'server-ticket-key' ? ' (the ticket itself gave the master secret)' : ''}`,
      );
    }
    if (!master) {
      const why = resumed
        ? 'no CLIENT_RANDOM line in the key log matches this connection, and a resumed session has no key exchange the server key could open (its master secret comes from the earlier connection)'
        : suite.keyExchange === 'rsa'
          ? 'no CLIENT_RANDOM line in the key log matches this connection, and no server private key was given'
          : 'no CLIENT_RANDOM line in the key log matches this connection';
      return this.note(`cannot decrypt: ${why}`);
    }
    k.secrets.push(keyValue('master_secret', master));
    const block = keyBlock(suite, master, clientHello.random, serverHello.random, steps, version);
    k.keys.push(...keyBlockKeyValues(block, suite, version));
    return { kind: 'tls12', suite, keyBlock: block, master, encryptThenMac: etm, version };
  }

  /**
   * TLS 1.2: the master secret sealed in this connection's ticket: the one its ClientHello sent
   * back (a resumption), else the one its server sent in a NewSessionTicket (before its
   * ChangeCipherSpec, in the clear). Opened with a key of the workbench's keyring.
   */
  private ticketMasterSecret12(suite: SuiteParameters, clientHello: ClientHello, resumed: boolean, ems: boolean, logged: Uint8Array | undefined): Uint8Array | undefined {
    const k = this.keys;
    const ext = clientHello.extensions.find((e) => e.type === SESSION_TICKET)?.value;
    const sentBack = ext?.kind === 'session_ticket' && ext.ticket.length > 0 ? ext.ticket : undefined;
    let ticket: Uint8Array | undefined;
    let where: string;
    if (resumed && sentBack) {
      ticket = sentBack;
      where = 'the ticket this ClientHello sent back (session_ticket extension), which the server took';
    } else if (!resumed) {
      // Read ahead: the server's NewSessionTicket comes after the client's encrypted Finished.
      const issued = decodeConnection(this.input.chunks).handshakeMessages.find(
        (m) => m.direction === 'server-to-client' && m.body.kind === 'new_session_ticket' && m.body.form === 'tls12' && m.body.ticket.length > 0,
      );
      ticket = issued?.body.kind === 'new_session_ticket' ? issued.body.ticket : undefined;
      where = "the ticket the server sent in this connection's NewSessionTicket (in the clear, before its ChangeCipherSpec)";
    } else {
      where = '';
    }
    if (!ticket) {
      if (this.input.preferTicketKey) {
        k.notes.push(
          resumed
            ? "the server's ticket key opens nothing here: this connection resumed by session ID, not with a ticket (the server kept the session in its cache)"
            : "the server's ticket key opens nothing here: the server sent no session ticket in this connection, so no secret of it was sealed under that key",
        );
      }
      return undefined;
    }
    const opened = openTicket(ticket, this.input.ticketKeys ?? []);
    const first = opened.steps[0];
    if (first) first.note = `${where}. ${sentence(first.note ?? '')}`;
    k.steps.push(...opened.steps);
    if (!opened.ok) {
      k.notes.push(`${where}: ${opened.problem}`);
      return undefined;
    }
    const state = opened.state;
    if (state.protocol === 0x0304 || state.masterKey.length !== 48) {
      k.notes.push(`the ticket holds a ${state.protocolName} session with a ${state.masterKey.length}-byte secret, not a TLS 1.2 master secret: it does not open this connection`);
      return undefined;
    }
    if (state.cipher.code !== suite.code) {
      k.notes.push(`the ticket's session was made with ${state.cipher.name}, this connection uses ${suite.name}: the ticket is not this connection's`);
    }
    if (!resumed && state.extendedMasterSecret !== ems) {
      k.notes.push(`the ticket says the session ${state.extendedMasterSecret ? 'used' : 'did not use'} the extended master secret, the ServerHello says otherwise`);
    }
    const master = state.masterKey;
    const kx = (k.keyExchange ?? suite.keyExchange).toUpperCase();
    k.notes.push(
      `opened with the server's session ticket key (kept for the server ${opened.key.server}): the ticket carries the master secret, sealed only with that key. ` +
        (suite.keyExchange === 'rsa'
          ? 'This connection has no forward secrecy anyway (RSA key exchange); the ticket key is a second way in.'
          : `The key exchange was ${kx}, whose secret both sides threw away, yet whoever holds the ticket key reads this connection and every one that resumes the session: session tickets undo forward secrecy for as long as their key lives.`),
    );
    if (logged) {
      k.steps.push(
        masterSecretCheck('in the ticket', clientHello.random, master, logged, {
          same: 'they are equal: the ticket holds the very master secret the peers used',
          differ: 'they differ: the ticket does not belong to this connection, or the key log does not',
        }),
      );
    }
    return master;
  }

  private rsaMasterSecret(suite: SuiteParameters, clientHello: ClientHello, serverHello: ServerHello, ems: boolean): Uint8Array | undefined {
    const k = this.keys;
    const key = this.serverKey as KeyObject;
    const index = this.transcript.findIndex((e) => e.message.body.kind === 'client_key_exchange');
    const cke = index >= 0 ? this.transcript[index].message.body : undefined;
    if (!cke || cke.kind !== 'client_key_exchange' || !cke.encryptedPreMasterSecret) {
      k.notes.push('no RSA ClientKeyExchange was recorded: the server key has nothing to decrypt');
      return undefined;
    }
    const result = decryptPreMasterSecret(cke.encryptedPreMasterSecret, key, clientHello.legacyVersion.code, k.steps);
    if (!result.ok) {
      k.notes.push(result.problem);
      return undefined;
    }
    k.secrets.push(keyValue('pre_master_secret', result.preMasterSecret));
    k.notes.push('whoever holds this server key can read this recorded session: RSA key exchange has no forward secrecy');
    if (ems) {
      const handshake = concat(...this.transcript.slice(0, index + 1).map((e) => e.bytes));
      const sessionHash = hashOf(suite.prfHash, handshake);
      k.steps.push({
        title: `session_hash = ${suite.prfHash.toUpperCase()}(handshake messages ClientHello..ClientKeyExchange)`,
        operation: suite.prfHash.toUpperCase(),
        rfc: 'RFC 7627, Section 3',
        inputs: [keyValue(`${index + 1} handshake messages`, handshake)],
        outputs: [keyValue('session_hash', sessionHash)],
      });
      return extendedMasterSecret(suite.prfHash, result.preMasterSecret, sessionHash, k.steps);
    }
    return masterSecret(suite.prfHash, result.preMasterSecret, clientHello.random, serverHello.random, k.steps);
  }

  private derive13(suite: SuiteParameters, clientHello: ClientHello, serverHello: ServerHello): Material | null {
    const k = this.keys;
    const steps = k.steps;
    const material: Tls13Material = { kind: 'tls13', suite, handshakeSecret: {}, applicationSecret: {} };
    const found: string[] = [];
    const pick = (label: keyof typeof TLS13_KEYLOG_LABELS): Uint8Array | undefined => {
      const secret = fromKeyLog(this.log, label, clientHello.random);
      if (secret) {
        found.push(label);
        k.secrets.push(keyValue(TLS13_KEYLOG_LABELS[label], secret));
        if (secret.length !== HASH_LENGTH[suite.prfHash]) {
          k.notes.push(`the key log's ${label} is ${secret.length} bytes; ${suite.name} uses ${HASH_LENGTH[suite.prfHash]}-byte secrets`);
        }
      }
      return secret;
    };
    const sources: [keyof typeof TLS13_KEYLOG_LABELS, 'handshakeSecret' | 'applicationSecret', Direction][] = [
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'handshakeSecret', 'client-to-server'],
      ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'handshakeSecret', 'server-to-client'],
      ['CLIENT_TRAFFIC_SECRET_0', 'applicationSecret', 'client-to-server'],
      ['SERVER_TRAFFIC_SECRET_0', 'applicationSecret', 'server-to-client'],
    ];
    const hash = suite.prfHash;
    const length = HASH_LENGTH[hash];
    const anyLogged = sources.some(([label]) => fromKeyLog(this.log, label, clientHello.random));
    const upper = anyLogged ? this.upperSchedule13(suite, clientHello, serverHello) : undefined;
    let masterShown = false;
    for (const [label, slot, direction] of sources) {
      const secret = pick(label);
      if (!secret) continue;
      material[slot][direction] = secret;
      const who = senderName(direction);
      const epoch = slot === 'handshakeSecret' ? 'handshake' : 'application';
      if (slot === 'applicationSecret' && !masterShown && upper) {
        masterShown = true;
        steps.push({
          title: 'Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0)',
          operation: 'HKDF-Extract',
          rfc: 'RFC 8446, Section 7.1',
          inputs: [unknownValue('salt: Derive-Secret(Handshake Secret, "derived", "")', length, NOT_LOGGED), keyValue('IKM (zeros)', new Uint8Array(length))],
          outputs: [unknownValue('Master Secret', length, NOT_LOGGED)],
          note: 'nothing new goes in here: the zeros only move the schedule on. The application traffic secrets come from this secret and the transcript up to the server\'s Finished',
        });
      }
      const handshakeEpoch = slot === 'handshakeSecret';
      const derivation = `Derive-Secret(${handshakeEpoch ? 'Handshake Secret' : 'Master Secret'}, "${direction === 'client-to-server' ? 'c' : 's'} ${handshakeEpoch ? 'hs' : 'ap'} traffic", Transcript-Hash(ClientHello..${handshakeEpoch ? 'ServerHello' : 'server Finished'}))`;
      const step: DerivationStep = {
        title: `${TLS13_KEYLOG_LABELS[label]} from the key log (${label})`,
        operation: 'key log lookup',
        rfc: 'RFC 8446, Section 7.1',
        inputs: [keyValue('ClientHello.random', clientHello.random)],
        outputs: [keyValue(TLS13_KEYLOG_LABELS[label], secret)],
        note: `${TLS13_KEYLOG_LABELS[label]} = ${derivation}. The peers computed it; the key log line under this connection's ClientHello.random gives the result`,
      };
      if (upper) {
        step.inputs.push(unknownValue(handshakeEpoch ? 'Handshake Secret' : 'Master Secret', length, NOT_LOGGED));
        if (handshakeEpoch) step.inputs.push(keyValue(`Transcript-Hash(ClientHello..ServerHello${this.helloRetry ? ', the first ClientHello as message_hash' : ''})`, upper.helloHash));
        else this.applicationLookups.push(step);
      }
      steps.push(step);
      const keys = trafficKeys(suite, secret, steps, TLS13_KEYLOG_LABELS[label], `${who}_${epoch}_`);
      k.keys.push(keyValue(`${who}_${epoch}_write_key`, keys.key), keyValue(`${who}_${epoch}_write_iv`, keys.iv));
    }
    pick('EXPORTER_SECRET');
    if (this.input.ticketKeys && (found.length === 0 || this.input.preferTicketKey)) this.ticketPsk13(clientHello, serverHello);
    if (found.length === 0) return this.note('cannot decrypt: no TLS 1.3 traffic secrets in the key log match this connection');
    k.source = 'keylog';
    // pre_shared_key (41) in the ServerHello: the server took the client's PSK.
    const psk = serverHello.extensions.find((e) => e.type === 41)?.value;
    // RFC 8446, 4.2.11: an externally established identity is sent with an obfuscated_ticket_age of 0;
    // a ticket's age is masked by its ticket_age_add, 0 once in 2^32.
    const offered = clientHello.extensions.find((e) => e.type === 41)?.value;
    const chosen = psk?.kind === 'pre_shared_key' && offered?.kind === 'pre_shared_key' ? offered.identities[psk.selectedIdentity ?? 0] : undefined;
    k.notes.push(upperScheduleNote(!psk ? 'full' : serverHello.keyShareGroup ? 'psk_dhe_ke' : 'psk_ke', chosen?.obfuscatedTicketAge === 0));
    this.missing13 = sources.filter(([label]) => !found.includes(label));
    return material;
  }

  /**
   * TLS 1.3: the PSK sealed in the ticket the ClientHello offered and the server took (the
   * pre_shared_key identity). psk_dhe_ke mixes a fresh (EC)DHE secret in, so the PSK alone opens
   * nothing: say so. psk_ke does not; the PSK opens it.
   */
  private ticketPsk13(clientHello: ClientHello, serverHello: ServerHello): void {
    const k = this.keys;
    const accepted = serverHello.extensions.find((e) => e.type === PRE_SHARED_KEY)?.value;
    if (accepted?.kind !== 'pre_shared_key') {
      if (this.input.preferTicketKey) {
        k.notes.push(
          "the server's ticket key opens no secret of this connection: it was a full TLS 1.3 handshake, not a resumption. The tickets it received (if any) travel encrypted after the handshake and hold the PSK of a later connection; with the key log they are read and opened below",
        );
      }
      return;
    }
    const hello = [...this.transcript].reverse().find((e) => e.message.body.kind === 'client_hello')?.message.body;
    const offered = (hello?.kind === 'client_hello' ? hello : clientHello).extensions.find((e) => e.type === PRE_SHARED_KEY)?.value;
    const selected = accepted.selectedIdentity ?? 0;
    const identity = offered?.kind === 'pre_shared_key' ? offered.identities[selected] : undefined;
    if (!identity) return;
    const opened = openTicket(identity.identity, this.input.ticketKeys ?? []);
    const first = opened.steps[0];
    if (first) first.note = `the ticket is the PSK identity ${selected} this ClientHello offered and the server took (pre_shared_key, in the clear). ${sentence(first.note ?? '')}`;
    k.steps.push(...opened.steps);
    if (!opened.ok) {
      k.notes.push(`the PSK identity the server took: ${opened.problem}`);
      return;
    }
    this.binderFromTicket(opened.state.masterKey, opened.state.cipher.code, selected);
    const group = serverHello.keyShareGroup?.name;
    if (group) {
      k.notes.push(
        `the ticket opened with the server's ticket key and gives this connection's PSK, but the PSK alone cannot decrypt it: the connection resumed with psk_dhe_ke, so a fresh ${group} (EC)DHE shared secret went into the key schedule with the PSK (RFC 8446, Section 7.1), and both sides threw its private keys away. Forward secrecy holds even against the ticket key`,
      );
      return;
    }
    k.notes.push(
      "the ticket opened with the server's ticket key and gives this connection's PSK; the connection resumed with psk_ke (no key share), so every key of it follows from the PSK and the transcript: whoever holds the ticket key reads it. The workbench shows the PSK but does not yet derive the psk_ke traffic keys from it",
    );
  }

  /**
   * The part of the key schedule above the traffic secrets (RFC 8446, Section 7.1), as steps: the
   * values nobody records are shown as unknown, every one that can be computed from the recording
   * is. A resumed connection also shows where its PSK came from: the earlier connection whose
   * NewSessionTicket it sent back, the ticket's nonce and age, and the binder that proved it.
   */
  private upperSchedule13(suite: SuiteParameters, clientHello: ClientHello, serverHello: ServerHello): { helloHash: Uint8Array } {
    const k = this.keys;
    const steps = k.steps;
    const hash = suite.prfHash;
    const length = HASH_LENGTH[hash];
    const zeros = new Uint8Array(length);
    const rfc = 'RFC 8446, Section 7.1';
    const serverHelloAt = this.transcript.findIndex((e) => e.message.body === serverHello);
    const helloHash = hashOf(hash, concat(...transcriptBytes13(this.transcript, serverHelloAt + 1, hash)));
    const accepted = serverHello.extensions.find((e) => e.type === PRE_SHARED_KEY)?.value;
    const mode = accepted?.kind !== 'pre_shared_key' ? 'full' : serverHello.keyShareGroup ? 'psk_dhe_ke' : 'psk_ke';
    const group = serverHello.keyShareGroup?.name ?? 'the negotiated group';

    if (mode === 'full' || accepted?.kind !== 'pre_shared_key') {
      const earlySecret = hkdfExtract(hash, zeros, zeros);
      steps.push({
        title: 'Early Secret = HKDF-Extract(0, 0): no PSK',
        operation: 'HKDF-Extract',
        rfc,
        inputs: [keyValue('salt (zeros)', zeros), keyValue('IKM (no PSK: zeros)', zeros)],
        outputs: [keyValue('Early Secret', earlySecret)],
        note: `a full handshake has no pre-shared key, so zeros go in: every full ${hash.toUpperCase()} handshake starts from this same Early Secret`,
      });
      const derived = deriveSecret(hash, earlySecret, 'derived', hashOf(hash, new Uint8Array(0)), steps, {
        secret: 'Early Secret',
        output: 'derived',
        context: 'Hash("")',
      });
      steps.push({
        title: `Handshake Secret = HKDF-Extract(derived, (EC)DHE shared secret)`,
        operation: 'HKDF-Extract',
        rfc,
        inputs: [keyValue('salt (derived)', derived), unknownValue(`(EC)DHE shared secret (${group})`, sharedSecretLength(group), NO_SHARED_SECRET)],
        outputs: [unknownValue('Handshake Secret', length, NOT_LOGGED)],
        note: `the shared secret comes from the two key shares (see the public keys above): each side combines its own ${group} private key with the other's public share. Without one of the private keys nobody can compute it, which is what makes a recorded session safe later (forward secrecy)`,
      });
      return { helloHash };
    }

    // A PSK: which one the server took, and where it came from. After a HelloRetryRequest the
    // second ClientHello offers it again, with binders over the new transcript: that one counts.
    const lastHelloAt = this.transcript.slice(0, serverHelloAt).map((e) => e.message.body.kind).lastIndexOf('client_hello');
    const lastHello = lastHelloAt >= 0 ? this.transcript[lastHelloAt].message.body : clientHello;
    const offered = (lastHello.kind === 'client_hello' ? lastHello : clientHello).extensions.find((e) => e.type === PRE_SHARED_KEY)?.value;
    const selected = accepted.selectedIdentity ?? 0;
    const identity = offered?.kind === 'pre_shared_key' ? offered.identities[selected] : undefined;
    const binder = offered?.kind === 'pre_shared_key' ? offered.binders[selected] : undefined;
    const external = identity?.obfuscatedTicketAge === 0;
    const wanted = identity ? toHex(identity.identity) : '';
    let ticket: { from: EarlierConnection; body: Extract<HandshakeMessage['body'], { kind: 'new_session_ticket' }>; index: number; t?: number } | undefined;
    const from = identity
      ? this.findEarlier((c) => c.opened.decoded.handshakeMessages.some((m) => m.body.kind === 'new_session_ticket' && m.body.form === 'tls13' && toHex(m.body.ticket) === wanted))
      : undefined;
    if (from) {
      const tickets = from.opened.decoded.handshakeMessages.filter((m) => m.body.kind === 'new_session_ticket' && m.body.form === 'tls13');
      const index = tickets.findIndex((m) => m.body.kind === 'new_session_ticket' && toHex(m.body.ticket) === wanted);
      const message = tickets[index];
      const record = from.opened.decoded.records.find((r) => r.number === message.recordNumbers[message.recordNumbers.length - 1]);
      if (message.body.kind === 'new_session_ticket') ticket = { from, body: message.body, index, t: record?.t };
      k.resumedFrom = resumedFrom(from, 'PSK identity (ticket)');
    }
    const S = ticket ? earlierName(ticket.from) : '';
    k.resumed = true;
    if (identity) {
      const outputs: KeyValue[] = [];
      if (ticket) {
        outputs.push(keyValue('ticket_nonce', ticket.body.ticketNonce ?? new Uint8Array(0)));
        outputs.push(keyValue('ticket_age_add', u32(ticket.body.ticketAgeAdd ?? 0), String(ticket.body.ticketAgeAdd ?? 0)));
        outputs.push(keyValue('ticket_lifetime', u32(ticket.body.ticketLifetime), `${ticket.body.ticketLifetime} s`));
      }
      steps.push({
        title: ticket
          ? `PSK: the ticket ${S} received (its NewSessionTicket ${ticket.index + 1}), sent back as identity ${selected}`
          : `PSK: identity ${selected} of the ClientHello's pre_shared_key`,
        operation: 'PSK identity lookup',
        rfc: 'RFC 8446, Sections 4.2.11 and 4.6.1',
        inputs: [
          keyValue(`pre_shared_key identity ${selected}`, identity.identity),
          keyValue('obfuscated_ticket_age', u32(identity.obfuscatedTicketAge), String(identity.obfuscatedTicketAge)),
          keyValue('ServerHello selected_identity', Uint8Array.of(selected >> 8, selected & 0xff), String(selected)),
        ],
        outputs,
        note: ticket
          ? `the identity is the exact ticket ${S}'s server sent after its handshake (encrypted, so it shows in that session's decrypted records). The server took it: its ServerHello names identity ${selected}. The PSK itself never travels; both sides derive it from ${S}'s resumption_master_secret and this ticket's nonce`
          : external
            ? 'an external PSK: one both sides were given beforehand (its obfuscated_ticket_age is 0), not a ticket from an earlier connection; nothing recorded shows its value'
            : 'no recorded connection in the data folder sent this ticket (the session that received it was not recorded here, or was deleted), so where the PSK came from cannot be shown: what follows rests on the key log lines alone',
      });
    }
    if (ticket && identity) {
      const ageAdd = ticket.body.ticketAgeAdd ?? 0;
      const age = (identity.obfuscatedTicketAge - ageAdd) >>> 0;
      const observed =
        ticket.t !== undefined && ticket.from.openedAt !== undefined && this.input.openedAt !== undefined
          ? Math.round(this.input.openedAt - (ticket.from.openedAt + ticket.t))
          : undefined;
      steps.push({
        title: 'ticket age = obfuscated_ticket_age - ticket_age_add (mod 2^32)',
        operation: 'subtraction modulo 2^32',
        rfc: 'RFC 8446, Section 4.2.11.1',
        inputs: [keyValue('obfuscated_ticket_age', u32(identity.obfuscatedTicketAge), String(identity.obfuscatedTicketAge)), keyValue('ticket_age_add', u32(ageAdd), String(ageAdd))],
        outputs: [keyValue('ticket age (milliseconds)', u32(age), `${age} ms`)],
        note: `the client adds the ticket's secret ticket_age_add so that an observer cannot link the ticket to the session it came from by its age; the server subtracts it to check the ticket is fresh.${observed !== undefined ? ` The recording shows ${observed} ms from the NewSessionTicket of ${S} to the start of this connection: the client's figure should be close to it, by its own clock (OpenSSL's client counts whole seconds, so a ticket used within a second of its arrival has age 0).` : ''}`,
      });
      const finishedAt = ticket.from.opened.transcript.findIndex((e) => e.direction === 'client-to-server' && e.message.body.kind === 'finished');
      const theirSuite = ticket.from.opened.decoded.serverHello ? suiteParameters(ticket.from.opened.decoded.serverHello.cipherSuite.code) : undefined;
      const theirHash = theirSuite?.prfHash ?? hash;
      const inputs: KeyValue[] = [unknownValue(`Master Secret of ${S}`, length, NOT_LOGGED)];
      if (finishedAt >= 0) {
        inputs.push(keyValue(`Transcript-Hash(ClientHello..client Finished) of ${S}`, hashOf(theirHash, concat(...transcriptBytes13(ticket.from.opened.transcript, finishedAt + 1, theirHash)))));
      }
      steps.push({
        title: `resumption_master_secret of ${S} = Derive-Secret(Master Secret, "res master", Transcript-Hash(ClientHello..client Finished))`,
        operation: 'HKDF-Expand-Label',
        rfc,
        inputs,
        outputs: [unknownValue('resumption_master_secret', length, NOT_LOGGED)],
        note: `computed by both peers of ${S} at the end of its handshake; no key log line holds it, so the chain from here to the PSK can be followed but not recomputed`,
      });
      steps.push({
        title: 'PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)',
        operation: 'HKDF-Expand-Label',
        rfc: 'RFC 8446, Section 4.6.1',
        inputs: [
          unknownValue(`resumption_master_secret of ${S}`, length, NOT_LOGGED),
          keyValue('label', new TextEncoder().encode('tls13 resumption'), 'tls13 resumption'),
          keyValue('ticket_nonce', ticket.body.ticketNonce ?? new Uint8Array(0)),
        ],
        outputs: [unknownValue('PSK', length, NOT_LOGGED)],
        note: 'each ticket of a session has its own nonce, so each gives a different PSK from the same resumption_master_secret',
      });
    }
    steps.push({
      title: 'Early Secret = HKDF-Extract(0, PSK)',
      operation: 'HKDF-Extract',
      rfc,
      inputs: [keyValue('salt (zeros)', zeros), unknownValue('PSK', length, NOT_LOGGED)],
      outputs: [unknownValue('Early Secret', length, NOT_LOGGED)],
      note: 'the PSK takes the place of the zeros a full handshake puts in here',
    });
    if (binder && offered?.kind === 'pre_shared_key' && lastHelloAt >= 0) {
      // The binders list is the end of the ClientHello (pre_shared_key is its last extension).
      const last = lastHelloAt;
      const helloBytes = this.transcript[last].bytes;
      const bindersLength = 2 + offered.binders.reduce((n, b) => n + 1 + b.length, 0);
      const before = transcriptBytes13(this.transcript, last, hash);
      const truncatedHash = hashOf(hash, concat(...before, helloBytes.subarray(0, helloBytes.length - bindersLength)));
      steps.push({
        title: `PSK binder = HMAC(finished_key from Derive-Secret(Early Secret, "${external ? 'ext' : 'res'} binder", ""), Transcript-Hash(ClientHello up to its binders))`,
        operation: `HMAC-${hash.toUpperCase()}`,
        rfc: 'RFC 8446, Section 4.2.11.2',
        inputs: [
          unknownValue('binder_key', length, NOT_LOGGED),
          keyValue(`Transcript-Hash(${before.length > 0 ? 'ClientHello, HelloRetryRequest, ' : ''}ClientHello without its binders)`, truncatedHash),
        ],
        outputs: [keyValue(`binder ${selected} (in the ClientHello)`, binder)],
        note: `the client proves it holds the PSK without sending it: an HMAC over the ClientHello it is sending, cut just before the ${bindersLength}-byte binders list. The server recomputed it from the PSK it holds and accepted identity ${selected}, so the two sides have the same PSK`,
      });
    }
    steps.push({
      title: 'derived = Derive-Secret(Early Secret, "derived", "")',
      operation: 'HKDF-Expand-Label',
      rfc,
      inputs: [unknownValue('Early Secret', length, NOT_LOGGED), keyValue('Hash("")', hashOf(hash, new Uint8Array(0)))],
      outputs: [unknownValue('derived', length, NOT_LOGGED)],
    });
    steps.push(
      mode === 'psk_dhe_ke'
        ? {
            title: 'Handshake Secret = HKDF-Extract(derived, (EC)DHE shared secret): psk_dhe_ke',
            operation: 'HKDF-Extract',
            rfc,
            inputs: [unknownValue('salt (derived)', length, NOT_LOGGED), unknownValue(`(EC)DHE shared secret (${group})`, sharedSecretLength(group), NO_SHARED_SECRET)],
            outputs: [unknownValue('Handshake Secret', length, NOT_LOGGED)],
            note: `psk_dhe_ke: the ServerHello carries a ${group} key share, so a fresh (EC)DHE secret joins the PSK here. Someone who later steals the PSK (or the server's ticket key) still cannot read this connection: forward secrecy`,
          }
        : {
            title: 'Handshake Secret = HKDF-Extract(derived, 0): psk_ke, no (EC)DHE',
            operation: 'HKDF-Extract',
            rfc,
            inputs: [unknownValue('salt (derived)', length, NOT_LOGGED), keyValue('IKM (no key share: zeros)', zeros)],
            outputs: [unknownValue('Handshake Secret', length, NOT_LOGGED)],
            note: 'psk_ke: the ServerHello has no key_share, so zeros go in where an (EC)DHE secret would. Every key of this connection comes from the PSK and the transcript: whoever gets the PSK (or the server\'s ticket key) can read it, now or later. No forward secrecy',
          },
    );
    return { helloHash };
  }

  /**
   * The PSK a ticket held, proved: Early Secret, binder_key and finished_key computed from it give
   * the binder the ClientHello carried (RFC 8446, Section 4.2.11.2) when it is the PSK the client
   * used. Computed over the last ClientHello, cut before its binders.
   */
  private binderFromTicket(psk: Uint8Array, suiteCode: number, selected: number): void {
    const suite = suiteParameters(suiteCode);
    if (suite?.family !== 'tls13' || HASH_LENGTH[suite.prfHash] !== psk.length) return;
    const hash = suite.prfHash;
    const serverHelloAt = this.transcript.findIndex((e) => e.message.body.kind === 'server_hello' && !e.message.body.isHelloRetryRequest);
    const lastHelloAt = this.transcript.slice(0, serverHelloAt < 0 ? undefined : serverHelloAt).map((e) => e.message.body.kind).lastIndexOf('client_hello');
    if (lastHelloAt < 0) return;
    const hello = this.transcript[lastHelloAt].message.body;
    const offered = hello.kind === 'client_hello' ? hello.extensions.find((e) => e.type === PRE_SHARED_KEY)?.value : undefined;
    const binder = offered?.kind === 'pre_shared_key' ? offered.binders[selected] : undefined;
    if (!binder || offered?.kind !== 'pre_shared_key') return;
    const helloBytes = this.transcript[lastHelloAt].bytes;
    const bindersLength = 2 + offered.binders.reduce((n, b) => n + 1 + b.length, 0);
    const before = transcriptBytes13(this.transcript, lastHelloAt, hash);
    const truncatedHash = hashOf(hash, concat(...before, helloBytes.subarray(0, helloBytes.length - bindersLength)));
    const zeros = new Uint8Array(psk.length);
    const early = hkdfExtract(hash, zeros, psk);
    const binderKey = deriveSecret(hash, early, 'res binder', hashOf(hash, new Uint8Array(0)));
    const finishedKey = hkdfExpandLabel(hash, binderKey, 'finished', new Uint8Array(0), psk.length);
    const computed = hmac(hash, finishedKey, truncatedHash);
    const same = toHex(computed) === toHex(binder);
    this.keys.steps.push({
      title: 'binder check: HMAC(finished_key, Transcript-Hash(ClientHello up to its binders)) with the PSK from the ticket',
      operation: `HKDF-Extract, Derive-Secret "res binder", HKDF-Expand-Label "finished", HMAC-${hash.toUpperCase()}`,
      rfc: 'RFC 8446, Sections 4.2.11.2 and 7.1',
      inputs: [
        keyValue('PSK (from the ticket)', psk),
        keyValue('Early Secret = HKDF-Extract(0, PSK)', early),
        keyValue('binder_key', binderKey),
        keyValue('finished_key', finishedKey),
        keyValue(`Transcript-Hash(${before.length > 0 ? 'ClientHello, HelloRetryRequest, ' : ''}ClientHello without its binders)`, truncatedHash),
      ],
      outputs: [keyValue('computed binder', computed), keyValue('received binder', binder)],
      note: same
        ? `computed from the ticket's PSK; received: binder ${selected} of the ClientHello. They are equal: the ticket's PSK is the one the client used`
        : `computed from the ticket's PSK; received: binder ${selected} of the ClientHello. They differ: the ticket does not hold the PSK this ClientHello proved`,
    });
  }

  /**
   * TLS 1.3, the ticket key asked for: the tickets the server sent in this connection (encrypted,
   * so only those the key log opened are seen), each opened to show the PSK a later connection
   * resuming with it starts from.
   */
  openIssuedTickets13(decoded: DecodedConnection): void {
    const k = this.keys;
    const tickets = decoded.handshakeMessages.filter((m) => m.body.kind === 'new_session_ticket' && m.body.form === 'tls13');
    let opened = 0;
    for (const [i, m] of tickets.entries()) {
      if (m.body.kind !== 'new_session_ticket') continue;
      const result = openTicket(m.body.ticket, this.input.ticketKeys ?? []);
      for (const step of result.steps) step.title = `NewSessionTicket ${i + 1}: ${step.title}`;
      k.steps.push(...result.steps);
      if (result.ok) opened++;
      else k.notes.push(`NewSessionTicket ${i + 1}: ${result.problem}`);
    }
    if (opened > 0) {
      k.notes.push(
        `the server's ticket key opened ${opened} of the ${tickets.length} ticket${tickets.length === 1 ? '' : 's'} this connection received (read from its encrypted records with the key log): each holds the PSK a later connection resumes with. A psk_ke resumption with it is open to whoever holds the ticket key; a psk_dhe_ke one is not`,
      );
    }
  }

  /** After the whole handshake is read: the application secrets' transcript hash (ClientHello..server Finished). */
  completeSchedule13(material: Material | null): void {
    if (material?.kind !== 'tls13' || this.applicationLookups.length === 0) return;
    const hash = material.suite.prfHash;
    const at = this.transcript.findIndex((e) => e.direction === 'server-to-client' && e.message.body.kind === 'finished');
    if (at < 0) return;
    const value = keyValue(`Transcript-Hash(ClientHello..server Finished${this.helloRetry ? ', the first ClientHello as message_hash' : ''})`, hashOf(hash, concat(...transcriptBytes13(this.transcript, at + 1, hash))));
    for (const step of this.applicationLookups) step.inputs.push(value);
  }

  /** Records the secret of a later key generation (after KeyUpdate) as it is derived. */
  recordKeyUpdate(direction: Direction, generation: number, secret: Uint8Array, keys: { key: Uint8Array; iv: Uint8Array }): void {
    const who = senderName(direction);
    this.keys.secrets.push(keyValue(`${who}_application_traffic_secret_${generation}`, secret));
    this.keys.keys.push(
      keyValue(`${who}_application_${generation}_write_key`, keys.key),
      keyValue(`${who}_application_${generation}_write_iv`, keys.iv),
    );
  }
}

function keyBlockKeyValues(block: KeyBlock, suite: SuiteParameters, version = 0x0303): KeyValue[] {
  const out: KeyValue[] = [];
  if (suite.macKeyLength > 0) {
    out.push(keyValue('client_write_MAC_key', block.clientWriteMacKey), keyValue('server_write_MAC_key', block.serverWriteMacKey));
  }
  if (suite.keyLength > 0) out.push(keyValue('client_write_key', block.clientWriteKey), keyValue('server_write_key', block.serverWriteKey));
  // TLS 1.0's CBC uses the key block's IVs (for each direction's first record).
  if ((suite.protection !== 'cbc' || version === 0x0301) && suite.fixedIvLength > 0) {
    out.push(keyValue('client_write_IV', block.clientWriteIv), keyValue('server_write_IV', block.serverWriteIv));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-direction decryptors

interface RecordResult {
  opened: OpenedRecord;
  epoch?: string;
  sequenceNumber?: number;
  afterGap?: RecordAfterGap;
}

/** The smallest protected record: a 5-byte header, a 16-byte tag and TLS 1.3's 1-byte inner type. */
const SMALLEST_RECORD = 22;
/** At most this many openings are tried per gap, so that a huge gap cannot hang the decryption. */
const GAP_ATTEMPTS = 100_000;
/** At most this many records after a gap are searched before giving up on it. */
const GAP_RECORDS = 3;
/** TLS 1.3: at most this many key changes (Finished, KeyUpdate) are looked for inside one gap. */
const GAP_EPOCHS = 3;

/** A gap the records of a direction have passed, while the sequence number after it is not settled. */
interface PendingGap {
  streamOffset: number;
  notCaptured: number;
  /** The sequence number the first record after the gap would have had, had nothing been lost. */
  from: number;
  /** Records after the gap already given a sequence number without opening. */
  skipped: number;
  /** Openings tried so far. */
  attempts: number;
  /** TLS 1.0 CBC: the IV of the first record after the gap was in the records the gap took. */
  chainBroken: boolean;
  /** Whether this direction had sent protected records before the gap. */
  protectedBefore: boolean;
}

interface Epoch {
  name: string;
  keys: RecordKeys;
  generation: number;
  phase: 'early' | 'handshake' | 'application' | 'tls12';
  /** TLS 1.3: the traffic secret the keys came from. */
  secret?: Uint8Array;
  /** TLS 1.3 after a KeyUpdate: how this generation's secret was derived. */
  derivation?: DerivationStep[];
  /** TLS 1.0 CBC: the IV of this direction's next record (the last ciphertext block of the one before). */
  chainIv?: Uint8Array;
}

class DirectionDecryptor implements RecordDecryptor {
  private epoch?: Epoch;
  private sequenceNumber = 0;
  /** TLS 1.3: the plaintext of this direction's encrypted handshake messages, to see Finished and KeyUpdate. */
  private handshakeBytes: Uint8Array = new Uint8Array(0);
  private started = false;
  /** The renegotiation whose keys this direction lacks (0: none). */
  private lostAt = 0;
  /** This direction's capture gaps not yet reached, by stream offset. */
  private readonly gapsAhead: CaptureGapInput[];
  private gap?: PendingGap;
  /** Records tried under keys, and whether any opened: a gap is searched only when the keys are known to work (or untried). */
  private tried = 0;
  private openedAny = false;

  constructor(
    private readonly direction: Direction,
    private readonly crypto: ConnectionCrypto,
    private readonly results: Map<string, RecordResult>,
    gaps: readonly CaptureGapInput[] = [],
  ) {
    this.gapsAhead = gaps.filter((g) => g.direction === direction && g.notCaptured > 0).sort((a, b) => a.streamOffset - b.streamOffset);
  }

  decrypt(record: ProtectedRecord): DecryptedRecord | null {
    const key = `${record.direction}:${record.streamOffset}`;
    const material = this.crypto.materialNow();
    if (!material) {
      const early = !this.crypto.serverHello && this.direction === 'client-to-server';
      if (early && this.crypto.offeredEarlyData()) return this.decryptEarly(record, key);
      this.results.set(key, { opened: { status: 'no-keys', problem: 'no keys for this connection (see the key material notes)' } });
      return null;
    }
    if (!this.started) {
      this.started = true;
      this.epoch = this.firstEpoch(material);
    }
    if (!this.epoch) {
      const problem = this.lostAt > 0
        ? `after renegotiation ${this.lostAt} this direction uses that handshake's keys, which the key log does not hold (no CLIENT_RANDOM line for its ClientHello)`
        : `no ${senderName(this.direction)} keys for this record in the key log`;
      this.results.set(key, { opened: { status: 'no-keys', problem } });
      return null;
    }
    if (this.gapsAhead.length > 0) this.passGaps(record.streamOffset);
    let epoch = this.epoch;
    let sequenceNumber = this.sequenceNumber;
    const chained = epoch.chainIv;
    const keys = chained ? { ...epoch.keys, implicitIv: chained } : epoch.keys;
    let opened = openRecord({ keys, sequenceNumber, contentType: record.contentType, version: record.version, body: record.body });
    if (chained) epoch.chainIv = lastCiphertextBlock(record.body, epoch.keys) ?? chained;
    if (this.gap && chained && this.gap.chainBroken && opened.status !== 'decrypted') {
      // TLS 1.0: this record's IV was the last ciphertext block of the record before it, which
      // the gap took. Its own last block (kept above) is the next record's IV.
      this.gap.chainBroken = false;
      this.gap.skipped++;
      this.tried++;
      this.sequenceNumber = sequenceNumber + 1;
      this.results.set(key, {
        opened: {
          status: opened.status,
          problem: `the capture lost the bytes before this record (a gap of ${this.gap.notCaptured} bytes): in TLS 1.0 its IV is the last ciphertext block of the record before it, which is among them, so it cannot be opened; its own last block is the next record's IV`,
        },
        epoch: epoch.name,
      });
      return null;
    }
    let afterGap: RecordAfterGap | undefined;
    if (this.gap && opened.status === 'decrypted') afterGap = this.settleGap(epoch, sequenceNumber, 0);
    else if (this.gap && (material.kind === 'tls12' || epoch.phase !== 'early')) {
      const search = this.searchAfterGap(material, epoch, sequenceNumber, record, keys);
      if ('opened' in search) {
        if (search.epochsSkipped > 0) this.showSkippedEpochs(material, epoch, search.epoch);
        epoch = this.epoch = search.epoch;
        sequenceNumber = search.sequenceNumber;
        opened = search.opened;
        afterGap = this.settleGap(epoch, sequenceNumber, search.epochsSkipped);
      } else {
        opened = { ...opened, problem: opened.problem ? `${opened.problem}; ${search.problem}` : search.problem };
      }
    }
    if (opened.status !== 'decrypted' && material.kind === 'tls13') {
      // A lost Finished or KeyUpdate (a changed record), or 0-RTT data the server turned down (no
      // EndOfEarlyData follows it): try the next epoch from its start.
      const next = this.nextEpoch(material, epoch);
      if (next) {
        const retry = openRecord({ keys: next.keys, sequenceNumber: 0, contentType: record.contentType, version: record.version, body: record.body });
        if (retry.status === 'decrypted') {
          epoch = this.epoch = next;
          sequenceNumber = 0;
          opened = retry;
        }
      }
      if (opened.status !== 'decrypted' && this.missingEarlyKeys(epoch, sequenceNumber)) {
        // Before the client's first handshake record: its EndOfEarlyData (or late 0-RTT data),
        // under keys the key log does not hold. The handshake keys' sequence numbers start after it.
        this.results.set(key, {
          opened: {
            status: 'no-keys',
            problem: 'sent under the client early traffic keys (0-RTT data, or the EndOfEarlyData that ends it), which the key log lacks (no CLIENT_EARLY_TRAFFIC_SECRET line)',
          },
        });
        return null;
      }
    }
    this.sequenceNumber = sequenceNumber + 1;
    this.tried++;
    if (opened.status === 'decrypted') this.openedAny = true;
    this.results.set(key, { opened, epoch: epoch.name, sequenceNumber, ...(afterGap ? { afterGap } : {}) });
    if (opened.status !== 'decrypted' || opened.plaintext === undefined || opened.contentType === undefined) return null;
    if (material.kind === 'tls13' && opened.contentType === CONTENT_TYPE.handshake) this.afterHandshake(material, opened.plaintext);
    return { contentType: opened.contentType, plaintext: opened.plaintext };
  }

  /** Takes up the gaps at or before this record: their lost records are searched for from here. */
  private passGaps(streamOffset: number): void {
    while (this.gapsAhead.length > 0 && this.gapsAhead[0].streamOffset <= streamOffset) {
      const gap = this.gapsAhead.shift() as CaptureGapInput;
      // Gaps with no record between them count as one; keys that opened nothing before stay unsearched.
      if (this.gap) this.gap.notCaptured += gap.notCaptured;
      else if (this.tried === 0 || this.openedAny) {
        this.gap = {
          streamOffset: gap.streamOffset,
          notCaptured: gap.notCaptured,
          from: this.sequenceNumber,
          skipped: 0,
          attempts: 0,
          chainBroken: this.epoch?.chainIv !== undefined && this.tried > 0,
          protectedBefore: this.tried > 0,
        };
      }
      // A handshake message cut by the gap cannot be completed: read on from the next one.
      this.handshakeBytes = new Uint8Array(0);
    }
  }

  /**
   * The first record after a gap failed at the sequence number that follows the last one read:
   * records were lost. Tries the sequence numbers after it (as many as the gap could hold
   * records) and, in TLS 1.3, the next key epochs from 0; the first whose tag or MAC verifies is
   * the one (a false match has a chance of 2^-128 for AEAD, 2^-160 and less for the MACs).
   */
  private searchAfterGap(
    material: Material,
    epoch: Epoch,
    expected: number,
    record: ProtectedRecord,
    keys: RecordKeys,
  ): { epoch: Epoch; sequenceNumber: number; opened: OpenedRecord; epochsSkipped: number } | { problem: string } {
    const gap = this.gap as PendingGap;
    const span = Math.min(Math.ceil(gap.notCaptured / SMALLEST_RECORD) + 2, GAP_ATTEMPTS);
    const epochs: Epoch[] = [];
    if (material.kind === 'tls13') {
      let next: Epoch | undefined = epoch;
      while (epochs.length < GAP_EPOCHS && next) {
        next = this.nextEpoch(material, next);
        if (next) epochs.push(next);
      }
    }
    const open = (k: RecordKeys, sequenceNumber: number): OpenedRecord =>
      openRecord({ keys: k, sequenceNumber, contentType: record.contentType, version: record.version, body: record.body });
    let reached = 0;
    for (let step = 0; step <= span && gap.attempts < GAP_ATTEMPTS; step++) {
      reached = step;
      if (step > 0) {
        gap.attempts++;
        const opened = open(keys, expected + step);
        if (opened.status === 'decrypted') return { epoch, sequenceNumber: expected + step, opened, epochsSkipped: 0 };
      }
      for (let e = 0; e < epochs.length && gap.attempts < GAP_ATTEMPTS; e++) {
        gap.attempts++;
        const opened = open(epochs[e].keys, step);
        if (opened.status === 'decrypted') return { epoch: epochs[e], sequenceNumber: step, opened, epochsSkipped: e + 1 };
      }
    }
    gap.skipped++;
    const tried =
      `the capture lost records before this one (a gap of ${gap.notCaptured} bytes), and it opens under none of the sequence numbers ${expected} to ${expected + reached}` +
      (epochs.length > 0 ? `, nor under the next key epoch${epochs.length === 1 ? '' : 's'} (${epochs.map((e) => e.name).join(', ')}) from sequence number 0 to ${reached}` : '');
    if (gap.skipped >= GAP_RECORDS || gap.attempts >= GAP_ATTEMPTS) {
      this.crypto.keys.notes.push(
        `${senderName(this.direction)} records after the capture gap at byte ${gap.streamOffset} of its stream (${gap.notCaptured} bytes not captured): ` +
          `none of the first ${gap.skipped} opened under any sequence number the gap leaves possible, so the records after it stay closed`,
      );
      this.gap = undefined;
    }
    return { problem: tried };
  }

  /** The sequence number after the gap is found: says how many records the gap took, once. */
  private settleGap(epoch: Epoch, sequenceNumber: number, epochsSkipped: number): RecordAfterGap {
    const gap = this.gap as PendingGap;
    this.gap = undefined;
    const exact = epochsSkipped === 0;
    // In a new epoch: the record that changed the keys (and any between) plus those before this one under the new keys.
    const lost = exact ? sequenceNumber - gap.from - gap.skipped : sequenceNumber + epochsSkipped;
    const records = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;
    const where = `${senderName(this.direction)} records, capture gap at byte ${gap.streamOffset} of the stream (${gap.notCaptured} bytes not captured)`;
    if (exact && lost === 0) {
      if (gap.protectedBefore) this.crypto.keys.notes.push(`${where}: no protected record lost in the gap; decryption goes on at sequence number ${sequenceNumber}`);
    } else if (exact) {
      this.crypto.keys.notes.push(`${where}: ${records(lost)} lost in the gap; decryption resumed at sequence number ${sequenceNumber}`);
    } else {
      this.crypto.keys.notes.push(
        `${where}: at least ${records(lost)} lost in the gap, ${epochsSkipped === 1 ? 'one of them the Finished or KeyUpdate that changed the keys' : `${epochsSkipped} of them Finished or KeyUpdate messages that changed the keys`}; ` +
          `decryption resumed under the ${epoch.name} keys at sequence number ${sequenceNumber}`,
      );
    }
    return { notCaptured: gap.notCaptured, recordsLost: lost, exact };
  }

  /** TLS 1.3: the keys of the KeyUpdates lost in a gap are shown as if the KeyUpdates had been read. */
  private showSkippedEpochs(material: Material, from: Epoch, to: Epoch): void {
    if (material.kind !== 'tls13') return;
    let at: Epoch | undefined = from;
    while (at && at.generation < to.generation && at.phase === 'application') {
      at = this.nextEpoch(material, at);
      if (at?.derivation && at.secret) {
        this.crypto.keys.steps.push(...at.derivation);
        const name = at.derivation[0].outputs[0].name;
        const derived = trafficKeys(material.suite, at.secret, this.crypto.keys.steps, name, `${senderName(this.direction)}_application_${at.generation}_`);
        this.crypto.recordKeyUpdate(this.direction, at.generation, at.secret, derived);
      }
    }
  }

  /**
   * 0-RTT data before the ServerHello: under the client early traffic keys, whose suite (the
   * resumed session's) is found by which of the ClientHello's suites opens the first record.
   */
  private decryptEarly(record: ProtectedRecord, key: string): DecryptedRecord | null {
    if (!this.epoch) {
      const candidates = this.crypto.earlyCandidates();
      if (candidates.length === 0) {
        this.results.set(key, {
          opened: { status: 'no-keys', problem: 'early data (0-RTT) sent before the ServerHello: the key log has no CLIENT_EARLY_TRAFFIC_SECRET for this connection' },
        });
        return null;
      }
      for (const early of candidates) {
        const epoch = this.earlyEpoch(early);
        const opened = openRecord({ keys: epoch.keys, sequenceNumber: 0, contentType: record.contentType, version: record.version, body: record.body });
        if (opened.status === 'decrypted') {
          this.started = true;
          this.epoch = epoch;
          this.crypto.showEarlyKeys(early);
          return this.keepEarly(key, epoch, opened);
        }
      }
      this.results.set(key, {
        opened: { status: 'no-keys', problem: 'early data (0-RTT): the key log\'s CLIENT_EARLY_TRAFFIC_SECRET opens it under none of the ClientHello\'s TLS 1.3 suites' },
      });
      return null;
    }
    const epoch = this.epoch;
    return this.keepEarly(key, epoch, openRecord({ keys: epoch.keys, sequenceNumber: this.sequenceNumber, contentType: record.contentType, version: record.version, body: record.body }));
  }

  /** Records an early record's result at this direction's next sequence number, and hands on its plaintext. */
  private keepEarly(key: string, epoch: Epoch, opened: OpenedRecord): DecryptedRecord | null {
    const sequenceNumber = this.sequenceNumber;
    this.sequenceNumber = sequenceNumber + 1;
    this.results.set(key, { opened, epoch: epoch.name, sequenceNumber });
    if (opened.status !== 'decrypted' || opened.plaintext === undefined || opened.contentType === undefined) return null;
    return { contentType: opened.contentType, plaintext: opened.plaintext };
  }

  private earlyEpoch(early: EarlyKeys): Epoch {
    const { key, iv } = trafficKeys(early.suite, early.secret);
    return {
      name: EARLY_EPOCH,
      phase: 'early',
      generation: 0,
      keys: { suite: early.suite, key, iv, tls13: true, ivName: 'client_early_write_iv' },
      secret: early.secret,
    };
  }

  /**
   * The client offered 0-RTT, the key log has no early secret, and a record failed before any
   * opened under the handshake keys: it is under the early keys, not a damaged handshake record.
   */
  private missingEarlyKeys(epoch: Epoch, sequenceNumber: number): boolean {
    return (
      this.direction === 'client-to-server' &&
      epoch.phase === 'handshake' &&
      sequenceNumber === 0 &&
      this.crypto.offeredEarlyData() &&
      this.crypto.earlySecret() === undefined
    );
  }

  /** TLS 1.2 renegotiation: this direction's ChangeCipherSpec of handshake N + 1 switches to its keys. */
  changeCipherSpec(): void {
    if (!this.started || this.epoch?.phase !== 'tls12') {
      if (this.started && this.epoch === undefined) this.sequenceNumber = 0;
      return;
    }
    const generation = this.epoch.generation + 1;
    const material = this.crypto.materialFor(generation);
    this.epoch = material ? this.tls12Epoch(material, generation) : undefined;
    this.sequenceNumber = 0;
    if (!this.epoch) this.lostAt = generation;
  }

  private firstEpoch(material: Material): Epoch | undefined {
    if (material.kind === 'tls12') return this.tls12Epoch(material, 0);
    // 0-RTT records that come after the ServerHello (the client sends them until the server's
    // Finished) are under the early keys of the negotiated suite, which is the resumed session's.
    const early = this.direction === 'client-to-server' ? this.crypto.earlySecret() : undefined;
    if (early && HASH_LENGTH[material.suite.prfHash] === early.length) {
      this.crypto.showEarlyKeys({ suite: material.suite, secret: early });
      return this.earlyEpoch({ suite: material.suite, secret: early });
    }
    const handshake = material.handshakeSecret[this.direction];
    if (handshake) return this.tls13Epoch(material, handshake, 'handshake', 0);
    const application = material.applicationSecret[this.direction];
    return application ? this.tls13Epoch(material, application, 'application', 0) : undefined;
  }

  private tls12Epoch(material: Tls12Material, generation: number): Epoch {
    const client = this.direction === 'client-to-server';
    const b = material.keyBlock;
    const chainIv = material.version === 0x0301 && material.suite.protection === 'cbc' ? (client ? b.clientWriteIv : b.serverWriteIv) : undefined;
    return {
      ...(chainIv ? { chainIv } : {}),
      name: generation === 0 ? 'after ChangeCipherSpec' : `after renegotiation ${generation}`,
      phase: 'tls12',
      generation,
      keys: {
        suite: material.suite,
        key: client ? b.clientWriteKey : b.serverWriteKey,
        iv: client ? b.clientWriteIv : b.serverWriteIv,
        macKey: client ? b.clientWriteMacKey : b.serverWriteMacKey,
        encryptThenMac: material.encryptThenMac,
        tls13: false,
        ivName: `${senderName(this.direction)}_write_IV`,
      },
    };
  }

  private tls13Epoch(material: Tls13Material, secret: Uint8Array, phase: 'handshake' | 'application', generation: number): Epoch {
    const who = senderName(this.direction);
    const { key, iv } = trafficKeys(material.suite, secret);
    const name = phase === 'handshake' ? 'handshake' : generation === 0 ? 'application' : `application (after KeyUpdate ${generation})`;
    return {
      name,
      phase,
      generation,
      // Named as the key material names them: client_application_1_write_iv after the first KeyUpdate.
      keys: { suite: material.suite, key, iv, tls13: true, ivName: generation === 0 ? `${who}_${phase}_write_iv` : `${who}_application_${generation}_write_iv` },
      secret,
    };
  }

  private nextEpoch(material: Tls13Material, epoch: Epoch): Epoch | undefined {
    if (epoch.phase === 'early') {
      const handshake = material.handshakeSecret[this.direction];
      return handshake ? this.tls13Epoch(material, handshake, 'handshake', 0) : undefined;
    }
    if (epoch.phase === 'handshake') {
      const application = material.applicationSecret[this.direction];
      return application ? this.tls13Epoch(material, application, 'application', 0) : undefined;
    }
    const current = epoch.secret;
    if (!current) return undefined;
    const who = senderName(this.direction);
    const generation = epoch.generation + 1;
    const steps: DerivationStep[] = [];
    const secret = nextTrafficSecret(material.suite.prfHash, current, steps, {
      secret: `${who}_application_traffic_secret_${generation - 1}`,
      output: `${who}_application_traffic_secret_${generation}`,
    });
    const next = this.tls13Epoch(material, secret, 'application', generation);
    return { ...next, derivation: steps };
  }

  /** RFC 8446, Section 5.1 and 7.2: keys change after this direction's Finished and after each KeyUpdate. */
  private afterHandshake(material: Tls13Material, plaintext: Uint8Array): void {
    this.handshakeBytes = concat(this.handshakeBytes, plaintext);
    let change = false;
    while (this.handshakeBytes.length >= 4) {
      const length = (this.handshakeBytes[1] << 16) | (this.handshakeBytes[2] << 8) | this.handshakeBytes[3];
      if (this.handshakeBytes.length < 4 + length) break;
      const type = this.handshakeBytes[0];
      this.handshakeBytes = this.handshakeBytes.slice(4 + length);
      if (type === HANDSHAKE_TYPE.end_of_early_data && this.epoch?.phase === 'early') change = true;
      if (type === HANDSHAKE_TYPE.finished && this.epoch?.phase === 'handshake') change = true;
      if (type === HANDSHAKE_TYPE.key_update && this.epoch?.phase === 'application') change = true;
    }
    if (!change || !this.epoch) return;
    const next = this.nextEpoch(material, this.epoch);
    if (next) {
      if (next.derivation && next.secret) {
        this.crypto.keys.steps.push(...next.derivation);
        const name = next.derivation[0].outputs[0].name;
        const keys = trafficKeys(material.suite, next.secret, this.crypto.keys.steps, name, `${senderName(this.direction)}_application_${next.generation}_`);
        this.crypto.recordKeyUpdate(this.direction, next.generation, next.secret, keys);
      }
    }
    this.epoch = next;
    this.sequenceNumber = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Presenting the results

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The plaintext as text when a person could read it; undefined for binary. */
export function readableText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return '';
  // Control bytes are never part of a multi-byte UTF-8 sequence, so a byte scan finds them.
  for (const b of bytes) {
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return undefined;
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function recordInfo(
  entry: DecodedConnection['records'][number],
  result: RecordResult | undefined,
): DecryptedRecordInfo {
  const info: DecryptedRecordInfo = {
    number: entry.number,
    t: entry.t,
    direction: entry.direction,
    outerContentType: entry.contentType,
    length: entry.length,
    status: result?.opened.status ?? 'no-keys',
    messages: result?.opened.status === 'decrypted' ? entry.messages : [],
  };
  if (!result) {
    info.problem = 'no keys for this record';
    return info;
  }
  const o = result.opened;
  if (result.epoch !== undefined) info.keyEpoch = result.epoch;
  if (result.sequenceNumber !== undefined) info.sequenceNumber = result.sequenceNumber;
  if (result.afterGap) info.afterGap = result.afterGap;
  if (o.nonce) info.nonce = o.nonce;
  if (o.additionalData) info.additionalData = toHex(o.additionalData);
  if (o.tag) info.tag = toHex(o.tag);
  if (o.tagCheck) info.tagCheck = o.tagCheck;
  if (o.mac) info.mac = o.mac;
  if (o.recordIv) info.recordIv = toHex(o.recordIv);
  if (o.paddingLength !== undefined) info.paddingLength = o.paddingLength;
  if (o.contentType !== undefined) {
    info.contentType = o.contentType;
    info.contentTypeName = contentTypeName(o.contentType);
  }
  if (o.plaintext) {
    info.plaintextHex = toHex(o.plaintext);
    info.plaintextLength = o.plaintext.length;
    const text = readableText(o.plaintext);
    if (text !== undefined) info.plaintextText = text;
  }
  if (o.problem) info.problem = o.problem;
  if (entry.malformed && o.status === 'decrypted') info.problem = entry.malformed;
  return info;
}

function summarize(message: HandshakeMessage): string {
  const b = message.body;
  switch (b.kind) {
    case 'client_hello': {
      const parts = [`${b.cipherSuites.length} cipher suites`];
      if (b.serverName) parts.unshift(`SNI ${b.serverName}`);
      if (b.supportedVersions) parts.push(`versions ${b.supportedVersions.map((v) => v.name).join(', ')}`);
      if (b.keyShareGroups) parts.push(`key shares ${b.keyShareGroups.map((g) => g.name).join(', ')}`);
      return parts.join('; ');
    }
    case 'server_hello':
      return `${b.version.name}, ${b.cipherSuite.name}${b.keyShareGroup ? `, key share ${b.keyShareGroup.name}` : ''}`;
    case 'encrypted_extensions':
      return b.extensions.length ? `extensions: ${b.extensions.map((e) => e.name).join(', ')}` : 'no extensions';
    case 'certificate':
      return `${b.certificateList.length} certificate${b.certificateList.length === 1 ? '' : 's'} (${b.certificateList.map((c) => `${c.certData.length} bytes`).join(', ')})`;
    case 'certificate_verify':
      return `${b.algorithm?.name ?? 'signature'}, ${b.signature.length}-byte signature`;
    case 'finished':
      return `verify_data ${toHex(b.verifyData)}`;
    case 'new_session_ticket':
      return `lifetime ${b.ticketLifetime} s, ${b.ticket.length}-byte ticket`;
    case 'certificate_request': {
      // TLS 1.2 lists the CAs in the message; TLS 1.3 in its certificate_authorities extension.
      const listed = b.certificateAuthorities ?? b.extensions.find((e) => e.value.kind === 'certificate_authorities');
      const authorities = Array.isArray(listed) ? listed : listed?.value.kind === 'certificate_authorities' ? listed.value.authorities : [];
      return `asks the client for a certificate from ${authorities.length === 0 ? 'any CA (it names none)' : authorities.map(distinguishedNameText).join('; ')}`;
    }
    case 'server_key_exchange':
      return b.ecdh ? `${b.ecdh.namedCurve.name}, ${b.ecdh.publicPoint.length}-byte public key` : `${b.keyExchange} parameters`;
    case 'client_key_exchange':
      return b.encryptedPreMasterSecret
        ? `${b.encryptedPreMasterSecret.length}-byte encrypted pre-master secret`
        : b.publicValue
          ? `${b.publicValue.length}-byte public key`
          : b.keyExchange;
    case 'key_update':
      return `request_update: ${b.requestUpdate.name}`;
    case 'end_of_early_data':
      return 'the 0-RTT data ends here; the client\'s next record is under its handshake keys';
    case 'malformed':
      return `malformed: ${b.error}`;
    default:
      return message.name;
  }
}

/** TLS 1.0 CBC: the last block of a record's ciphertext, the next record's IV (before the MAC with encrypt-then-MAC). */
function lastCiphertextBlock(body: Uint8Array, keys: RecordKeys): Uint8Array | undefined {
  const end = keys.encryptThenMac ? body.length - HASH_LENGTH[keys.suite.macHash ?? 'sha1'] : body.length;
  return end >= 16 ? body.slice(end - 16, end) : undefined;
}

/** The handshake type of the synthetic message that stands for the first ClientHello after a HelloRetryRequest. */
const MESSAGE_HASH = 254;

/** RFC 8446, Section 4.4.4 and RFC 5246, Section 7.4.9: recompute each Finished and compare. */
function checkFinished(crypto: ConnectionCrypto, material: Material | null): void {
  if (!material) return;
  const transcript = crypto.transcript;
  const hash = material.suite.prfHash;
  const messages = transcript.map((e) => e.bytes);
  // RFC 8446, Section 4.4.1: after a HelloRetryRequest the first ClientHello enters the transcript
  // as a synthetic message_hash message (type 254) holding the hash of that ClientHello.
  const retried = material.kind === 'tls13' && crypto.helloRetry && transcript[0]?.message.body.kind === 'client_hello';
  if (retried) {
    const digest = hashOf(hash, messages[0]);
    messages[0] = concat(Uint8Array.of(MESSAGE_HASH, 0, 0, digest.length), digest);
  }
  if (material.kind === 'tls13') {
    checkFinished13(crypto, material, messages, retried);
    return;
  }
  // A TLS 1.2 renegotiation starts a new transcript at its ClientHello, with its own master secret.
  let handshakeStart = 0;
  let generation = -1;
  for (let i = 0; i < transcript.length; i++) {
    const entry = transcript[i];
    const body = entry.message.body;
    if (body.kind === 'client_hello') {
      handshakeStart = i;
      generation++;
    }
    if (body.kind !== 'finished') continue;
    const who = senderName(entry.direction);
    const keys = generation <= 0 ? material : crypto.materialFor(generation);
    if (!keys) continue; // a renegotiation whose keys are unknown
    const before = concat(...messages.slice(handshakeStart, i));
    // TLS 1.0/1.1 hash the handshake with MD5 and SHA-1 side by side (RFC 2246, Section 7.4.9).
    const transcriptHash = keys.version < 0x0303 ? concat(hashOf('md5', before), hashOf('sha1', before)) : hashOf(keys.suite.prfHash, before);
    const expected = prfFor(keys.version, keys.suite.prfHash, keys.master, `${who} finished`, transcriptHash, 12);
    const key = keyValue(generation > 0 ? `master_secret (renegotiation ${generation})` : 'master_secret', keys.master);
    const ok = toHex(expected) === toHex(body.verifyData);
    crypto.keys.steps.push({
      title: `${generation > 0 ? `renegotiation ${generation}: ` : ''}${who} Finished check: verify_data = PRF(master_secret, "${who} finished", Hash(handshake messages))[0..11]`,
      operation: 'PRF',
      rfc: 'RFC 5246, Section 7.4.9',
      inputs: [key, keyValue(`Transcript-Hash (${i - handshakeStart} messages before this Finished)`, transcriptHash)],
      outputs: [keyValue('computed verify_data', expected), keyValue('received verify_data', body.verifyData)],
      note: ok ? 'they match: these keys are the ones the peers used' : 'they differ: the keys or the recorded transcript do not fit',
    });
  }
}

/**
 * TLS 1.3's Finished checks (RFC 8446, Section 4.4). The handshake's two hash its messages up to
 * each Finished, under the handshake traffic secrets. NewSessionTicket and KeyUpdate are in no
 * transcript. A Finished after the client's (post-handshake authentication, 4.6.2) hashes the
 * whole handshake, then the server's CertificateRequest and the client's Certificate and
 * CertificateVerify, under the client's application traffic secret.
 */
function checkFinished13(crypto: ConnectionCrypto, material: Tls13Material, messages: Uint8Array[], retried: boolean): void {
  const hash = material.suite.prfHash;
  const handshake: Uint8Array[] = [];
  let handshakeDone = false;
  let postHandshake: Uint8Array[] | null = null;
  crypto.transcript.forEach((entry, i) => {
    const kind = entry.message.body.kind;
    if (kind === 'new_session_ticket' || kind === 'key_update') return;
    if (kind !== 'finished') {
      if (!handshakeDone) handshake.push(messages[i]);
      else if (kind === 'certificate_request') postHandshake = [messages[i]];
      else postHandshake?.push(messages[i]);
      return;
    }
    const who = senderName(entry.direction);
    const after = handshakeDone;
    const before = after ? [...handshake, ...(postHandshake ?? [])] : handshake;
    const base = after ? material.applicationSecret[entry.direction] : material.handshakeSecret[entry.direction];
    if (base) {
      const transcriptHash = hashOf(hash, concat(...before));
      const finishedKey = hkdfExpandLabel(hash, base, 'finished', new Uint8Array(0), HASH_LENGTH[hash]);
      const expected = hmac(hash, finishedKey, transcriptHash);
      const received = entry.message.body.kind === 'finished' ? entry.message.body.verifyData : new Uint8Array(0);
      const ok = toHex(expected) === toHex(received);
      crypto.keys.steps.push({
        title: `${who} Finished check${after ? ' (post-handshake authentication)' : ''}: verify_data = HMAC(finished_key, Transcript-Hash)`,
        operation: `HMAC-${hash.toUpperCase()}`,
        rfc: after ? 'RFC 8446, Sections 4.4.4 and 4.6.2' : 'RFC 8446, Section 4.4.4',
        inputs: [
          keyValue(after ? `${who} finished_key (from ${who}_application_traffic_secret_0)` : `${who} finished_key`, finishedKey),
          keyValue(
            after
              ? `Transcript-Hash (the ${handshake.length} handshake messages, then the CertificateRequest, Certificate and CertificateVerify after it)`
              : `Transcript-Hash (${before.length} messages before this Finished${retried ? ', the first ClientHello as message_hash' : ''})`,
            transcriptHash,
          ),
        ],
        outputs: [keyValue('computed verify_data', expected), keyValue('received verify_data', received)],
        note: ok ? 'they match: these keys are the ones the peers used' : 'they differ: the keys or the recorded transcript do not fit',
      });
    }
    if (after) postHandshake = null;
    else {
      handshake.push(messages[i]);
      if (entry.direction === 'client-to-server') handshakeDone = true;
    }
  });
}

/** Decrypts one connection: key material and steps, every protected record, every handshake message. */
export function decryptConnection(input: ConnectionDecryptionInput): ConnectionDecryption {
  const crypto = new ConnectionCrypto(input);
  const results = new Map<string, RecordResult>();
  const decoded = decodeConnection(input.chunks, {
    decryptorFor: (context) => new DirectionDecryptor(context.direction, crypto, results, input.gaps),
    onHandshakeMessage: (direction, bytes, message) => crypto.onHandshakeMessage(direction, bytes, message),
  });
  const material = crypto.materialNow();
  if (material === null && !crypto.serverHello) {
    crypto.keys.notes.push('no ServerHello was recorded: nothing was negotiated, so there are no keys');
  }
  checkFinished(crypto, material);
  crypto.completeSchedule13(material);
  if (input.preferTicketKey && input.ticketKeys && material?.kind === 'tls13') crypto.openIssuedTickets13(decoded);
  crypto.noteMissingSecrets(results);
  collectKeyShares(crypto.keys, decoded);
  if (crypto.offeredEarlyData()) crypto.keys.notes.push(earlyDataNote(crypto, decoded, results));

  const protectedRecords: { entry: DecodedConnection['records'][number]; result: RecordResult | undefined }[] = [];
  const opened = new Set<number>();
  for (const entry of decoded.records) {
    const result = results.get(`${entry.direction}:${entry.streamOffset}`);
    if (!result && !entry.encrypted) continue;
    if (!result && entry.messages.length === 0 && entry.malformed) continue; // an unfinished tail, not a record
    if (result?.opened.status === 'decrypted') opened.add(entry.number);
    protectedRecords.push({ entry, result });
  }
  // TLS 1.0: an empty application-data record before each real one is OpenSSL's answer to BEAST.
  const emptyRecords = protectedRecords.filter(({ result }) => result?.opened.status === 'decrypted' && result.opened.contentType === CONTENT_TYPE.application_data && result.opened.plaintext?.length === 0).length;
  if (material?.kind === 'tls12' && material.version === 0x0301 && emptyRecords > 0) {
    crypto.keys.notes.push(
      `${emptyRecords} empty application-data record${emptyRecords === 1 ? '' : 's'}: OpenSSL's defence against BEAST. Before each record of data it sends one with no content, whose last ciphertext block (over its MAC and padding) the attacker could not know when choosing what came next; that block becomes the next record's IV. (Browsers split records 1/n-1 instead.)`,
    );
  }
  let all: DecryptedRecordInfo[] | undefined;
  const handshake: HandshakeMessageInfo[] = decoded.handshakeMessages.map((m: RecordedHandshakeMessage) => {
    const info: HandshakeMessageInfo = {
      name: m.name,
      direction: m.direction,
      recordNumbers: m.recordNumbers,
      encrypted: m.recordNumbers.some((n) => opened.has(n)),
      summary: summarize(m),
    };
    if (m.malformed) info.malformed = m.malformed;
    return info;
  });
  return {
    keys: crypto.keys,
    get records(): DecryptedRecordInfo[] {
      all ??= protectedRecords.map(({ entry, result }) => recordInfo(entry, result));
      return all;
    },
    page(from: number, limit: number): DecryptedRecordInfo[] {
      let start = 0;
      while (start < protectedRecords.length && protectedRecords[start].entry.number < from) start++;
      return protectedRecords.slice(start, start + limit).map(({ entry, result }) => recordInfo(entry, result));
    },
    total: protectedRecords.length,
    decrypted: opened.size,
    handshake,
    decoded,
    transcript: crypto.transcript,
  };
}

/** What 0-RTT means for this connection: how much was sent, what protects it, and the server's answer. */
function earlyDataNote(crypto: ConnectionCrypto, decoded: DecodedConnection, results: Map<string, RecordResult>): string {
  const sent = [...results.values()].filter((r) => r.epoch === EARLY_EPOCH).length;
  const parts = [
    sent > 0
      ? `0-RTT: the client sent ${sent} record${sent === 1 ? '' : 's'} under client_early_traffic_secret before the handshake finished.`
      : 'The ClientHello announced 0-RTT data (early_data).',
    'Those keys come from the resumed session\'s PSK and the ClientHello alone, with no (EC)DHE: early data loses forward secrecy if the PSK leaks, and anyone who recorded it can send it to the server again (a replay, RFC 8446, Section 8).',
  ];
  const extensions = decoded.handshakeMessages.find((m) => m.body.kind === 'encrypted_extensions');
  if (extensions?.body.kind === 'encrypted_extensions') {
    parts.push(
      extensions.body.extensions.some((e) => e.type === EARLY_DATA)
        ? 'The server accepted it (early_data in its EncryptedExtensions); the client\'s EndOfEarlyData ended it.'
        : 'The server turned it down (no early_data in its EncryptedExtensions): it skipped those records, and the client has to send that data again after the handshake.',
    );
  }
  if (!crypto.earlySecret()) parts.push('The key log has no CLIENT_EARLY_TRAFFIC_SECRET line for this connection, so the early records stay closed.');
  return parts.join(' ');
}

function collectKeyShares(keys: ConnectionKeyMaterial, decoded: DecodedConnection): void {
  // After a HelloRetryRequest the client sends its ClientHello again, with a share in the group
  // the server asked for: the first ClientHello's shares were turned down, and say so.
  const retried = decoded.handshakeMessages.some((m) => m.body.kind === 'server_hello' && m.body.isHelloRetryRequest);
  let clientHellos = 0;
  for (const m of decoded.handshakeMessages) {
    const b = m.body;
    if (b.kind === 'client_hello' || b.kind === 'server_hello') {
      const who = b.kind === 'client_hello' ? 'client' : 'server';
      const note = b.kind === 'client_hello' && retried ? (++clientHellos === 1 ? ', first ClientHello: turned down by the HelloRetryRequest' : ', second ClientHello') : '';
      for (const e of b.extensions) {
        if (e.value.kind !== 'key_share') continue;
        for (const share of e.value.shares) keys.keyShares.push(keyValue(`${who} key share (${share.group.name}${note})`, share.keyExchange));
      }
    } else if (b.kind === 'server_key_exchange' && b.ecdh) {
      keys.keyShares.push(keyValue(`server ECDHE public key (${b.ecdh.namedCurve.name})`, b.ecdh.publicPoint));
    } else if (b.kind === 'server_key_exchange' && b.dh) {
      // Finite-field DHE (RFC 5246, 7.4.3): the group (p, g) travels with the server's public value.
      keys.keyShares.push(keyValue(`server DHE public key (${b.dh.dhP.length * 8}-bit group)`, b.dh.dhYs));
    } else if (b.kind === 'client_key_exchange' && b.publicValue) {
      keys.keyShares.push(keyValue(`client ${b.keyExchange.replace(/_psk$/, '').toUpperCase()} public key`, b.publicValue));
    }
  }
}

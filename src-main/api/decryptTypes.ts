// Key material, the key schedule and decrypted records (issue 6). Types only.
import type { Direction } from './types';

/** A named byte string, shown as hex (and as text where it is a label). */
export interface KeyValue {
  name: string;
  hex: string;
  /** Length in bytes. */
  length: number;
  /** The bytes as ASCII when they are a label ("master secret", "tls13 key"). */
  text?: string;
  /**
   * Set when the value is not known (hex is then empty and length is the length it has): why not,
   * e.g. "no key log has a line for it". The step still shows where it sits in the schedule.
   */
  unknown?: string;
  /** The value the lesson turns on (the secret a session ticket holds): shown to stand out. */
  highlight?: boolean;
}

/** One step of a derivation: what went in, under which operation, what came out. */
export interface DerivationStep {
  /** e.g. "master secret: P_SHA256 round 1", "HKDF-Expand-Label(secret, \"key\", \"\", 16)". */
  title: string;
  /** HMAC-SHA256, HKDF-Extract, HKDF-Expand-Label, RSA decrypt (PKCS #1 v1.5), split ... */
  operation: string;
  /** The RFC section it implements. */
  rfc?: string;
  inputs: KeyValue[];
  outputs: KeyValue[];
  note?: string;
}

/** The cipher suite as the record layer uses it. */
export interface SuiteInfo {
  code: number;
  name: string;
  cipher: string;
  protection: 'aead-explicit-nonce' | 'aead-xor-nonce' | 'cbc' | 'null';
  keyLength: number;
  fixedIvLength: number;
  recordIvLength: number;
  tagLength: number;
  macHash?: string;
  macKeyLength: number;
  prfHash: string;
}

/** Where the keys came from. */
export type KeySource =
  /** The NSS key log the TLS library wrote while the session ran. */
  | 'keylog'
  /** The pre-master secret, decrypted from the RSA ClientKeyExchange with the server's private key. */
  | 'server-private-key'
  /**
   * The master secret (TLS 1.2) or PSK (TLS 1.3 psk_ke) sealed in a session ticket, opened with
   * the ticket key a workbench server kept in the data folder's keyring.
   */
  | 'server-ticket-key'
  /** Nothing that opens this connection. */
  | 'none';

export interface ConnectionKeys {
  sessionId: number;
  connectionId: number;
  leg: string;
  /** "TLS 1.2", "TLS 1.3", from the ServerHello. */
  version?: string;
  cipherSuite?: { code: number; name: string };
  /** Absent when the workbench does not decrypt this suite. */
  suite?: SuiteInfo;
  /** rsa, ecdhe, dhe, tls13 ... */
  keyExchange?: string;
  clientRandom?: string;
  serverRandom?: string;
  /** The (EC)DHE public values of both sides, when the handshake shows them. */
  keyShares: KeyValue[];
  extendedMasterSecret: boolean;
  encryptThenMac: boolean;
  source: KeySource;
  /** Pre-master and master secret (TLS 1.2); traffic secrets (TLS 1.3). */
  secrets: KeyValue[];
  /** The write keys, IVs and MAC keys the records are opened with. */
  keys: KeyValue[];
  steps: DerivationStep[];
  /** The key log lines recorded for this connection. */
  keylog: string[];
  /**
   * A resumed connection: the recorded connection whose session it took up (found by the session
   * ID, TLS 1.2 ticket or TLS 1.3 PSK identity), when that one is in the data folder.
   */
  resumedFrom?: {
    sessionId: number;
    connectionId: number;
    /** Its place among its session's connections, from 1. */
    connectionNumber?: number;
    /** An earlier connection of this same session (a proxy's, an imported capture's). */
    sameSession: boolean;
    by: 'session ID' | 'session ticket' | 'PSK identity (ticket)';
  };
  /** The connection resumed a session (TLS 1.2 abbreviated handshake, or a PSK the TLS 1.3 server took), found or not. */
  resumed?: boolean;
  /** What could not be done and why; the forward-secrecy lesson lives here too. */
  notes: string[];
}

export type RecordDecryptionStatus =
  | 'decrypted'
  /** The AEAD tag did not verify: a changed byte, or the wrong key. */
  | 'tag-failed'
  /** CBC: the HMAC did not verify (or the padding was wrong, which is reported the same way). */
  | 'mac-failed'
  /** No keys for this record's direction and epoch. */
  | 'no-keys'
  /** Too short to be a protected record of this suite. */
  | 'malformed';

export interface NonceInfo {
  hex: string;
  /** How it was built, e.g. "client_write_iv XOR sequence number 3". */
  construction: string;
  fixedIv: string;
  /** TLS 1.2 GCM: the 8 bytes carried in the record. */
  explicit?: string;
}

export interface MacCheck {
  hash: string;
  received: string;
  computed: string;
  ok: boolean;
  /** encrypt-then-MAC (RFC 7366) or MAC-then-encrypt. */
  order: 'encrypt-then-mac' | 'mac-then-encrypt';
  paddingOk?: boolean;
}

/** What a record opened after a capture gap says about it: its sequence number was searched for. */
export interface RecordAfterGap {
  /** Bytes the gap did not capture. */
  notCaptured: number;
  /** Records the gap took (in this direction), as the sequence number shows. */
  recordsLost: number;
  /** False when the keys changed inside the gap (a lost Finished or KeyUpdate): then at least this many. */
  exact: boolean;
}

export interface DecryptedRecordInfo {
  /** TlsRecordEntry.number: 1-based, per connection, across both directions. */
  number: number;
  t: number;
  direction: Direction;
  /** The type on the wire (application_data for every TLS 1.3 protected record). */
  outerContentType: number;
  /** The real type: TLS 1.3's inner type, or the outer type in TLS 1.2. */
  contentType?: number;
  contentTypeName?: string;
  /** Record body length on the wire. */
  length: number;
  status: RecordDecryptionStatus;
  /** "handshake", "application", "application (after KeyUpdate 1)". */
  keyEpoch?: string;
  sequenceNumber?: number;
  nonce?: NonceInfo;
  /** AEAD additional data, or the CBC MAC's header. */
  additionalData?: string;
  tag?: string;
  tagCheck?: 'ok' | 'failed';
  mac?: MacCheck;
  /** CBC: the IV carried in the record. */
  recordIv?: string;
  /** TLS 1.3: zero bytes of padding removed after the inner type. */
  paddingLength?: number;
  plaintextHex?: string;
  /** The plaintext as text when it is printable (UTF-8 or ASCII). */
  plaintextText?: string;
  plaintextLength?: number;
  /** What the decoder read in the plaintext: "Application Data", "Finished", "Alert (...)". */
  messages: string[];
  problem?: string;
  /** The first record opened after an imported capture's gap: what the gap took. */
  afterGap?: RecordAfterGap;
}

/** A handshake message of the connection, clear or decrypted, with a one-line summary. */
export interface HandshakeMessageInfo {
  name: string;
  direction: Direction;
  recordNumbers: number[];
  /** True when it travelled encrypted (TLS 1.3's EncryptedExtensions ... Finished, tickets). */
  encrypted: boolean;
  summary: string;
  malformed?: string;
}

export interface DecryptedConnection {
  sessionId: number;
  connectionId: number;
  leg: string;
  source: KeySource;
  /** Protected records in the connection. */
  total: number;
  /** How many of them opened (tag or MAC verified). */
  decrypted: number;
  /** The page asked for: protected records from `fromRecord` on, at most `limit`. */
  records: DecryptedRecordInfo[];
  handshake: HandshakeMessageInfo[];
  notes: string[];
}

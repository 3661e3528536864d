// Records decoded against their bytes, for the record inspector and the timeline (issue 6). Types only.
import type { AlertInfo, ConnectionLeg, Direction } from './types';

/**
 * One decoded field with the bytes it came from. Offsets are absolute in the byte string the tree
 * belongs to: the whole record as it crossed the wire (header first), or its decrypted plaintext.
 */
export interface RecordField {
  /** The RFC's field name ("cipher_suites", "server_name"), or an element's label ("cipher suite 3"). */
  name: string;
  /** The decoded value as a student reads it ("TLS_AES_128_GCM_SHA256 (0x1301)", "www.bank32.com"). */
  value?: string;
  offset: number;
  length: number;
  /** The wire code the value stands for, when it is one. */
  code?: number;
  /** A code the registry does not know: shown raw with its code. */
  unknown?: boolean;
  /** Why these bytes do not have the shape the field requires. */
  malformed?: string;
  /** A certificate carried in this field: its DER as base64, to open in the certificate inspector. */
  certificateDer?: string;
  /** Something worth knowing about the field ("continues in record 5"). */
  note?: string;
  children?: RecordField[];
}

/** A record as the timeline lists it: TlsRecordEntry without the bytes, with a one-line summary. */
export interface RecordRow {
  /** 1-based, per connection, in wire order across both directions. */
  number: number;
  /** ms since the session started. */
  t: number;
  direction: Direction;
  contentType: number;
  contentTypeName: string;
  version: number;
  versionName: string;
  /** Body length (without the 5-byte header). */
  length: number;
  /** Offset of the header's first byte in its direction's byte stream. */
  streamOffset: number;
  /** The body is still ciphertext to the decoder (no keys, or they did not open it). */
  encrypted: boolean;
  /** The body travelled encrypted on the wire (whether or not the key log opened it). */
  protected: boolean;
  /** The key log opened it: `messages` name what was inside. */
  decrypted: boolean;
  messages: string[];
  /** Wireshark's Info column: "Server Hello, Certificate, Server Hello Done", "Alert (fatal, unknown_ca)". */
  summary: string;
  alert?: AlertInfo;
  malformed?: string;
}

/** A handshake message the record carries (whole or in part), for selecting it in every view. */
export interface RecordMessageRef {
  name: string;
  /** Index among the connection's handshake messages, in the order they completed. */
  index: number;
  /** Every record that carried its bytes. */
  recordNumbers: number[];
  /** It travelled encrypted and was read after decryption. */
  encrypted: boolean;
}

/** One record with its bytes and every field decoded against them. */
export interface RecordDetail {
  number: number;
  /** The record as it crossed the wire, header included (base64). */
  rawBase64: string;
  /** Bytes that the recording holds of this record (less than header + length when it was cut short). */
  rawLength: number;
  /** Record header and body fields; offsets into the raw record. */
  tree: RecordField[];
  /** The decrypted content, when the key log (or the server key) opens it; offsets into the plaintext. */
  plaintext?: { base64: string; contentTypeName: string; tree: RecordField[] };
  messages: RecordMessageRef[];
}

export interface RecordPageRequest {
  id: number;
  /** The connection; the session's first when absent. */
  connectionId?: number;
  /** First record number to return (1-based); 1 by default. */
  from?: number;
  /** At most this many rows; 500 by default, at most 5,000 (200 with detail). */
  limit?: number;
  /** Also return each record's bytes and decoded field tree. */
  detail?: boolean;
}

export interface RecordPage {
  sessionId: number;
  connectionId: number;
  leg: ConnectionLeg;
  /** Records in the connection. */
  total: number;
  from: number;
  rows: RecordRow[];
  /** With `detail`: one per row, in the same order. */
  details?: RecordDetail[];
}

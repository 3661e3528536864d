// The records of a connection as the Inside view shows them: Wireshark-style rows, tones, and the
// facts of one record's decryption. Pure, no DOM.
import type { ConnectionKeys, DecryptedRecordInfo, DerivationStep, KeyValue, RecordRow } from '../api/contract';
import { DIRECTION_ARROW, DIRECTION_LABEL } from './timeline';

export type RecordTone = 'handshake' | 'ccs' | 'alert' | 'data' | 'encrypted' | 'malformed';

export interface RecordRowView {
  number: number;
  time: string;
  arrow: '→' | '←';
  direction: string;
  type: string;
  version: string;
  length: number;
  summary: string;
  tone: RecordTone;
  /** 'locked': ciphertext nobody opened; 'opened': ciphertext the key log opened; '': clear on the wire. */
  protection: 'locked' | 'opened' | '';
  /** A close_notify: an alert, but the good end of a connection. */
  graceful: boolean;
}

/**
 * A close_notify alert: how every connection ends well (RFC 8446, Section 6.1). It keeps the
 * alert tone (it is an alert) but is not drawn in a failure's red: a verified session looked as
 * if it had gone wrong at its end.
 */
export function isCloseNotify(row: Pick<RecordRow, 'alert' | 'messages'>): boolean {
  if (row.alert) return row.alert.descriptionName === 'close_notify';
  const alerts = row.messages.filter((m) => m.startsWith('Alert') || m === 'Encrypted Alert');
  return alerts.length > 0 && alerts.every((m) => m.includes('close_notify'));
}

export function recordTone(row: RecordRow): RecordTone {
  if (row.malformed) return 'malformed';
  if (row.alert || row.messages.some((m) => m.startsWith('Alert') || m === 'Encrypted Alert')) return 'alert';
  if (row.encrypted) return 'encrypted';
  if (row.contentType === 20 || row.messages.some((m) => m.startsWith('Change Cipher Spec') || m === 'ChangeCipherSpec')) return 'ccs';
  if (row.messages.length > 0 && row.messages.every((m) => m.startsWith('Application Data'))) return 'data';
  return 'handshake';
}

/** Milliseconds since the start, as Wireshark's relative time column but in ms: "12.345". */
export function formatRecordTime(t: number): string {
  return t.toFixed(3);
}

export function recordRowView(row: RecordRow): RecordRowView {
  return {
    number: row.number,
    time: formatRecordTime(row.t),
    arrow: DIRECTION_ARROW[row.direction],
    direction: DIRECTION_LABEL[row.direction],
    type: row.contentTypeName,
    version: row.versionName,
    length: row.length,
    summary: row.summary,
    tone: recordTone(row),
    protection: row.protected ? (row.decrypted ? 'opened' : 'locked') : '',
    graceful: isCloseNotify(row),
  };
}

export interface Fact {
  label: string;
  value: string;
  /** Shown in a monospaced font and copyable as hex. */
  hex?: boolean;
  tone?: 'ok' | 'fail';
  explanation?: string;
}

const STATUS_TEXT: Record<DecryptedRecordInfo['status'], string> = {
  decrypted: 'opened: the tag (or MAC) verified',
  'tag-failed': 'the authentication tag did not verify: a changed byte, or the wrong key',
  'mac-failed': 'the MAC (or the padding) did not verify',
  'no-keys': 'no keys for this record',
  malformed: 'too short to be a protected record of this suite',
};

/**
 * What went into opening one record and what came out, in the order a student follows it.
 * `recordVersion` is the record header's version: TLS 1.0 (0x0301) and SSL 3.0 carry no IV in a
 * CBC record, so the IV shown there is not a record field.
 */
export function decryptionFacts(info: DecryptedRecordInfo, recordVersion?: number, earlyData?: 'accepted' | 'rejected' | 'unknown'): Fact[] {
  const cbc = info.mac !== undefined;
  // TLS 1.3 alone hides the type inside the ciphertext, after which zeros may pad (RFC 8446, 5.2).
  const tls13 = !cbc && info.paddingLength !== undefined;
  const facts: Fact[] = [{ label: 'Result', value: STATUS_TEXT[info.status], tone: info.status === 'decrypted' ? 'ok' : 'fail' }];
  if (info.keyEpoch) facts.push({ label: 'Keys', value: info.keyEpoch, explanation: 'which traffic keys this record was written under' });
  if (info.sequenceNumber !== undefined) {
    facts.push({ label: 'Sequence number', value: String(info.sequenceNumber), explanation: 'records sent in this direction under these keys before this one; never on the wire' });
  }
  if (info.nonce) {
    facts.push({ label: 'Fixed IV', value: info.nonce.fixedIv, hex: true });
    if (info.nonce.explicit) facts.push({ label: 'Explicit nonce (in the record)', value: info.nonce.explicit, hex: true });
    facts.push({ label: 'Nonce', value: info.nonce.hex, hex: true, explanation: info.nonce.construction });
  }
  if (info.recordIv) {
    if (recordVersion !== undefined && recordVersion <= 0x0301) {
      facts.push({
        label: 'IV (not in the record)',
        value: info.recordIv,
        hex: true,
        explanation: "TLS 1.0 chains CBC from record to record: the previous record's last ciphertext block (the key block's IV for the first). TLS 1.1 put an explicit IV in every record instead (RFC 4346, Section 6.2.3.2)",
      });
    } else {
      facts.push({ label: 'Record IV', value: info.recordIv, hex: true, explanation: "the record's first block, sent in the clear (RFC 5246, Section 6.2.3.2)" });
    }
  }
  if (info.additionalData) {
    facts.push(
      cbc
        ? { label: 'MAC header', value: info.additionalData, hex: true, explanation: 'sequence number, type, version and length: what the MAC covers ahead of the bytes (RFC 5246, Section 6.2.3.1)' }
        : { label: 'Additional data', value: info.additionalData, hex: true, explanation: 'authenticated, not encrypted' },
    );
  }
  if (info.tag) {
    facts.push({ label: 'Authentication tag', value: info.tag, hex: true });
    if (info.tagCheck) facts.push({ label: 'Tag check', value: info.tagCheck === 'ok' ? 'verified' : 'FAILED', tone: info.tagCheck === 'ok' ? 'ok' : 'fail' });
  }
  if (info.mac) {
    facts.push({ label: `MAC received (${info.mac.hash}, ${info.mac.order})`, value: info.mac.received, hex: true });
    facts.push({ label: 'MAC computed', value: info.mac.computed, hex: true, tone: info.mac.ok ? 'ok' : 'fail' });
    if (info.mac.paddingOk !== undefined) facts.push({ label: 'Padding', value: info.mac.paddingOk ? 'well formed' : 'wrong', tone: info.mac.paddingOk ? 'ok' : 'fail' });
  }
  if (info.contentTypeName) {
    facts.push(
      tls13
        ? { label: 'Real content type', value: `${info.contentTypeName} (${info.contentType})`, explanation: 'the last non-zero byte of the plaintext; the header says Application Data' }
        : { label: 'Content type', value: `${info.contentTypeName} (${info.contentType})`, explanation: 'from the record header: before TLS 1.3 the type is not hidden' },
    );
  }
  if (info.paddingLength !== undefined) {
    facts.push(
      cbc
        ? {
            label: 'CBC padding removed',
            value: `${info.paddingLength} byte${info.paddingLength === 1 ? '' : 's'}`,
            explanation: `${info.paddingLength - 1} padding bytes and the padding-length byte, each of value ${info.paddingLength - 1}, filling the last block (RFC 5246, Section 6.2.3.2)`,
          }
        : { label: 'Zero padding removed', value: `${info.paddingLength} bytes` },
    );
  }
  if (cbc && recordVersion !== undefined && recordVersion <= 0x0301 && info.contentType === 23 && info.plaintextLength === 0) {
    facts.push({
      label: 'Empty record',
      value: 'no data, on purpose',
      explanation:
        "TLS 1.0's chained IV is known before a record is sent (BEAST): OpenSSL sends an empty record ahead of the data, so the next record's IV is this record's unpredictable last block",
    });
  }
  // Opening 0-RTT data with the key log says nothing of whether the server read it (RFC 8446, 4.2.10).
  if (earlyData === 'accepted') facts.push({ label: 'The server', value: 'accepted this 0-RTT data', tone: 'ok', explanation: 'the client ended it with EndOfEarlyData' });
  if (earlyData === 'rejected') {
    facts.push({ label: 'The server', value: 'turned this 0-RTT data down', tone: 'fail', explanation: 'no EndOfEarlyData followed: the server skipped the record unread; the key log opens it here all the same' });
  }
  if (info.problem) facts.push({ label: 'Problem', value: info.problem, tone: 'fail' });
  return facts;
}

/** Splits a long hex value into groups of 8 bytes for reading. */
export function groupHex(hex: string, bytesPerGroup = 8): string {
  return (hex.match(new RegExp(`.{1,${bytesPerGroup * 2}}`, 'g')) ?? []).join(' ');
}

/** A key value's label with its size: "client_write_key (16 bytes)". */
export function keyLabel(value: KeyValue): string {
  return `${value.name} (${value.length} byte${value.length === 1 ? '' : 's'})`;
}

/**
 * A derivation step that checks a value (a Finished's verify_data): whether what the keys give
 * equals what the peer sent. Null for steps that only derive. Shown on the step's closed summary,
 * so a student sees every Finished checked without opening each step.
 */
export function stepCheck(step: DerivationStep): 'match' | 'differ' | null {
  for (const computed of step.outputs) {
    if (!computed.name.startsWith('computed ')) continue;
    const received = step.outputs.find((v) => v.name === `received ${computed.name.slice('computed '.length)}`);
    if (received) return received.hex.toLowerCase() === computed.hex.toLowerCase() ? 'match' : 'differ';
  }
  return null;
}

/**
 * What a student can do when nothing opens a connection. An RSA key exchange opens from the
 * server's private key alone, which the workbench looks for among the certificate workshop's keys
 * (by the server certificate the session recorded): say so, or the "no server private key was
 * given" note leaves them with nothing to try.
 */
export function keyAdvice(keys: ConnectionKeys): string | null {
  if (keys.source !== 'none' || keys.keylog.length > 0) return null;
  if (keys.keyExchange === 'rsa') {
    return "This is an RSA key exchange: the server's private key alone opens it. Import the server's certificate with its key in Certificates (Import), then come back to this tab.";
  }
  return null;
}

const KEY_EXCHANGE: Record<string, string> = {
  rsa: "RSA: the client encrypts the pre-master secret to the server's certificate key (no forward secrecy)",
  ecdhe: 'ECDHE: ephemeral elliptic-curve Diffie-Hellman, signed by the server',
  dhe: 'DHE: ephemeral finite-field Diffie-Hellman, signed by the server',
  ecdh: "ECDH: static elliptic-curve Diffie-Hellman with the certificate's key (no forward secrecy)",
  dh: "DH: static Diffie-Hellman with the certificate's key (no forward secrecy)",
  ecdh_anon: 'anonymous ECDH: nothing authenticates the server',
  dh_anon: 'anonymous DH: nothing authenticates the server',
  psk: 'PSK: a key both sides were given beforehand',
  ecdhe_psk: 'ECDHE-PSK: ephemeral elliptic-curve Diffie-Hellman, authenticated by a key both sides were given beforehand',
  dhe_psk: 'DHE-PSK: ephemeral finite-field Diffie-Hellman, authenticated by a key both sides were given beforehand',
  rsa_psk: "RSA-PSK: a secret encrypted to the server's certificate key, mixed with a key both sides were given beforehand (no forward secrecy)",
};

/**
 * The key exchange as the Key material tab names it. A TLS 1.3 suite names none: the key_share
 * extension carries the (EC)DHE shares, and a resumption adds pre_shared_key (RFC 8446, 4.2.8-4.2.11).
 */
export function keyExchangeText(keys: ConnectionKeys): string {
  const kx = keys.keyExchange;
  if (!kx) return '—';
  if (kx === 'tls13') {
    return keys.keyShares.length > 0
      ? 'TLS 1.3: (EC)DHE in the key_share extensions (with pre_shared_key too when a session is resumed); the suite names no key exchange'
      : 'TLS 1.3: no key shares seen (a PSK alone, or hellos not recorded)';
  }
  // A resumed TLS 1.2 connection takes up the earlier session's master secret: the suite names
  // the key exchange that session made, and this one makes none.
  if (keys.resumed) return `none in this connection: it resumed an earlier session and reuses its master secret (that session's key exchange: ${KEY_EXCHANGE[kx] ?? kx})`;
  return KEY_EXCHANGE[kx] ?? kx;
}

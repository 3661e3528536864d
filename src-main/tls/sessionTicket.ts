// Opening a session ticket the way the server that issued it does. OpenSSL (and so Node) seals
// its whole session state into the ticket: key_name(16) | IV(16) | AES-CBC ciphertext |
// HMAC-SHA256(32) over everything before it (ssl/t1_lib.c, tls_decrypt_ticket). The plaintext
// is the DER of OpenSSL's SSL_SESSION (ssl/ssl_asn1.c): for TLS 1.2 it holds the master secret
// itself, for TLS 1.3 the resumption PSK. Whoever holds the ticket key can read both. Pure: bytes
// and keys in, the opened state and every step out.
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import type { DerivationStep, KeyValue } from '../api/decryptTypes';
import { keyValue, toHex } from './prf';
import { cipherSuiteName, versionName } from './registry';

/** One ticket key a workbench server used, as the keyring keeps it (hex strings). */
export interface TicketKeyEntry {
  /** The 16-byte key name OpenSSL puts at the start of every ticket it seals with this key. */
  keyName: string;
  /** HMAC-SHA256 secret (16 bytes, as Node's setTicketKeys takes it). */
  hmacKey: string;
  /** AES-128-CBC key (16 bytes). */
  aesKey: string;
  /** The server's label when it started (e.g. "127.0.0.1:4433" or the label it was given). */
  server: string;
  /** When the server started with this key (ms since the epoch). */
  startedAt: number;
}

/** The 48 bytes Node's setTicketKeys takes: key name, HMAC secret, AES key, 16 bytes each. */
export function splitNodeTicketKeys(keys: Uint8Array): { keyName: string; hmacKey: string; aesKey: string } {
  if (keys.length !== 48) throw new Error(`ticket keys are 48 bytes, not ${keys.length}`);
  return { keyName: toHex(keys.subarray(0, 16)), hmacKey: toHex(keys.subarray(16, 32)), aesKey: toHex(keys.subarray(32, 48)) };
}

/** OpenSSL's SSL_SESSION, the fields a student checks. */
export interface SessionState {
  /** SSL_SESSION_ASN1_VERSION (1). */
  asn1Version: number;
  /** The protocol version code (0x0303 TLS 1.2, 0x0304 TLS 1.3). */
  protocol: number;
  protocolName: string;
  cipher: { code: number; name: string };
  sessionId: Uint8Array;
  /** TLS 1.2: the master secret. TLS 1.3: the resumption PSK of this ticket. */
  masterKey: Uint8Array;
  /** Seconds since the epoch the session was made. */
  time?: number;
  /** Seconds the session stays valid. */
  timeout?: number;
  /** The client's certificate, when it sent one. */
  peerCertificate?: Uint8Array;
  sessionIdContext?: Uint8Array;
  verifyResult?: number;
  hostName?: string;
  ticketLifetimeHint?: number;
  /** SSL_SESS_FLAG_EXTMS (1) and others. */
  flags?: number;
  extendedMasterSecret: boolean;
  ticketAgeAdd?: number;
  maxEarlyData?: number;
  alpn?: string;
  /** The whole DER, for `openssl sess_id`. */
  der: Uint8Array;
}

export type TicketFailure = 'too-short' | 'unknown-key' | 'mac-failed' | 'decrypt-failed' | 'not-a-session';

export type TicketOpening =
  | { ok: true; key: TicketKeyEntry; state: SessionState; steps: DerivationStep[] }
  | { ok: false; failure: TicketFailure; problem: string; keyName?: string; key?: TicketKeyEntry; steps: DerivationStep[] };

const NAME = 16;
const IV = 16;
const MAC = 32;

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * Opens a ticket with the keys of the keyring: finds its key by name, checks its MAC, decrypts it
 * and decodes the session state. A failure says which step failed and what that means.
 */
export function openTicket(ticket: Uint8Array, keyring: readonly TicketKeyEntry[]): TicketOpening {
  const steps: DerivationStep[] = [];
  if (ticket.length < NAME + IV + 16 + MAC) {
    return {
      ok: false,
      failure: 'too-short',
      problem: `the ticket is ${ticket.length} bytes, too short to be one OpenSSL sealed (key name 16, IV 16, at least one 16-byte AES block, MAC 32): another TLS library issued it`,
      steps,
    };
  }
  const name = ticket.subarray(0, NAME);
  const iv = ticket.subarray(NAME, NAME + IV);
  const ciphertext = ticket.subarray(NAME + IV, ticket.length - MAC);
  const received = ticket.subarray(ticket.length - MAC);
  const keyName = toHex(name);
  const key = keyring.find((k) => k.keyName === keyName);
  if (!key) {
    return {
      ok: false,
      failure: 'unknown-key',
      keyName,
      problem: `the ticket's key name ${keyName} is not in this workbench's keyring of ticket keys: the server that issued it is not one this data folder ran (another machine, another program, or a server whose keys were removed), so the ticket cannot be opened`,
      steps,
    };
  }
  const hmacKey = fromHex(key.hmacKey);
  const aesKey = fromHex(key.aesKey);
  steps.push({
    title: `ticket key: the ticket's first 16 bytes name a key of the server ${key.server}`,
    operation: 'keyring lookup',
    rfc: 'RFC 5077, Section 4',
    inputs: [keyValue('key_name (ticket bytes 0-15)', name)],
    outputs: [keyValue('HMAC-SHA256 secret', hmacKey), keyValue('AES-128-CBC key', aesKey)],
    note: `the server ${key.server} started with this key at ${when(key.startedAt)}; OpenSSL writes the key's name at the start of every ticket it seals with it, so the ticket itself says which key opens it`,
  });
  const computed = new Uint8Array(createHmac('sha256', hmacKey).update(ticket.subarray(0, ticket.length - MAC)).digest());
  const macOk = timingSafeEqual(computed, received);
  steps.push({
    title: 'MAC check: HMAC-SHA256(secret, key_name | IV | ciphertext)',
    operation: 'HMAC-SHA256',
    rfc: 'RFC 5077, Section 4',
    inputs: [keyValue('HMAC-SHA256 secret', hmacKey), keyValue(`ticket without its MAC (${ticket.length - MAC} bytes)`, ticket.subarray(0, ticket.length - MAC))],
    outputs: [keyValue('computed MAC', computed), keyValue('received MAC', received)],
    note: macOk
      ? 'computed with the secret; received: the ticket\'s last 32 bytes. They are equal: the ticket is the one the server sealed, unchanged'
      : 'computed with the secret; received: the ticket\'s last 32 bytes. They differ: the ticket was changed on its way, or the keyring entry does not belong to it',
  });
  if (!macOk) {
    return { ok: false, failure: 'mac-failed', keyName, key, problem: `the ticket's MAC does not verify with the key ${keyName} of the server ${key.server}: the ticket was changed, so it is not opened`, steps };
  }
  let plaintext: Uint8Array;
  try {
    const decipher = createDecipheriv('aes-128-cbc', aesKey, iv);
    plaintext = new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    return { ok: false, failure: 'decrypt-failed', keyName, key, problem: `the ticket's MAC verifies but its AES-128-CBC padding does not: the keyring entry ${keyName} has a wrong AES key`, steps };
  }
  steps.push({
    title: 'decrypt: AES-128-CBC(key, IV) over the ciphertext, PKCS#7 padding removed',
    operation: 'AES-128-CBC decrypt',
    rfc: 'RFC 5077, Section 4',
    inputs: [keyValue('AES-128-CBC key', aesKey), keyValue('IV (ticket bytes 16-31)', iv), keyValue(`ciphertext (${ciphertext.length} bytes)`, ciphertext)],
    outputs: [keyValue('session state (DER of SSL_SESSION)', plaintext)],
    note: 'the plaintext is the server\'s whole session state, as OpenSSL serializes it (ssl/ssl_asn1.c). It is what a server without a session cache needs to take the session up again, so it holds the secret',
  });
  let state: SessionState;
  try {
    state = decodeSessionState(plaintext);
  } catch (error) {
    return { ok: false, failure: 'not-a-session', keyName, key, problem: `the ticket opened, but its plaintext is not an OpenSSL session state: ${(error as Error).message}`, steps };
  }
  steps.push({
    title: `session state decoded: ${state.protocolName}, ${state.cipher.name}`,
    operation: 'DER decode (SSL_SESSION)',
    inputs: [keyValue('session state (DER of SSL_SESSION)', plaintext)],
    outputs: sessionStateValues(state),
    note:
      state.protocol === 0x0304
        ? 'in TLS 1.3 the field OpenSSL calls master_key holds this ticket\'s PSK: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). Check it with: openssl sess_id -text -noout (Resumption PSK)'
        : 'the field master_key is the master secret of the session: with it and the two randoms of any connection that uses the session, every key of that connection follows. Check it with: openssl sess_id -text -noout (Master-Key)',
  });
  return { ok: true, key, state, steps };
}

/** The session state's fields as named values; the secret is marked to stand out. */
export function sessionStateValues(state: SessionState): KeyValue[] {
  const out: KeyValue[] = [
    keyValue('protocol', Uint8Array.of(state.protocol >> 8, state.protocol & 0xff), state.protocolName),
    keyValue('cipher', Uint8Array.of(state.cipher.code >> 8, state.cipher.code & 0xff), state.cipher.name),
    keyValue('session id', state.sessionId),
  ];
  const secret = keyValue(state.protocol === 0x0304 ? 'resumption PSK (master_key)' : 'master secret (master_key)', state.masterKey);
  secret.highlight = true;
  out.push(secret);
  if (state.time !== undefined) out.push(keyValue('time', u32(state.time), `${state.time} (${when(state.time * 1000)})`));
  if (state.timeout !== undefined) out.push(keyValue('timeout', u32(state.timeout), `${state.timeout} s`));
  if (state.hostName !== undefined) out.push(keyValue('host name (SNI)', new TextEncoder().encode(state.hostName), state.hostName));
  if (state.alpn !== undefined) out.push(keyValue('ALPN', new TextEncoder().encode(state.alpn), state.alpn));
  if (state.sessionIdContext) {
    const text = Buffer.from(state.sessionIdContext).toString('latin1');
    out.push(keyValue('session id context', state.sessionIdContext, /^[\x20-\x7e]+$/.test(text) ? text : undefined));
  }
  if (state.ticketLifetimeHint !== undefined) out.push(keyValue('ticket lifetime hint', u32(state.ticketLifetimeHint), `${state.ticketLifetimeHint} s`));
  if (state.ticketAgeAdd !== undefined) out.push(keyValue('ticket_age_add', u32(state.ticketAgeAdd), String(state.ticketAgeAdd)));
  if (state.maxEarlyData !== undefined) out.push(keyValue('max early data', u32(state.maxEarlyData), `${state.maxEarlyData} bytes`));
  if (state.protocol !== 0x0304) out.push(keyValue('extended master secret', Uint8Array.of(state.extendedMasterSecret ? 1 : 0), state.extendedMasterSecret ? 'yes' : 'no'));
  if (state.peerCertificate) out.push(keyValue('client certificate (DER)', state.peerCertificate));
  return out;
}

/** The DER as `openssl sess_id -in F` reads it. */
export function sessionStatePem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN SSL SESSION PARAMETERS-----\n${b64}\n-----END SSL SESSION PARAMETERS-----\n`;
}

// ---------------------------------------------------------------------------------------------
// SSL_SESSION_ASN1 (ssl/ssl_asn1.c): SEQUENCE { version INTEGER, ssl_version INTEGER,
// cipher OCTET STRING(2), session_id OCTET STRING, master_key OCTET STRING, key_arg [0] IMPLICIT
// OPTIONAL, then EXPLICIT OPTIONAL fields: [1] time, [2] timeout, [3] peer X509,
// [4] session_id_context, [5] verify_result, [6] host name, [7] PSK identity hint, [8] PSK
// identity, [9] ticket lifetime hint, [10] ticket, [11] compression id, [12] SRP user name,
// [13] flags, [14] ticket_age_add, [15] max early data, [16] ALPN, [17] max fragment length
// mode, [18] ticket app data, [19] key exchange group }.

type Node = forge.asn1.Asn1;

function bytesOf(node: Node, what: string): Uint8Array {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.OCTETSTRING || typeof node.value !== 'string') {
    throw new Error(`${what} is not an OCTET STRING`);
  }
  return new Uint8Array(Buffer.from(node.value, 'binary'));
}

function integerOf(node: Node, what: string): number {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.INTEGER || typeof node.value !== 'string') {
    throw new Error(`${what} is not an INTEGER`);
  }
  const raw = Buffer.from(node.value, 'binary');
  if (raw.length > 7) throw new Error(`${what} is too large`);
  let n = 0;
  for (const b of raw) n = n * 256 + b;
  return n;
}

/** An EXPLICIT [n] field: the one value inside it. */
function inner(node: Node, tag: number): Node {
  if (!Array.isArray(node.value) || node.value.length !== 1) throw new Error(`field [${tag}] is not one explicitly tagged value`);
  return node.value[0];
}

export function decodeSessionState(der: Uint8Array): SessionState {
  let root: Node;
  try {
    // node-forge takes an options object here (its type declarations still say a boolean).
    const fromDer = forge.asn1.fromDer as unknown as (input: forge.util.ByteStringBuffer, options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }) => Node;
    root = fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (error) {
    throw new Error(`not DER (${(error as Error).message})`);
  }
  if (root.type !== forge.asn1.Type.SEQUENCE || !Array.isArray(root.value) || root.value.length < 5) throw new Error('not the SEQUENCE an SSL_SESSION is');
  const [version, sslVersion, cipher, sessionId, masterKey, ...rest] = root.value;
  const cipherBytes = bytesOf(cipher, 'cipher');
  if (cipherBytes.length !== 2) throw new Error(`its cipher is ${cipherBytes.length} bytes, not 2`);
  const code = (cipherBytes[0] << 8) | cipherBytes[1];
  const protocol = integerOf(sslVersion, 'ssl_version');
  const state: SessionState = {
    asn1Version: integerOf(version, 'version'),
    protocol,
    protocolName: versionName(protocol),
    cipher: { code, name: cipherSuiteName(code) },
    sessionId: bytesOf(sessionId, 'session_id'),
    masterKey: bytesOf(masterKey, 'master_key'),
    extendedMasterSecret: false,
    der,
  };
  for (const field of rest) {
    if (field.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC) continue;
    const tag = field.type as number;
    if (tag === 0) continue; // key_arg, SSLv2 only
    const value = inner(field, tag);
    switch (tag) {
      case 1: state.time = integerOf(value, 'time'); break;
      case 2: state.timeout = integerOf(value, 'timeout'); break;
      case 3: state.peerCertificate = new Uint8Array(Buffer.from(forge.asn1.toDer(value).getBytes(), 'binary')); break;
      case 4: state.sessionIdContext = bytesOf(value, 'session_id_context'); break;
      case 5: state.verifyResult = integerOf(value, 'verify_result'); break;
      case 6: state.hostName = Buffer.from(bytesOf(value, 'host name')).toString('latin1'); break;
      case 9: state.ticketLifetimeHint = integerOf(value, 'ticket lifetime hint'); break;
      case 13: state.flags = integerOf(value, 'flags'); break;
      case 14: state.ticketAgeAdd = integerOf(value, 'ticket_age_add'); break;
      case 15: state.maxEarlyData = integerOf(value, 'max early data'); break;
      case 16: state.alpn = Buffer.from(bytesOf(value, 'ALPN')).toString('latin1'); break;
      default: break;
    }
  }
  state.extendedMasterSecret = ((state.flags ?? 0) & 1) === 1;
  return state;
}

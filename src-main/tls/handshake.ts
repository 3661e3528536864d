// Handshake message decoders: RFC 8446 Section 4 (TLS 1.3) and RFC 5246 Section 7.4 (TLS 1.2).
// One decoder per message, reading through a bounds-checked Cursor. Offsets are absolute in the
// direction's handshake stream (the concatenated plaintext of its handshake records), so the
// inspector can map every field back to its bytes. The public functions never throw: a message
// that cannot be read decodes to { kind: 'malformed' } with the failing field and offset.

import zlib from 'node:zlib';
import { sameBytes } from '../bytes';
import { Cursor, DecodeError } from './cursor';
import {
  type KeyExchangeAlgorithm,
  type NamedCode,
  EXTENSION_TYPE,
  HANDSHAKE_TYPE,
  certificateCompressionAlgorithmName,
  certificateStatusTypeName,
  cipherSuiteName,
  clientCertificateTypeName,
  compressionMethodName,
  ecCurveTypeName,
  ecPointFormatName,
  echClientHelloTypeName,
  extensionName,
  handshakeMessageName,
  heartbeatModeName,
  hpkeAeadName,
  hpkeKdfName,
  hpkeKemName,
  isTls13,
  keyExchangeOf,
  keyUpdateRequestName,
  maxFragmentLengthName,
  named,
  namedGroupName,
  pskKeyExchangeModeName,
  serverNameTypeName,
  signatureSchemeName,
  versionName,
} from './registry';

export interface ByteRange {
  offset: number;
  length: number;
}

/** One wire field of a message, named as in the RFC ("cipher_suites"), with its bytes. */
export interface FieldSpan extends ByteRange {
  field: string;
}

/** What the decoder knows of the connection when it reads a message. */
export interface HandshakeContext {
  /** The negotiated version (from the ServerHello): picks the TLS 1.2 or 1.3 form of a message. */
  version?: number;
  /** The negotiated cipher suite: picks the shape of the key exchange messages. */
  cipherSuite?: number;
}

// ---------------------------------------------------------------------------------------------
// Extensions (RFC 8446, Section 4.2)

/** Which message an extension block belongs to: some extensions differ by message. */
export type ExtensionSite =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate_request'
  | 'certificate'
  | 'new_session_ticket';

export interface ServerName {
  nameType: NamedCode;
  hostName: string;
}

export interface KeyShareEntry {
  group: NamedCode;
  keyExchange: Uint8Array;
}

export type ExtensionValue =
  | { kind: 'server_name'; serverNames: ServerName[] }
  | { kind: 'application_layer_protocol_negotiation'; protocols: string[] }
  | { kind: 'supported_versions'; versions: NamedCode[] }
  | { kind: 'supported_groups'; groups: NamedCode[] }
  | { kind: 'signature_algorithms'; schemes: NamedCode[] }
  | { kind: 'signature_algorithms_cert'; schemes: NamedCode[] }
  | { kind: 'key_share'; shares: KeyShareEntry[]; selectedGroup?: NamedCode }
  | { kind: 'ec_point_formats'; formats: NamedCode[] }
  | { kind: 'psk_key_exchange_modes'; modes: NamedCode[] }
  | { kind: 'renegotiation_info'; renegotiatedConnection: Uint8Array }
  /** RFC 8446, Section 4.2.4: DER DistinguishedNames of acceptable CAs. */
  | { kind: 'certificate_authorities'; authorities: Uint8Array[] }
  /**
   * RFC 6066, Section 8: the client's CertificateStatusRequest (status_type, OCSPStatusRequest);
   * empty in a TLS 1.2 ServerHello (a CertificateStatus message follows); in a TLS 1.3
   * Certificate entry (RFC 8446, Section 4.4.2.1) a whole CertificateStatus with the OCSP response.
   */
  | { kind: 'status_request'; statusType?: NamedCode; responderIds?: Uint8Array[]; requestExtensions?: Uint8Array; ocspResponse?: Uint8Array }
  /** RFC 6066, Section 4. */
  | { kind: 'max_fragment_length'; maxFragmentLength: NamedCode }
  /** RFC 8449, Section 4. */
  | { kind: 'record_size_limit'; recordSizeLimit: number }
  /** RFC 7685: zero bytes that only pad the ClientHello. */
  | { kind: 'padding'; paddingLength: number; allZero: boolean }
  /** RFC 8446, Section 4.2.11: the client's identities and binders, or the server's selected_identity. */
  | { kind: 'pre_shared_key'; identities: PskIdentity[]; binders: Uint8Array[]; selectedIdentity?: number }
  /** RFC 8446, Section 4.2.10: max_early_data_size in a NewSessionTicket; empty elsewhere. */
  | { kind: 'early_data'; maxEarlyDataSize?: number }
  /** RFC 8446, Section 4.2.2. */
  | { kind: 'cookie'; cookie: Uint8Array }
  /** RFC 6520, Section 2. */
  | { kind: 'heartbeat'; mode: NamedCode }
  /** RFC 8879, Section 3. */
  | { kind: 'compress_certificate'; algorithms: NamedCode[] }
  /** RFC 5077, Section 3.2: the ticket a client presents (empty: it asks for one). */
  | { kind: 'session_ticket'; ticket: Uint8Array }
  /**
   * ALPS (draft-vvv-tls-alps; codepoints 17513 and 17613): the protocols the client has settings
   * for (ClientHello), or the settings themselves (EncryptedExtensions), opaque to TLS.
   */
  | { kind: 'application_settings'; protocols?: string[]; settings?: Uint8Array }
  /**
   * Encrypted Client Hello (draft-ietf-tls-esni): the ClientHello's ECHClientHello (outer, with
   * its HPKE suite and sealed payload; or the inner marker), the server's retry_configs in
   * EncryptedExtensions, or the 8-byte acceptance confirmation in a HelloRetryRequest.
   */
  | { kind: 'encrypted_client_hello'; echType?: NamedCode; kdf?: NamedCode; aead?: NamedCode; configId?: number; enc?: Uint8Array; payload?: Uint8Array; retryConfigs?: EchConfig[]; confirmation?: Uint8Array }
  /**
   * RFC 9345: the signature schemes a client accepts delegated credentials in (ClientHello,
   * CertificateRequest), or the DelegatedCredential itself in a Certificate entry.
   */
  | { kind: 'delegated_credentials'; schemes: NamedCode[]; credential?: DelegatedCredential }
  /** RFC 6961, Section 2.2: the client's list of status requests; empty in the server's reply. */
  | { kind: 'status_request_v2'; requests: StatusRequestItemV2[] }
  /** RFC 6962, Section 3.3: the SCTs a server sends (empty in a ClientHello, which asks for them). */
  | { kind: 'signed_certificate_timestamp'; scts: SignedCertificateTimestamp[] }
  | { kind: 'raw' };

/** RFC 6962, Section 3.2: one SignedCertificateTimestamp of a SignedCertificateTimestampList. */
export interface SignedCertificateTimestamp extends ByteRange {
  version: number;
  logId: Uint8Array;
  /** Milliseconds since the epoch. */
  timestamp: number;
  extensions: Uint8Array;
  /** RFC 5246 SignatureAndHashAlgorithm, read as a signature scheme. */
  algorithm: NamedCode;
  signature: Uint8Array;
}

/** RFC 9345, Section 4: a DelegatedCredential in a Certificate entry. */
export interface DelegatedCredential {
  /** Seconds after the certificate's notBefore that the credential stays valid. */
  validTime: number;
  dcCertVerifyAlgorithm: NamedCode;
  subjectPublicKeyInfo: Uint8Array;
  algorithm: NamedCode;
  signature: Uint8Array;
}

/** RFC 6961, Section 2.2: one CertificateStatusRequestItemV2. */
export interface StatusRequestItemV2 extends ByteRange {
  statusType: NamedCode;
  /** OCSPStatusRequest's parts, for ocsp and ocsp_multi. */
  responderIds?: Uint8Array[];
  requestExtensions?: Uint8Array;
  /** The request of a status type this decoder does not know. */
  request?: Uint8Array;
}

/** draft-ietf-tls-esni, Section 4: one ECHConfig of a retry_configs list. */
export interface EchConfig extends ByteRange {
  version: number;
  /** Set for version 0xfe0d, whose contents this decoder reads. */
  configId?: number;
  kem?: NamedCode;
  publicKey?: Uint8Array;
  cipherSuites?: { kdf: NamedCode; aead: NamedCode }[];
  maximumNameLength?: number;
  publicName?: string;
  /** The ECHConfig's own extensions, undecoded. */
  extensions?: Uint8Array;
}

/** RFC 8446, Section 4.2.11: one PskIdentity of a ClientHello's pre_shared_key. */
export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

export interface Extension extends ByteRange {
  type: number;
  name: string;
  /** extension_data, undecoded. */
  data: Uint8Array;
  value: ExtensionValue;
  /** Set when extension_data does not have the shape its type requires. */
  malformed?: string;
}

const textDecoder = new TextDecoder('utf-8');

function u16List(c: Cursor, field: string, nameOf: (code: number) => string): NamedCode[] {
  if (c.remaining % 2 !== 0) c.fail(field, `odd length ${c.remaining} at offset ${c.offset}: a list of 2-byte codes`);
  const out: NamedCode[] = [];
  while (!c.empty) out.push(named(c.u16(field), nameOf));
  return out;
}

function u8List(c: Cursor, field: string, nameOf: (code: number) => string): NamedCode[] {
  const out: NamedCode[] = [];
  while (!c.empty) out.push(named(c.u8(field), nameOf));
  return out;
}

function keyShareEntry(c: Cursor, field: string): KeyShareEntry {
  const group = named(c.u16(`${field}.group`), namedGroupName);
  const keyExchange = c.opaque(2, `${field}.key_exchange`);
  return { group, keyExchange };
}

function decodeExtensionValue(type: number, c: Cursor, site: ExtensionSite, field: string): ExtensionValue {
  switch (type) {
    case EXTENSION_TYPE.server_name: {
      // RFC 6066, Section 3: empty in the server's reply.
      const serverNames: ServerName[] = [];
      if (c.empty) return { kind: 'server_name', serverNames };
      const list = c.vector(2, `${field}.server_name_list`);
      while (!list.empty) {
        const nameType = named(list.u8(`${field}.name_type`), serverNameTypeName);
        const hostName = textDecoder.decode(list.opaque(2, `${field}.host_name`));
        serverNames.push({ nameType, hostName });
      }
      return { kind: 'server_name', serverNames };
    }
    case EXTENSION_TYPE.application_layer_protocol_negotiation: {
      // RFC 7301, Section 3.1.
      const list = c.vector(2, `${field}.protocol_name_list`);
      const protocols: string[] = [];
      while (!list.empty) {
        const at = list.offset;
        const name = list.opaque(1, `${field}.protocol_name`);
        if (name.length === 0) throw new DecodeError(`${field}.protocol_name`, at, `empty protocol name at offset ${at}`);
        protocols.push(textDecoder.decode(name));
      }
      return { kind: 'application_layer_protocol_negotiation', protocols };
    }
    case EXTENSION_TYPE.supported_versions: {
      // RFC 8446, Section 4.2.1: a list from the client, one selected_version from the server.
      if (site === 'client_hello') {
        const versions = u16List(c.vector(1, `${field}.versions`), `${field}.versions`, versionName);
        return { kind: 'supported_versions', versions };
      }
      return { kind: 'supported_versions', versions: [named(c.u16(`${field}.selected_version`), versionName)] };
    }
    case EXTENSION_TYPE.supported_groups:
      // RFC 8446, Section 4.2.7.
      return {
        kind: 'supported_groups',
        groups: u16List(c.vector(2, `${field}.named_group_list`), `${field}.named_group_list`, namedGroupName),
      };
    case EXTENSION_TYPE.certificate_authorities: {
      // RFC 8446, Section 4.2.4.
      const list = c.vector(2, `${field}.authorities`);
      const authorities: Uint8Array[] = [];
      while (!list.empty) authorities.push(list.opaque(2, `${field}.authorities.DistinguishedName`));
      return { kind: 'certificate_authorities', authorities };
    }
    case EXTENSION_TYPE.signature_algorithms:
    case EXTENSION_TYPE.signature_algorithms_cert: {
      // RFC 8446, Section 4.2.3.
      const list = c.vector(2, `${field}.supported_signature_algorithms`);
      const schemes = u16List(list, `${field}.supported_signature_algorithms`, signatureSchemeName);
      return type === EXTENSION_TYPE.signature_algorithms
        ? { kind: 'signature_algorithms', schemes }
        : { kind: 'signature_algorithms_cert', schemes };
    }
    case EXTENSION_TYPE.key_share: {
      // RFC 8446, Section 4.2.8: client_shares, server_share, or an HRR's selected_group.
      if (site === 'hello_retry_request') {
        return { kind: 'key_share', shares: [], selectedGroup: named(c.u16(`${field}.selected_group`), namedGroupName) };
      }
      if (site === 'server_hello') return { kind: 'key_share', shares: [keyShareEntry(c, `${field}.server_share`)] };
      const list = c.vector(2, `${field}.client_shares`);
      const shares: KeyShareEntry[] = [];
      while (!list.empty) shares.push(keyShareEntry(list, `${field}.client_shares`));
      return { kind: 'key_share', shares };
    }
    case EXTENSION_TYPE.ec_point_formats:
      // RFC 8422, Section 5.1.2.
      return {
        kind: 'ec_point_formats',
        formats: u8List(c.vector(1, `${field}.ec_point_format_list`), `${field}.ec_point_format_list`, ecPointFormatName),
      };
    case EXTENSION_TYPE.psk_key_exchange_modes:
      // RFC 8446, Section 4.2.9.
      return {
        kind: 'psk_key_exchange_modes',
        modes: u8List(c.vector(1, `${field}.ke_modes`), `${field}.ke_modes`, pskKeyExchangeModeName),
      };
    case EXTENSION_TYPE.renegotiation_info:
      // RFC 5746, Section 3.2.
      return { kind: 'renegotiation_info', renegotiatedConnection: c.opaque(1, `${field}.renegotiated_connection`) };
    case EXTENSION_TYPE.status_request: {
      // RFC 6066, Section 8; RFC 8446, Section 4.4.2.1 (in a Certificate entry: a CertificateStatus).
      if (c.empty) return { kind: 'status_request' };
      const statusType = named(c.u8(`${field}.status_type`), certificateStatusTypeName);
      if (site === 'certificate') {
        return { kind: 'status_request', statusType, ocspResponse: c.opaque(3, `${field}.response`) };
      }
      if (statusType.code !== 1) {
        c.rest();
        return { kind: 'status_request', statusType };
      }
      const ids = c.vector(2, `${field}.responder_id_list`);
      const responderIds: Uint8Array[] = [];
      while (!ids.empty) responderIds.push(ids.opaque(2, `${field}.responder_id_list.ResponderID`));
      const requestExtensions = c.opaque(2, `${field}.request_extensions`);
      return { kind: 'status_request', statusType, responderIds, requestExtensions };
    }
    case EXTENSION_TYPE.max_fragment_length:
      // RFC 6066, Section 4.
      return { kind: 'max_fragment_length', maxFragmentLength: named(c.u8(`${field}.max_fragment_length`), maxFragmentLengthName) };
    case EXTENSION_TYPE.record_size_limit:
      // RFC 8449, Section 4.
      return { kind: 'record_size_limit', recordSizeLimit: c.u16(`${field}.record_size_limit`) };
    case EXTENSION_TYPE.padding: {
      // RFC 7685, Section 3.
      const zeros = c.rest();
      return { kind: 'padding', paddingLength: zeros.length, allZero: zeros.every((b) => b === 0) };
    }
    case EXTENSION_TYPE.pre_shared_key: {
      // RFC 8446, Section 4.2.11.
      if (site === 'server_hello') {
        return { kind: 'pre_shared_key', identities: [], binders: [], selectedIdentity: c.u16(`${field}.selected_identity`) };
      }
      const ids = c.vector(2, `${field}.identities`);
      const identities: PskIdentity[] = [];
      while (!ids.empty) {
        const identity = ids.opaque(2, `${field}.identities.identity`);
        identities.push({ identity, obfuscatedTicketAge: ids.u32(`${field}.identities.obfuscated_ticket_age`) });
      }
      const list = c.vector(2, `${field}.binders`);
      const binders: Uint8Array[] = [];
      while (!list.empty) binders.push(list.opaque(1, `${field}.binders.PskBinderEntry`));
      return { kind: 'pre_shared_key', identities, binders };
    }
    case EXTENSION_TYPE.early_data:
      // RFC 8446, Section 4.2.10.
      if (site === 'new_session_ticket') return { kind: 'early_data', maxEarlyDataSize: c.u32(`${field}.max_early_data_size`) };
      return { kind: 'early_data' };
    case EXTENSION_TYPE.cookie:
      // RFC 8446, Section 4.2.2.
      return { kind: 'cookie', cookie: c.opaque(2, `${field}.cookie`) };
    case EXTENSION_TYPE.heartbeat:
      // RFC 6520, Section 2.
      return { kind: 'heartbeat', mode: named(c.u8(`${field}.mode`), heartbeatModeName) };
    case EXTENSION_TYPE.compress_certificate:
      // RFC 8879, Section 3.
      return {
        kind: 'compress_certificate',
        algorithms: u16List(c.vector(1, `${field}.algorithms`), `${field}.algorithms`, certificateCompressionAlgorithmName),
      };
    case EXTENSION_TYPE.session_ticket:
      // RFC 5077, Section 3.2.
      return { kind: 'session_ticket', ticket: c.rest() };
    case EXTENSION_TYPE.signed_certificate_timestamp: {
      // RFC 6962, Section 3.3: SerializedSCT sct_list<1..2^16-1>, each SCT in its own vector.
      if (c.empty) return { kind: 'signed_certificate_timestamp', scts: [] };
      const list = c.vector(2, `${field}.sct_list`);
      const scts: SignedCertificateTimestamp[] = [];
      while (!list.empty) {
        const offset = list.offset;
        const sct = list.vector(2, `${field}.sct_list.SerializedSCT`);
        const version = sct.u8(`${field}.sct.version`);
        const logId = sct.bytes(32, `${field}.sct.log_id`);
        const timestamp = sct.u32(`${field}.sct.timestamp`) * 2 ** 32 + sct.u32(`${field}.sct.timestamp`);
        const extensions = sct.opaque(2, `${field}.sct.extensions`);
        const algorithm = named(sct.u16(`${field}.sct.signature.algorithm`), signatureSchemeName);
        const signature = sct.opaque(2, `${field}.sct.signature.signature`);
        sct.expectEnd(`${field}.sct`);
        scts.push({ offset, length: list.offset - offset, version, logId, timestamp, extensions, algorithm, signature });
      }
      return { kind: 'signed_certificate_timestamp', scts };
    }
    case EXTENSION_TYPE.application_settings:
    case EXTENSION_TYPE.application_settings_old: {
      // draft-vvv-tls-alps, Section 4: ProtocolName supported_protocols<2..2^16-1> from the client;
      // the settings themselves in EncryptedExtensions.
      if (site !== 'client_hello') return { kind: 'application_settings', settings: c.rest() };
      const list = c.vector(2, `${field}.supported_protocols`);
      const protocols: string[] = [];
      while (!list.empty) protocols.push(textDecoder.decode(list.opaque(1, `${field}.supported_protocols.ProtocolName`)));
      return { kind: 'application_settings', protocols };
    }
    case EXTENSION_TYPE.encrypted_client_hello: {
      if (site === 'hello_retry_request') {
        return { kind: 'encrypted_client_hello', confirmation: c.bytes(8, `${field}.confirmation`) };
      }
      if (site === 'encrypted_extensions') {
        const list = c.vector(2, `${field}.retry_configs`);
        const retryConfigs: EchConfig[] = [];
        while (!list.empty) retryConfigs.push(echConfig(list, `${field}.retry_configs`));
        return { kind: 'encrypted_client_hello', retryConfigs };
      }
      const echType = named(c.u8(`${field}.type`), echClientHelloTypeName);
      if (echType.code !== 0) return { kind: 'encrypted_client_hello', echType };
      const kdf = named(c.u16(`${field}.cipher_suite.kdf_id`), hpkeKdfName);
      const aead = named(c.u16(`${field}.cipher_suite.aead_id`), hpkeAeadName);
      const configId = c.u8(`${field}.config_id`);
      const enc = c.opaque(2, `${field}.enc`);
      const payload = c.opaque(2, `${field}.payload`);
      return { kind: 'encrypted_client_hello', echType, kdf, aead, configId, enc, payload };
    }
    case EXTENSION_TYPE.delegated_credentials: {
      // RFC 9345, Section 4.1.1: a SignatureSchemeList (ClientHello, CertificateRequest); in a
      // Certificate entry, Section 4: the DelegatedCredential.
      if (site === 'certificate') {
        const validTime = c.u32(`${field}.cred.valid_time`);
        const dcCertVerifyAlgorithm = named(c.u16(`${field}.cred.dc_cert_verify_algorithm`), signatureSchemeName);
        const subjectPublicKeyInfo = c.opaque(3, `${field}.cred.ASN1_subjectPublicKeyInfo`);
        const algorithm = named(c.u16(`${field}.algorithm`), signatureSchemeName);
        const signature = c.opaque(2, `${field}.signature`);
        return { kind: 'delegated_credentials', schemes: [], credential: { validTime, dcCertVerifyAlgorithm, subjectPublicKeyInfo, algorithm, signature } };
      }
      if (site !== 'client_hello' && site !== 'certificate_request') {
        c.rest();
        return { kind: 'raw' };
      }
      const list = c.vector(2, `${field}.signature_algorithms`);
      return { kind: 'delegated_credentials', schemes: u16List(list, `${field}.signature_algorithms`, signatureSchemeName) };
    }
    case EXTENSION_TYPE.status_request_v2: {
      // RFC 6961, Section 2.2: empty in the server's reply.
      if (c.empty) return { kind: 'status_request_v2', requests: [] };
      const list = c.vector(2, `${field}.certificate_status_req_list`);
      const requests: StatusRequestItemV2[] = [];
      while (!list.empty) {
        const offset = list.offset;
        const statusType = named(list.u8(`${field}.status_type`), certificateStatusTypeName);
        const request = list.vector(2, `${field}.request`);
        const item: StatusRequestItemV2 = { offset, length: 0, statusType };
        if (statusType.code === 1 || statusType.code === 2) {
          const ids = request.vector(2, `${field}.responder_id_list`);
          item.responderIds = [];
          while (!ids.empty) item.responderIds.push(ids.opaque(2, `${field}.responder_id_list.ResponderID`));
          item.requestExtensions = request.opaque(2, `${field}.request_extensions`);
          request.expectEnd(`${field}.request`);
        } else {
          item.request = request.rest();
        }
        item.length = list.offset - offset;
        requests.push(item);
      }
      return { kind: 'status_request_v2', requests };
    }
    default:
      c.rest();
      return { kind: 'raw' };
  }
}

/** draft-ietf-tls-esni, Section 4: ECHConfig; the contents of version 0xfe0d taken apart. */
function echConfig(c: Cursor, field: string): EchConfig {
  const offset = c.offset;
  const version = c.u16(`${field}.version`);
  const contents = c.vector(2, `${field}.contents`);
  const config: EchConfig = { offset, length: 0, version };
  if (version === EXTENSION_TYPE.encrypted_client_hello) {
    config.configId = contents.u8(`${field}.key_config.config_id`);
    config.kem = named(contents.u16(`${field}.key_config.kem_id`), hpkeKemName);
    config.publicKey = contents.opaque(2, `${field}.key_config.public_key`);
    const suites = contents.vector(2, `${field}.key_config.cipher_suites`);
    config.cipherSuites = [];
    while (!suites.empty) {
      const kdf = named(suites.u16(`${field}.key_config.cipher_suites.kdf_id`), hpkeKdfName);
      const aead = named(suites.u16(`${field}.key_config.cipher_suites.aead_id`), hpkeAeadName);
      config.cipherSuites.push({ kdf, aead });
    }
    config.maximumNameLength = contents.u8(`${field}.maximum_name_length`);
    config.publicName = textDecoder.decode(contents.opaque(1, `${field}.public_name`));
    config.extensions = contents.opaque(2, `${field}.extensions`);
    contents.expectEnd(`${field}.contents`);
  } else {
    contents.rest();
  }
  config.length = c.offset - offset;
  return config;
}

/** Reads an extensions block (RFC 8446, Section 4.2): a 2-byte-length list of Extension. */
function decodeExtensions(c: Cursor, message: string, site: ExtensionSite): Extension[] {
  const list = c.vector(2, `${message}.extensions`);
  const out: Extension[] = [];
  while (!list.empty) {
    const offset = list.offset;
    const type = list.u16(`${message}.extensions.extension_type`);
    const name = extensionName(type);
    const dataOffset = list.offset + 2;
    const data = list.opaque(2, `${message}.extensions[${name}].extension_data`);
    const extension: Extension = { type, name, offset, length: list.offset - offset, data, value: { kind: 'raw' } };
    const inner = new Cursor(data, dataOffset);
    const field = `${message}.${name}`;
    try {
      extension.value = decodeExtensionValue(type, inner, site, field);
      inner.expectEnd(field);
    } catch (error) {
      extension.value = { kind: 'raw' };
      extension.malformed = describeError(error);
    }
    out.push(extension);
  }
  return out;
}

function findExtension<K extends ExtensionValue['kind']>(
  extensions: readonly Extension[],
  kind: K,
): Extract<ExtensionValue, { kind: K }> | undefined {
  for (const e of extensions) {
    if (e.value.kind === kind) return e.value as Extract<ExtensionValue, { kind: K }>;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Records the byte range of each top-level field as a decoder reads it. */
class FieldLog {
  readonly spans: FieldSpan[] = [];

  read<T>(c: Cursor, field: string, read: () => T): T {
    const offset = c.offset;
    const value = read();
    this.spans.push({ field, offset, length: c.offset - offset });
    return value;
  }
}

/** RFC 8446, Section 4.1.2 (and RFC 5246, Section 7.4.1.2). */
export interface ClientHello {
  kind: 'client_hello';
  legacyVersion: NamedCode;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: NamedCode[];
  compressionMethods: NamedCode[];
  extensions: Extension[];
  /** The first host_name in server_name (SNI), if any. */
  serverName?: string;
  /** ALPN protocols offered. */
  alpn?: string[];
  supportedVersions?: NamedCode[];
  supportedGroups?: NamedCode[];
  signatureAlgorithms?: NamedCode[];
  /** Groups the client sent key shares for. */
  keyShareGroups?: NamedCode[];
  fields: FieldSpan[];
}

/** RFC 8446, Section 4.1.3 (and RFC 5246, Section 7.4.1.3); also HelloRetryRequest (4.1.4). */
export interface ServerHello {
  kind: 'server_hello';
  /** A ServerHello whose random is the special HelloRetryRequest value (RFC 8446, Section 4.1.3). */
  isHelloRetryRequest: boolean;
  legacyVersion: NamedCode;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: NamedCode;
  compressionMethod: NamedCode;
  extensions: Extension[];
  /** supported_versions' selected_version (TLS 1.3), if present. */
  selectedVersion?: NamedCode;
  /** The version this ServerHello settles on: selected_version, else legacy_version. */
  version: NamedCode;
  /** The group of the server's key share (or, in an HRR, the group it asks for). */
  keyShareGroup?: NamedCode;
  alpn?: string;
  /** RFC 8446, Section 4.1.3: a TLS 1.3 server that negotiated less marks the random's last 8 bytes. */
  downgradeSentinel?: 'TLS 1.2' | 'TLS 1.1 or below';
  fields: FieldSpan[];
}

export interface CertificateEntry extends ByteRange {
  /** DER (X.509) certificate. */
  certData: Uint8Array;
  /** TLS 1.3 only: per-entry extensions (status_request, signed_certificate_timestamp ...). */
  extensions: Extension[];
}

/** RFC 5246, Section 7.4.2 (form 'tls12') and RFC 8446, Section 4.4.2 (form 'tls13'). */
export interface CertificateMessage {
  kind: 'certificate';
  form: 'tls12' | 'tls13';
  certificateRequestContext?: Uint8Array;
  certificateList: CertificateEntry[];
  fields: FieldSpan[];
}

/** RFC 5077, Section 3.3 (TLS 1.2) and RFC 8446, Section 4.6.1 (TLS 1.3). */
export interface NewSessionTicket {
  kind: 'new_session_ticket';
  form: 'tls12' | 'tls13';
  /** Seconds; ticket_lifetime_hint in TLS 1.2. */
  ticketLifetime: number;
  ticketAgeAdd?: number;
  ticketNonce?: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
  fields: FieldSpan[];
}

/** RFC 5246, Section 7.4.3; RFC 8422, Section 5.4 (ECDHE); RFC 4279 and RFC 5489 (PSK). */
export interface ServerKeyExchange {
  kind: 'server_key_exchange';
  keyExchange: KeyExchangeAlgorithm;
  pskIdentityHint?: Uint8Array;
  /** ServerECDHParams. */
  ecdh?: { curveType: NamedCode; namedCurve: NamedCode; publicPoint: Uint8Array };
  /** ServerDHParams. */
  dh?: { dhP: Uint8Array; dhG: Uint8Array; dhYs: Uint8Array };
  /** TLS 1.2 only: the SignatureAndHashAlgorithm of the signature. */
  signatureAlgorithm?: NamedCode;
  signature?: Uint8Array;
  /** The whole body, for key exchanges this decoder does not take apart. */
  raw: Uint8Array;
  fields: FieldSpan[];
}

/** RFC 5246, Section 7.4.4 (form 'tls12') and RFC 8446, Section 4.3.2 (form 'tls13'). */
export interface CertificateRequest {
  kind: 'certificate_request';
  form: 'tls12' | 'tls13';
  certificateTypes?: NamedCode[];
  supportedSignatureAlgorithms?: NamedCode[];
  /** DER DistinguishedNames of acceptable CAs (TLS 1.2). */
  certificateAuthorities?: Uint8Array[];
  certificateRequestContext?: Uint8Array;
  extensions: Extension[];
  fields: FieldSpan[];
}

/** RFC 5246, Section 7.4.7; the exchange keys are read when the suite's key exchange is known. */
export interface ClientKeyExchange {
  kind: 'client_key_exchange';
  keyExchange: KeyExchangeAlgorithm;
  raw: Uint8Array;
  pskIdentity?: Uint8Array;
  /** RSA: the premaster secret encrypted to the server's key. */
  encryptedPreMasterSecret?: Uint8Array;
  /** (EC)DHE: ecdh_Yc or dh_Yc, the client's public value. */
  publicValue?: Uint8Array;
  fields: FieldSpan[];
}

/** RFC 8446, Section 4.4.4; RFC 5246, Section 7.4.9. */
export interface Finished {
  kind: 'finished';
  verifyData: Uint8Array;
  fields: FieldSpan[];
}

/** RFC 8446, Section 4.4.3; RFC 5246, Section 7.4.8. */
export interface CertificateVerify {
  kind: 'certificate_verify';
  algorithm?: NamedCode;
  signature: Uint8Array;
  fields: FieldSpan[];
}

/** RFC 8446, Section 4.3.1. */
export interface EncryptedExtensions {
  kind: 'encrypted_extensions';
  extensions: Extension[];
  fields: FieldSpan[];
}

/** RFC 8446, Section 4.6.3. */
export interface KeyUpdate {
  kind: 'key_update';
  requestUpdate: NamedCode;
  fields: FieldSpan[];
}

/** RFC 6066, Section 8. */
export interface CertificateStatus {
  kind: 'certificate_status';
  statusType: NamedCode;
  ocspResponse: Uint8Array;
  fields: FieldSpan[];
}

/**
 * RFC 8879, Section 4: a Certificate message compressed with the algorithm the peer offered in
 * compress_certificate. The Certificate inside is decoded when this Node can undo the algorithm
 * (zlib and brotli; zstd only where Node has it); its offsets then count from the first byte of
 * the decompressed message, which has no bytes of its own on the wire.
 */
export interface CompressedCertificate {
  kind: 'compressed_certificate';
  algorithm: NamedCode;
  uncompressedLength: number;
  compressedCertificateMessage: Uint8Array;
  /** The Certificate message inside (its body), decoded. */
  certificate?: CertificateMessage;
  /** Why the Certificate inside is not shown. */
  problem?: string;
  fields: FieldSpan[];
}

/** Messages with no body: HelloRequest, ServerHelloDone, EndOfEarlyData. */
export interface EmptyHandshake {
  kind: 'hello_request' | 'server_hello_done' | 'end_of_early_data';
  fields: FieldSpan[];
}

/** A message this decoder keeps as bytes (unknown type, or one it does not take apart). */
export interface RawHandshake {
  kind: 'raw';
  msgType: number;
  body: Uint8Array;
}

/** A message whose bytes do not have the shape its type requires. */
export interface MalformedHandshake {
  kind: 'malformed';
  msgType: number;
  /** What failed, e.g. "ClientHello.cipher_suites: need 2 bytes at offset 43, 1 left". */
  error: string;
  /** The failing field and its absolute offset, when the failure was a DecodeError. */
  field?: string;
  errorOffset?: number;
  body: Uint8Array;
}

export type HandshakeBody =
  | ClientHello
  | ServerHello
  | CertificateMessage
  | NewSessionTicket
  | ServerKeyExchange
  | CertificateRequest
  | ClientKeyExchange
  | Finished
  | CertificateVerify
  | EncryptedExtensions
  | KeyUpdate
  | CertificateStatus
  | CompressedCertificate
  | EmptyHandshake
  | RawHandshake
  | MalformedHandshake;

/** A decoded handshake message with its place in the handshake stream. */
export interface HandshakeMessage extends ByteRange {
  msgType: number;
  /** As the timeline names it: "ClientHello", "HelloRetryRequest", ... */
  name: string;
  body: HandshakeBody;
  /** The first problem found (the message's decode error, or a malformed extension). */
  malformed?: string;
}

// RFC 8446, Section 4.1.3: SHA-256("HelloRetryRequest").
const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
  0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/**
 * The key exchange a TLS 1.3 ServerHello chose, read straight from the bytes of the server's first
 * flight without decoding the rest of it (the recording server names the key exchange of every
 * connection; the full decoder cost it about 60 us each). `group` is null for a psk_ke
 * resumption. Returns null when the bytes are anything but one complete ServerHello record that
 * selects TLS 1.3 (a HelloRetryRequest, a record split across reads, TLS 1.2): ask the decoder then.
 */
export function quickServerHelloShare(flight: Uint8Array): { group: number | null } | null {
  if (flight.length < 9 || flight[0] !== 22 || flight[5] !== 2) return null;
  const recordEnd = 5 + ((flight[3] << 8) | flight[4]);
  const helloEnd = 9 + ((flight[6] << 16) | (flight[7] << 8) | flight[8]);
  if (recordEnd > flight.length || helloEnd > recordEnd) return null;
  let at = 11;
  if (at + 32 > helloEnd || HELLO_RETRY_REQUEST_RANDOM.every((b, i) => flight[at + i] === b)) return null;
  at += 32;
  at += 1 + flight[at]; // legacy_session_id_echo
  at += 3; // cipher_suite, legacy_compression_method
  if (at + 2 > helloEnd) return null;
  const extensionsEnd = at + 2 + ((flight[at] << 8) | flight[at + 1]);
  if (extensionsEnd > helloEnd) return null;
  at += 2;
  let tls13 = false;
  let group: number | null = null;
  while (at + 4 <= extensionsEnd) {
    const type = (flight[at] << 8) | flight[at + 1];
    const length = (flight[at + 2] << 8) | flight[at + 3];
    at += 4;
    if (at + length > extensionsEnd) return null;
    if (type === 0x002b && length === 2) tls13 = flight[at] === 0x03 && flight[at + 1] === 0x04;
    if (type === 0x0033 && length >= 2) group = (flight[at] << 8) | flight[at + 1];
    at += length;
  }
  return tls13 && at === extensionsEnd ? { group } : null;
}

// "DOWNGRD" followed by 0x01 (TLS 1.2) or 0x00 (TLS 1.1 and below).
const DOWNGRADE_PREFIX = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44];


function readSessionId(c: Cursor, field: string): Uint8Array {
  const at = c.offset;
  const id = c.opaque(1, field);
  if (id.length > 32) throw new DecodeError(field, at, `${id.length} bytes at offset ${at}, at most 32 allowed`);
  return id;
}

function decodeClientHello(c: Cursor): ClientHello {
  const m = 'ClientHello';
  const f = new FieldLog();
  const legacyVersion = f.read(c, 'legacy_version', () => named(c.u16(`${m}.legacy_version`), versionName));
  const random = f.read(c, 'random', () => c.bytes(32, `${m}.random`));
  const sessionId = f.read(c, 'legacy_session_id', () => readSessionId(c, `${m}.legacy_session_id`));
  const cipherSuites = f.read(c, 'cipher_suites', () =>
    u16List(c.vector(2, `${m}.cipher_suites`), `${m}.cipher_suites`, cipherSuiteName),
  );
  const compressionMethods = f.read(c, 'legacy_compression_methods', () =>
    u8List(c.vector(1, `${m}.legacy_compression_methods`), `${m}.legacy_compression_methods`, compressionMethodName),
  );
  // RFC 5246, Section 7.4.1.2: a ClientHello may end here, without extensions.
  const extensions = c.empty ? [] : f.read(c, 'extensions', () => decodeExtensions(c, m, 'client_hello'));
  c.expectEnd(m);
  const hello: ClientHello = {
    kind: 'client_hello',
    legacyVersion,
    random,
    sessionId,
    cipherSuites,
    compressionMethods,
    extensions,
    fields: f.spans,
  };
  const sni = findExtension(extensions, 'server_name');
  const hostName = sni?.serverNames.find((n) => n.nameType.code === 0)?.hostName;
  if (hostName !== undefined) hello.serverName = hostName;
  const alpn = findExtension(extensions, 'application_layer_protocol_negotiation');
  if (alpn) hello.alpn = alpn.protocols;
  const versions = findExtension(extensions, 'supported_versions');
  if (versions) hello.supportedVersions = versions.versions;
  const groups = findExtension(extensions, 'supported_groups');
  if (groups) hello.supportedGroups = groups.groups;
  const schemes = findExtension(extensions, 'signature_algorithms');
  if (schemes) hello.signatureAlgorithms = schemes.schemes;
  const shares = findExtension(extensions, 'key_share');
  if (shares) hello.keyShareGroups = shares.shares.map((s) => s.group);
  return hello;
}

function decodeServerHello(c: Cursor): ServerHello {
  const m = 'ServerHello';
  const f = new FieldLog();
  const legacyVersion = f.read(c, 'legacy_version', () => named(c.u16(`${m}.legacy_version`), versionName));
  const random = f.read(c, 'random', () => c.bytes(32, `${m}.random`));
  const isHelloRetryRequest = sameBytes(random, HELLO_RETRY_REQUEST_RANDOM);
  const sessionId = f.read(c, 'legacy_session_id_echo', () => readSessionId(c, `${m}.legacy_session_id_echo`));
  const cipherSuite = f.read(c, 'cipher_suite', () => named(c.u16(`${m}.cipher_suite`), cipherSuiteName));
  const compressionMethod = f.read(c, 'legacy_compression_method', () =>
    named(c.u8(`${m}.legacy_compression_method`), compressionMethodName),
  );
  const site = isHelloRetryRequest ? 'hello_retry_request' : 'server_hello';
  const extensions = c.empty ? [] : f.read(c, 'extensions', () => decodeExtensions(c, m, site));
  c.expectEnd(m);
  const selected = findExtension(extensions, 'supported_versions')?.versions[0];
  const hello: ServerHello = {
    kind: 'server_hello',
    isHelloRetryRequest,
    legacyVersion,
    random,
    sessionId,
    cipherSuite,
    compressionMethod,
    extensions,
    version: selected ?? legacyVersion,
    fields: f.spans,
  };
  if (selected) hello.selectedVersion = selected;
  const share = findExtension(extensions, 'key_share');
  const group = share?.selectedGroup ?? share?.shares[0]?.group;
  if (group) hello.keyShareGroup = group;
  const alpn = findExtension(extensions, 'application_layer_protocol_negotiation');
  if (alpn && alpn.protocols.length > 0) hello.alpn = alpn.protocols[0];
  if (!isHelloRetryRequest && DOWNGRADE_PREFIX.every((b, i) => random[24 + i] === b)) {
    if (random[31] === 1) hello.downgradeSentinel = 'TLS 1.2';
    else if (random[31] === 0) hello.downgradeSentinel = 'TLS 1.1 or below';
  }
  return hello;
}

function decodeCertificate(c: Cursor, context: HandshakeContext): CertificateMessage {
  const m = 'Certificate';
  const f = new FieldLog();
  const tls13 = context.version !== undefined && isTls13(context.version);
  const message: CertificateMessage = { kind: 'certificate', form: tls13 ? 'tls13' : 'tls12', certificateList: [], fields: f.spans };
  if (tls13) {
    message.certificateRequestContext = f.read(c, 'certificate_request_context', () =>
      c.opaque(1, `${m}.certificate_request_context`),
    );
  }
  f.read(c, 'certificate_list', () => {
    const list = c.vector(3, `${m}.certificate_list`);
    while (!list.empty) {
      const offset = list.offset;
      const certData = list.opaque(3, tls13 ? `${m}.certificate_list.cert_data` : `${m}.certificate_list.ASN.1Cert`);
      const extensions = tls13 ? decodeExtensions(list, `${m}.certificate_list`, 'certificate') : [];
      message.certificateList.push({ offset, length: list.offset - offset, certData, extensions });
    }
  });
  c.expectEnd(m);
  return message;
}

type Decompress = (data: Uint8Array, maxOutputLength: number) => Uint8Array;

const zstdDecompress = (zlib as unknown as { zstdDecompressSync?: (data: Uint8Array, options: { maxOutputLength: number }) => Buffer }).zstdDecompressSync;

/** RFC 8879, Section 3: how each algorithm is undone, where this Node can. */
const decompressors = new Map<number, Decompress>([
  [1, (data, max) => zlib.inflateSync(data, { maxOutputLength: max })],
  [2, (data, max) => zlib.brotliDecompressSync(data, { maxOutputLength: max })],
  ...(zstdDecompress ? [[3, (data: Uint8Array, max: number) => zstdDecompress(data, { maxOutputLength: max })] as [number, Decompress]] : []),
]);

function decodeCompressedCertificate(c: Cursor, context: HandshakeContext): CompressedCertificate {
  const m = 'CompressedCertificate';
  const f = new FieldLog();
  const algorithm = f.read(c, 'algorithm', () => named(c.u16(`${m}.algorithm`), certificateCompressionAlgorithmName));
  const uncompressedLength = f.read(c, 'uncompressed_length', () => c.u24(`${m}.uncompressed_length`));
  const compressedCertificateMessage = f.read(c, 'compressed_certificate_message', () => c.opaque(3, `${m}.compressed_certificate_message`));
  c.expectEnd(m);
  const message: CompressedCertificate = { kind: 'compressed_certificate', algorithm, uncompressedLength, compressedCertificateMessage, fields: f.spans };
  const decompress = decompressors.get(algorithm.code);
  if (!decompress) {
    message.problem = `${algorithm.name} cannot be undone here: the certificates stay compressed`;
    return message;
  }
  let plain: Uint8Array;
  try {
    plain = decompress(compressedCertificateMessage, uncompressedLength);
  } catch (error) {
    message.problem = `the ${algorithm.name} data does not decompress to ${uncompressedLength} bytes (${error instanceof Error ? error.message : String(error)})`;
    return message;
  }
  if (plain.length !== uncompressedLength) {
    message.problem = `the ${algorithm.name} data decompresses to ${plain.length} bytes, not the ${uncompressedLength} announced`;
    return message;
  }
  // The Certificate inside is a TLS 1.3 one (RFC 8879 applies to TLS 1.3 only).
  message.certificate = decodeCertificate(new Cursor(plain, 0), { ...context, version: 0x0304 });
  return message;
}

function decodeNewSessionTicket(c: Cursor, context: HandshakeContext): NewSessionTicket {
  const m = 'NewSessionTicket';
  const f = new FieldLog();
  if (context.version !== undefined && isTls13(context.version)) {
    const ticketLifetime = f.read(c, 'ticket_lifetime', () => c.u32(`${m}.ticket_lifetime`));
    const ticketAgeAdd = f.read(c, 'ticket_age_add', () => c.u32(`${m}.ticket_age_add`));
    const ticketNonce = f.read(c, 'ticket_nonce', () => c.opaque(1, `${m}.ticket_nonce`));
    const ticket = f.read(c, 'ticket', () => c.opaque(2, `${m}.ticket`));
    const extensions = f.read(c, 'extensions', () => decodeExtensions(c, m, 'new_session_ticket'));
    c.expectEnd(m);
    return { kind: 'new_session_ticket', form: 'tls13', ticketLifetime, ticketAgeAdd, ticketNonce, ticket, extensions, fields: f.spans };
  }
  const ticketLifetime = f.read(c, 'ticket_lifetime_hint', () => c.u32(`${m}.ticket_lifetime_hint`));
  const ticket = f.read(c, 'ticket', () => c.opaque(2, `${m}.ticket`));
  c.expectEnd(m);
  return { kind: 'new_session_ticket', form: 'tls12', ticketLifetime, ticket, extensions: [], fields: f.spans };
}

function hasSignedParams(kx: KeyExchangeAlgorithm): boolean {
  return kx === 'ecdhe' || kx === 'dhe';
}

/** TLS 1.2 carries the signature's algorithm; TLS 1.0 and 1.1 do not (RFC 5246, Section 7.4.3). */
function signsWithAlgorithm(context: HandshakeContext): boolean {
  return context.version === undefined || context.version >= 0x0303;
}

function decodeServerKeyExchange(c: Cursor, context: HandshakeContext): ServerKeyExchange {
  const m = 'ServerKeyExchange';
  const f = new FieldLog();
  const start = c.offset;
  const raw = c.rest();
  const kx = context.cipherSuite === undefined ? 'unknown' : keyExchangeOf(context.cipherSuite);
  const message: ServerKeyExchange = { kind: 'server_key_exchange', keyExchange: kx, raw, fields: f.spans };
  const r = new Cursor(raw, start);
  if (kx === 'psk' || kx === 'ecdhe_psk' || kx === 'dhe_psk' || kx === 'rsa_psk') {
    message.pskIdentityHint = f.read(r, 'psk_identity_hint', () => r.opaque(2, `${m}.psk_identity_hint`));
  }
  if (kx === 'ecdhe' || kx === 'ecdh_anon' || kx === 'ecdhe_psk') {
    // RFC 8422, Section 5.4: only named curves are in use.
    const curveType = f.read(r, 'curve_type', () => named(r.u8(`${m}.curve_type`), ecCurveTypeName));
    if (curveType.code !== 3) r.fail(`${m}.curve_type`, `curve type ${curveType.name} is not decoded, only named_curve`);
    const namedCurve = f.read(r, 'namedcurve', () => named(r.u16(`${m}.namedcurve`), namedGroupName));
    const publicPoint = f.read(r, 'public', () => r.opaque(1, `${m}.public`));
    message.ecdh = { curveType, namedCurve, publicPoint };
  } else if (kx === 'dhe' || kx === 'dh_anon' || kx === 'dhe_psk') {
    const dhP = f.read(r, 'dh_p', () => r.opaque(2, `${m}.dh_p`));
    const dhG = f.read(r, 'dh_g', () => r.opaque(2, `${m}.dh_g`));
    const dhYs = f.read(r, 'dh_Ys', () => r.opaque(2, `${m}.dh_Ys`));
    message.dh = { dhP, dhG, dhYs };
  } else if (kx !== 'psk' && kx !== 'rsa_psk') {
    // RSA, SRP, unknown: keep the bytes.
    r.rest();
    return message;
  }
  if (hasSignedParams(kx)) {
    if (signsWithAlgorithm(context)) {
      message.signatureAlgorithm = f.read(r, 'algorithm', () => named(r.u16(`${m}.algorithm`), signatureSchemeName));
    }
    message.signature = f.read(r, 'signature', () => r.opaque(2, `${m}.signature`));
  }
  r.expectEnd(m);
  return message;
}

function decodeCertificateRequest(c: Cursor, context: HandshakeContext): CertificateRequest {
  const m = 'CertificateRequest';
  const f = new FieldLog();
  if (context.version !== undefined && isTls13(context.version)) {
    const certificateRequestContext = f.read(c, 'certificate_request_context', () =>
      c.opaque(1, `${m}.certificate_request_context`),
    );
    const extensions = f.read(c, 'extensions', () => decodeExtensions(c, m, 'certificate_request'));
    c.expectEnd(m);
    return { kind: 'certificate_request', form: 'tls13', certificateRequestContext, extensions, fields: f.spans };
  }
  const certificateTypes = f.read(c, 'certificate_types', () =>
    u8List(c.vector(1, `${m}.certificate_types`), `${m}.certificate_types`, clientCertificateTypeName),
  );
  const message: CertificateRequest = { kind: 'certificate_request', form: 'tls12', certificateTypes, extensions: [], fields: f.spans };
  if (signsWithAlgorithm(context)) {
    message.supportedSignatureAlgorithms = f.read(c, 'supported_signature_algorithms', () =>
      u16List(c.vector(2, `${m}.supported_signature_algorithms`), `${m}.supported_signature_algorithms`, signatureSchemeName),
    );
  }
  message.certificateAuthorities = f.read(c, 'certificate_authorities', () => {
    const list = c.vector(2, `${m}.certificate_authorities`);
    const names: Uint8Array[] = [];
    while (!list.empty) names.push(list.opaque(2, `${m}.certificate_authorities.DistinguishedName`));
    return names;
  });
  c.expectEnd(m);
  return message;
}

function decodeClientKeyExchange(c: Cursor, context: HandshakeContext): ClientKeyExchange {
  const m = 'ClientKeyExchange';
  const f = new FieldLog();
  const start = c.offset;
  const raw = c.rest();
  const kx = context.cipherSuite === undefined ? 'unknown' : keyExchangeOf(context.cipherSuite);
  const message: ClientKeyExchange = { kind: 'client_key_exchange', keyExchange: kx, raw, fields: f.spans };
  const r = new Cursor(raw, start);
  if (kx === 'psk' || kx === 'ecdhe_psk' || kx === 'dhe_psk' || kx === 'rsa_psk') {
    message.pskIdentity = f.read(r, 'psk_identity', () => r.opaque(2, `${m}.psk_identity`));
  }
  if (kx === 'rsa' || kx === 'rsa_psk') {
    message.encryptedPreMasterSecret = f.read(r, 'EncryptedPreMasterSecret', () =>
      r.opaque(2, `${m}.EncryptedPreMasterSecret`),
    );
  } else if (kx === 'ecdhe' || kx === 'ecdh_anon' || kx === 'ecdhe_psk' || kx === 'ecdh') {
    message.publicValue = f.read(r, 'ecdh_Yc', () => r.opaque(1, `${m}.ecdh_Yc`));
  } else if (kx === 'dhe' || kx === 'dh_anon' || kx === 'dhe_psk' || kx === 'dh') {
    message.publicValue = f.read(r, 'dh_Yc', () => r.opaque(2, `${m}.dh_Yc`));
  } else if (kx !== 'psk') {
    return message;
  }
  r.expectEnd(m);
  return message;
}

function decodeCertificateVerify(c: Cursor, context: HandshakeContext): CertificateVerify {
  const m = 'CertificateVerify';
  const f = new FieldLog();
  const message: CertificateVerify = { kind: 'certificate_verify', signature: new Uint8Array(0), fields: f.spans };
  if (signsWithAlgorithm(context)) {
    message.algorithm = f.read(c, 'algorithm', () => named(c.u16(`${m}.algorithm`), signatureSchemeName));
  }
  message.signature = f.read(c, 'signature', () => c.opaque(2, `${m}.signature`));
  c.expectEnd(m);
  return message;
}

function decodeBody(msgType: number, c: Cursor, context: HandshakeContext): HandshakeBody {
  const f = new FieldLog();
  switch (msgType) {
    case HANDSHAKE_TYPE.client_hello:
      return decodeClientHello(c);
    case HANDSHAKE_TYPE.server_hello:
      return decodeServerHello(c);
    case HANDSHAKE_TYPE.certificate:
      return decodeCertificate(c, context);
    case HANDSHAKE_TYPE.compressed_certificate:
      return decodeCompressedCertificate(c, context);
    case HANDSHAKE_TYPE.new_session_ticket:
      return decodeNewSessionTicket(c, context);
    case HANDSHAKE_TYPE.server_key_exchange:
      return decodeServerKeyExchange(c, context);
    case HANDSHAKE_TYPE.certificate_request:
      return decodeCertificateRequest(c, context);
    case HANDSHAKE_TYPE.client_key_exchange:
      return decodeClientKeyExchange(c, context);
    case HANDSHAKE_TYPE.certificate_verify:
      return decodeCertificateVerify(c, context);
    case HANDSHAKE_TYPE.finished: {
      const verifyData = f.read(c, 'verify_data', () => c.rest());
      if (verifyData.length === 0) c.fail('Finished.verify_data', `empty at offset ${c.offset}`);
      return { kind: 'finished', verifyData, fields: f.spans };
    }
    case HANDSHAKE_TYPE.encrypted_extensions: {
      const extensions = f.read(c, 'extensions', () => decodeExtensions(c, 'EncryptedExtensions', 'encrypted_extensions'));
      c.expectEnd('EncryptedExtensions');
      return { kind: 'encrypted_extensions', extensions, fields: f.spans };
    }
    case HANDSHAKE_TYPE.key_update: {
      const requestUpdate = f.read(c, 'request_update', () => named(c.u8('KeyUpdate.request_update'), keyUpdateRequestName));
      c.expectEnd('KeyUpdate');
      return { kind: 'key_update', requestUpdate, fields: f.spans };
    }
    case HANDSHAKE_TYPE.certificate_status: {
      const statusType = f.read(c, 'status_type', () =>
        named(c.u8('CertificateStatus.status_type'), certificateStatusTypeName),
      );
      const ocspResponse = f.read(c, 'response', () => c.opaque(3, 'CertificateStatus.response'));
      c.expectEnd('CertificateStatus');
      return { kind: 'certificate_status', statusType, ocspResponse, fields: f.spans };
    }
    case HANDSHAKE_TYPE.hello_request:
    case HANDSHAKE_TYPE.server_hello_done:
    case HANDSHAKE_TYPE.end_of_early_data: {
      c.expectEnd(handshakeMessageName(msgType));
      const kind =
        msgType === HANDSHAKE_TYPE.hello_request
          ? 'hello_request'
          : msgType === HANDSHAKE_TYPE.server_hello_done
            ? 'server_hello_done'
            : 'end_of_early_data';
      return { kind, fields: [] };
    }
    default:
      return { kind: 'raw', msgType, body: c.rest() };
  }
}

function describeError(error: unknown): string {
  if (error instanceof DecodeError) return error.message;
  return `internal decoder error: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Decodes one handshake message body (without its 4-byte header).
 * @param bodyOffset absolute offset of the body's first byte in the handshake stream
 */
export function decodeHandshakeBody(
  msgType: number,
  body: Uint8Array,
  bodyOffset: number,
  context: HandshakeContext = {},
): HandshakeBody {
  try {
    return decodeBody(msgType, new Cursor(body, bodyOffset), context);
  } catch (error) {
    const malformed: MalformedHandshake = { kind: 'malformed', msgType, error: describeError(error), body };
    if (error instanceof DecodeError) {
      malformed.field = error.field;
      malformed.errorOffset = error.offset;
    }
    return malformed;
  }
}

function firstExtensionProblem(body: HandshakeBody): string | undefined {
  let extensions: Extension[] = [];
  if (body.kind === 'certificate') extensions = body.certificateList.flatMap((entry) => entry.extensions);
  else if ('extensions' in body) extensions = body.extensions;
  return extensions.find((e) => e.malformed !== undefined)?.malformed;
}

/** The name a message goes by in the timeline (a HelloRetryRequest is a ServerHello on the wire). */
export function handshakeBodyName(msgType: number, body: HandshakeBody): string {
  if (body.kind === 'server_hello' && body.isHelloRetryRequest) return 'HelloRetryRequest';
  return handshakeMessageName(msgType);
}

/**
 * Decodes one whole handshake message, header included (RFC 8446, Section 4: msg_type, uint24 length).
 * @param offset absolute offset of the message's first byte in the handshake stream
 */
export function decodeHandshakeMessage(
  message: Uint8Array,
  offset = 0,
  context: HandshakeContext = {},
): HandshakeMessage {
  const c = new Cursor(message, offset);
  let msgType = message.length > 0 ? message[0] : -1;
  try {
    msgType = c.u8('Handshake.msg_type');
    const length = c.u24('Handshake.length');
    const bodyOffset = c.offset;
    const body = c.bytes(length, `${handshakeMessageName(msgType)}.body`);
    c.expectEnd(handshakeMessageName(msgType));
    const decoded = decodeHandshakeBody(msgType, body, bodyOffset, context);
    const result: HandshakeMessage = {
      offset,
      length: message.length,
      msgType,
      name: handshakeBodyName(msgType, decoded),
      body: decoded,
    };
    const problem = decoded.kind === 'malformed' ? decoded.error : firstExtensionProblem(decoded);
    if (problem !== undefined) result.malformed = problem;
    return result;
  } catch (error) {
    const malformed: MalformedHandshake = { kind: 'malformed', msgType, error: describeError(error), body: message };
    if (error instanceof DecodeError) {
      malformed.field = error.field;
      malformed.errorOffset = error.offset;
    }
    return {
      offset,
      length: message.length,
      msgType,
      name: msgType >= 0 ? handshakeMessageName(msgType) : 'Handshake',
      body: malformed,
      malformed: malformed.error,
    };
  }
}

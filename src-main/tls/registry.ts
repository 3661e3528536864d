// Names for the numbers on the TLS wire: IANA "Transport Layer Security (TLS) Parameters"
// registries, RFC 8446 (TLS 1.3), RFC 5246 (TLS 1.2) and the extension RFCs they point to.
// An unknown code renders as "unknown (0x1a2b)"; a GREASE value (RFC 8701) as "GREASE (0x0a0a)".

/** A wire code together with its name, as the views show it. */
export interface NamedCode {
  code: number;
  name: string;
}

function hex(code: number, width: number): string {
  return `0x${code.toString(16).padStart(width, '0')}`;
}

/** RFC 8701: GREASE values are 0x?A?A with equal bytes (cipher suites, extensions, groups, ...). */
export function isGrease(code: number): boolean {
  return (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff);
}

function lookup(table: ReadonlyMap<number, string>, code: number, width: number, grease: boolean): string {
  const name = table.get(code);
  if (name !== undefined) return name;
  if (grease && width === 4 && isGrease(code)) return `GREASE (${hex(code, 4)})`;
  return `unknown (${hex(code, width)})`;
}

// RFC 8446, Section 5.1 (ContentType); RFC 6520 (heartbeat); RFC 9146 (tls12_cid).
const contentTypes = new Map<number, string>([
  [20, 'Change Cipher Spec'],
  [21, 'Alert'],
  [22, 'Handshake'],
  [23, 'Application Data'],
  [24, 'Heartbeat'],
  [25, 'Connection ID'],
]);

export const CONTENT_TYPE = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
  heartbeat: 24,
  tls12_cid: 25,
} as const;

export function isKnownContentType(code: number): boolean {
  return contentTypes.has(code);
}

export function contentTypeName(code: number): string {
  return lookup(contentTypes, code, 2, false);
}

// Record and handshake versions. RFC 8446, Appendix B.1; drafts of TLS 1.3 used 0x7fNN.
const versions = new Map<number, string>([
  [0x0002, 'SSL 2.0'],
  [0x0200, 'SSL 2.0'],
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
  [0xfeff, 'DTLS 1.0'],
  [0xfefd, 'DTLS 1.2'],
  [0xfefc, 'DTLS 1.3'],
  // Versions Wireshark also names: China's GM/T 0024 (GMTLS), Facebook's TLS 1.3 drafts, old OpenSSL DTLS.
  [0x0100, 'DTLS 1.0 (OpenSSL pre 0.9.8f)'],
  [0x0101, 'GMTLS'],
  [0xfb17, 'TLS 1.3 (Facebook draft 23)'],
  [0xfb1a, 'TLS 1.3 (Facebook draft 26)'],
]);

export const TLS_1_2 = 0x0303;
export const TLS_1_3 = 0x0304;

export function versionName(code: number): string {
  const name = versions.get(code);
  if (name !== undefined) return name;
  if (code >> 8 === 0x7f) return `TLS 1.3 (draft ${code & 0xff})`;
  return lookup(versions, code, 4, true);
}

/** True for TLS 1.3 and its drafts. */
export function isTls13(code: number): boolean {
  return code === TLS_1_3 || code >> 8 === 0x7f;
}

// RFC 8446, Section 4 (HandshakeType), RFC 5246 Section 7.4, RFC 6066, RFC 8879, RFC 6347.
// [RFC enum name, message (struct) name]
const handshakeTypes = new Map<number, readonly [string, string]>([
  [0, ['hello_request', 'HelloRequest']],
  [1, ['client_hello', 'ClientHello']],
  [2, ['server_hello', 'ServerHello']],
  [3, ['hello_verify_request', 'HelloVerifyRequest']],
  [4, ['new_session_ticket', 'NewSessionTicket']],
  [5, ['end_of_early_data', 'EndOfEarlyData']],
  [6, ['hello_retry_request', 'HelloRetryRequest']],
  [8, ['encrypted_extensions', 'EncryptedExtensions']],
  [9, ['request_connection_id', 'RequestConnectionId']],
  [10, ['new_connection_id', 'NewConnectionId']],
  [11, ['certificate', 'Certificate']],
  [12, ['server_key_exchange', 'ServerKeyExchange']],
  [13, ['certificate_request', 'CertificateRequest']],
  [14, ['server_hello_done', 'ServerHelloDone']],
  [15, ['certificate_verify', 'CertificateVerify']],
  [16, ['client_key_exchange', 'ClientKeyExchange']],
  [17, ['client_certificate_request', 'ClientCertificateRequest']],
  [20, ['finished', 'Finished']],
  [21, ['certificate_url', 'CertificateURL']],
  [22, ['certificate_status', 'CertificateStatus']],
  [23, ['supplemental_data', 'SupplementalData']],
  [24, ['key_update', 'KeyUpdate']],
  [25, ['compressed_certificate', 'CompressedCertificate']],
  [26, ['ekt_key', 'EktKey']],
  [67, ['next_protocol', 'NextProtocol']],
  [254, ['message_hash', 'MessageHash']],
]);

export const HANDSHAKE_TYPE = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_status: 22,
  key_update: 24,
  compressed_certificate: 25,
  message_hash: 254,
} as const;

/** The RFC's enum name, e.g. "client_hello". */
export function handshakeTypeName(code: number): string {
  return handshakeTypes.get(code)?.[0] ?? `unknown (${hex(code, 2)})`;
}

/** The message's name as the timeline shows it, e.g. "ClientHello". */
export function handshakeMessageName(code: number): string {
  return handshakeTypes.get(code)?.[1] ?? `unknown handshake message (${hex(code, 2)})`;
}

// RFC 8446, Section 6 (AlertLevel, AlertDescription) and RFC 5246, Section 7.2.
const alertLevels = new Map<number, string>([
  [1, 'warning'],
  [2, 'fatal'],
]);

export function alertLevelName(code: number): string {
  return lookup(alertLevels, code, 2, false);
}

const alertDescriptions = new Map<number, string>([
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [120, 'no_application_protocol'],
  [121, 'ech_required'],
]);

export function alertDescriptionName(code: number): string {
  return lookup(alertDescriptions, code, 2, false);
}

// IANA "TLS ExtensionType Values" (RFC 8446 Section 4.2 and the RFCs listed there), spelled as
// Wireshark spells them where the two differ (delegated_credentials, "connection_id (deprecated)"),
// with the codepoints Wireshark also names that IANA does not list (draft-era and vendor values a
// capture still meets: channel_id, ESNI, QUIC's draft transport parameters).
const extensionTypes = new Map<number, string>([
  [0, 'server_name'],
  [1, 'max_fragment_length'],
  [2, 'client_certificate_url'],
  [3, 'trusted_ca_keys'],
  [4, 'truncated_hmac'],
  [5, 'status_request'],
  [6, 'user_mapping'],
  [7, 'client_authz'],
  [8, 'server_authz'],
  [9, 'cert_type'],
  [10, 'supported_groups'],
  [11, 'ec_point_formats'],
  [12, 'srp'],
  [13, 'signature_algorithms'],
  [14, 'use_srtp'],
  [15, 'heartbeat'],
  [16, 'application_layer_protocol_negotiation'],
  [17, 'status_request_v2'],
  [18, 'signed_certificate_timestamp'],
  [19, 'client_certificate_type'],
  [20, 'server_certificate_type'],
  [21, 'padding'],
  [22, 'encrypt_then_mac'],
  [23, 'extended_master_secret'],
  [24, 'token_binding'],
  [25, 'cached_info'],
  [26, 'tls_lts'],
  [27, 'compress_certificate'],
  [28, 'record_size_limit'],
  [29, 'pwd_protect'],
  [30, 'pwd_clear'],
  [31, 'password_salt'],
  [32, 'ticket_pinning'],
  [33, 'tls_cert_with_extern_psk'],
  [34, 'delegated_credentials'],
  [35, 'session_ticket'],
  [36, 'TLMSP'],
  [37, 'TLMSP_proxying'],
  [38, 'TLMSP_delegate'],
  [39, 'supported_ekt_ciphers'],
  [40, 'Reserved (key_share)'],
  [41, 'pre_shared_key'],
  [42, 'early_data'],
  [43, 'supported_versions'],
  [44, 'cookie'],
  [45, 'psk_key_exchange_modes'],
  [46, 'Reserved (ticket_early_data_info)'],
  [47, 'certificate_authorities'],
  [48, 'oid_filters'],
  [49, 'post_handshake_auth'],
  [50, 'signature_algorithms_cert'],
  [51, 'key_share'],
  [52, 'transparency_info'],
  [53, 'connection_id (deprecated)'],
  [54, 'connection_id'],
  [55, 'external_id_hash'],
  [56, 'external_session_id'],
  [57, 'quic_transport_parameters'],
  [58, 'ticket_request'],
  [59, 'dnssec_chain'],
  [60, 'sequence_number_encryption_algorithms'],
  [61, 'rrc'],
  [62, 'tls_flags'],
  [13172, 'next_protocol_negotiation'],
  [17513, 'application_settings_old'],
  [17613, 'application_settings'],
  [30031, 'channel_id_old'],
  [30032, 'channel_id'],
  [0xfd00, 'ech_outer_extensions'],
  [0xfe0d, 'encrypted_client_hello'],
  [0xff01, 'renegotiation_info'],
  [0xffa5, 'quic_transport_parameters (drafts version)'],
  [0xffce, 'encrypted_server_name'],
]);

export const EXTENSION_TYPE = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  padding: 21,
  compress_certificate: 27,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  status_request_v2: 17,
  signed_certificate_timestamp: 18,
  delegated_credentials: 34,
  certificate_authorities: 47,
  signature_algorithms_cert: 50,
  key_share: 51,
  application_settings_old: 17513,
  application_settings: 17613,
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01,
} as const;

export function extensionName(code: number): string {
  return lookup(extensionTypes, code, 4, true);
}

// RFC 6066, Section 4 (MaxFragmentLength): 2^9 .. 2^12 bytes.
const maxFragmentLengths = new Map<number, string>([
  [1, '512'],
  [2, '1024'],
  [3, '2048'],
  [4, '4096'],
]);

export function maxFragmentLengthName(code: number): string {
  return lookup(maxFragmentLengths, code, 2, false);
}

// RFC 6520, Section 2 (HeartbeatMode).
const heartbeatModes = new Map<number, string>([
  [1, 'peer_allowed_to_send'],
  [2, 'peer_not_allowed_to_send'],
]);

export function heartbeatModeName(code: number): string {
  return lookup(heartbeatModes, code, 2, false);
}

// RFC 8879, Section 3 (CertificateCompressionAlgorithm).
const certificateCompressionAlgorithms = new Map<number, string>([
  [1, 'zlib'],
  [2, 'brotli'],
  [3, 'zstd'],
]);

export function certificateCompressionAlgorithmName(code: number): string {
  return lookup(certificateCompressionAlgorithms, code, 4, true);
}

// RFC 9180, Section 7 (HPKE KEM, KDF and AEAD identifiers), with which TLS Encrypted Client Hello
// (draft-ietf-tls-esni) names its cipher suites: names as Wireshark shows them.
const hpkeKems = new Map<number, string>([
  [0x0010, 'DHKEM(P-256, HKDF-SHA256)'],
  [0x0011, 'DHKEM(P-384, HKDF-SHA384)'],
  [0x0012, 'DHKEM(P-521, HKDF-SHA512)'],
  [0x0020, 'DHKEM(X25519, HKDF-SHA256)'],
  [0x0021, 'DHKEM(X448, HKDF-SHA512)'],
]);

const hpkeKdfs = new Map<number, string>([
  [0x0001, 'HKDF-SHA256'],
  [0x0002, 'HKDF-SHA384'],
  [0x0003, 'HKDF-SHA512'],
]);

const hpkeAeads = new Map<number, string>([
  [0x0001, 'AES-128-GCM'],
  [0x0002, 'AES-256-GCM'],
  [0x0003, 'ChaCha20Poly1305'],
  [0xffff, 'Export-only'],
]);

export function hpkeKemName(code: number): string {
  return lookup(hpkeKems, code, 4, false);
}

export function hpkeKdfName(code: number): string {
  return lookup(hpkeKdfs, code, 4, false);
}

export function hpkeAeadName(code: number): string {
  return lookup(hpkeAeads, code, 4, false);
}

// draft-ietf-tls-esni, Section 5 (ECHClientHelloType).
const echClientHelloTypes = new Map<number, string>([
  [0, 'outer'],
  [1, 'inner'],
]);

export function echClientHelloTypeName(code: number): string {
  return lookup(echClientHelloTypes, code, 2, false);
}

// IANA "TLS Supported Groups": RFC 8422 (ECC), RFC 7919 (FFDHE), RFC 8446, RFC 8734, hybrids.
const namedGroups = new Map<number, string>([
  [1, 'sect163k1'],
  [2, 'sect163r1'],
  [3, 'sect163r2'],
  [4, 'sect193r1'],
  [5, 'sect193r2'],
  [6, 'sect233k1'],
  [7, 'sect233r1'],
  [8, 'sect239k1'],
  [9, 'sect283k1'],
  [10, 'sect283r1'],
  [11, 'sect409k1'],
  [12, 'sect409r1'],
  [13, 'sect571k1'],
  [14, 'sect571r1'],
  [15, 'secp160k1'],
  [16, 'secp160r1'],
  [17, 'secp160r2'],
  [18, 'secp192k1'],
  [19, 'secp192r1'],
  [20, 'secp224k1'],
  [21, 'secp224r1'],
  [22, 'secp256k1'],
  [23, 'secp256r1'],
  [24, 'secp384r1'],
  [25, 'secp521r1'],
  [26, 'brainpoolP256r1'],
  [27, 'brainpoolP384r1'],
  [28, 'brainpoolP512r1'],
  [29, 'x25519'],
  [30, 'x448'],
  [31, 'brainpoolP256r1tls13'],
  [32, 'brainpoolP384r1tls13'],
  [33, 'brainpoolP512r1tls13'],
  [34, 'GC256A'],
  [35, 'GC256B'],
  [36, 'GC256C'],
  [37, 'GC256D'],
  [38, 'GC512A'],
  [39, 'GC512B'],
  [40, 'GC512C'],
  [41, 'curveSM2'],
  [256, 'ffdhe2048'],
  [257, 'ffdhe3072'],
  [258, 'ffdhe4096'],
  [259, 'ffdhe6144'],
  [260, 'ffdhe8192'],
  [0x0200, 'MLKEM512'],
  [0x0201, 'MLKEM768'],
  [0x0202, 'MLKEM1024'],
  [0x11eb, 'SecP256r1MLKEM768'],
  [0x11ec, 'X25519MLKEM768'],
  [0x11ed, 'SecP384r1MLKEM1024'],
  [0x6399, 'X25519Kyber768Draft00'],
  [0x639a, 'SecP256r1Kyber768Draft00'],
  [0xff01, 'arbitrary_explicit_prime_curves'],
  [0xff02, 'arbitrary_explicit_char2_curves'],
  // Open Quantum Safe's experimental groups (OQS-OpenSSL), as Wireshark names them; not IANA's.
  [0x0203, 'frodo976shake'],
  [0x0204, 'frodo1344aes'],
  [0x0205, 'frodo1344shake'],
  [0x0214, 'ntru_hps2048509'],
  [0x0215, 'ntru_hps2048677'],
  [0x0216, 'ntru_hps4096821'],
  [0x0217, 'ntru_hrss701'],
  [0x0218, 'lightsaber'],
  [0x0219, 'saber'],
  [0x021a, 'firesaber'],
  [0x021b, 'sidhp434'],
  [0x021c, 'sidhp503'],
  [0x021d, 'sidhp610'],
  [0x021e, 'sidhp751'],
  [0x021f, 'sikep434'],
  [0x0220, 'sikep503'],
  [0x0221, 'sikep610'],
  [0x0222, 'sikep751'],
  [0x022c, 'hqc128'],
  [0x022d, 'hqc192'],
  [0x022e, 'hqc256'],
  [0x022f, 'ntrulpr653'],
  [0x0230, 'ntrulpr761'],
  [0x0231, 'ntrulpr857'],
  [0x0232, 'sntrup653'],
  [0x0233, 'sntrup761'],
  [0x0234, 'sntrup857'],
  [0x0238, 'bikel1'],
  [0x023a, 'kyber512'],
  [0x023b, 'bikel3'],
  [0x023c, 'kyber768'],
  [0x023d, 'kyber1024'],
  [0x023e, 'kyber90s512'],
  [0x023f, 'kyber90s768'],
  [0x0240, 'kyber90s1024'],
  [0x0241, 'ntrulpr1277'],
  [0x0242, 'sntrup1277'],
  [0x0245, 'ntru_hps40961229'],
  [0x0246, 'ntru_hrss1373'],
  [0x2f00, 'p256_frodo640aes'],
  [0x2f01, 'p256_frodo640shake'],
  [0x2f02, 'p384_frodo976aes'],
  [0x2f03, 'p384_frodo976shake'],
  [0x2f04, 'p521_frodo1344aes'],
  [0x2f05, 'p521_frodo1344shake'],
  [0x2f14, 'p256_ntru_hps2048509'],
  [0x2f15, 'p384_ntru_hps2048677'],
  [0x2f16, 'p521_ntru_hps4096821'],
  [0x2f17, 'p384_ntru_hrss701'],
  [0x2f18, 'p256_lightsaber'],
  [0x2f19, 'p384_saber'],
  [0x2f1a, 'p521_firesaber'],
  [0x2f1b, 'p256_sidhp434'],
  [0x2f1c, 'p256_sidhp503'],
  [0x2f1d, 'p384_sidhp610'],
  [0x2f1e, 'p521_sidhp751'],
  [0x2f1f, 'p256_sikep434'],
  [0x2f20, 'p256_sikep503'],
  [0x2f21, 'p384_sikep610'],
  [0x2f22, 'p521_sikep751'],
  [0x2f2c, 'p256_hqc128'],
  [0x2f2d, 'p384_hqc192'],
  [0x2f2e, 'p521_hqc256'],
  [0x2f2f, 'p256_ntrulpr653'],
  [0x2f31, 'p384_ntrulpr857'],
  [0x2f32, 'p256_sntrup653'],
  [0x2f34, 'p384_sntrup857'],
  [0x2f38, 'p256_bikel1'],
  [0x2f3a, 'p256_kyber512'],
  [0x2f3b, 'p384_bikel3'],
  [0x2f3c, 'p384_kyber768'],
  [0x2f3d, 'p521_kyber1024'],
  [0x2f3e, 'p256_kyber90s512'],
  [0x2f3f, 'p384_kyber90s768'],
  [0x2f40, 'p521_kyber90s1024'],
  [0x2f41, 'p521_ntrulpr1277'],
  [0x2f42, 'p521_sntrup1277'],
  [0x2f43, 'p256_ntrulpr761'],
  [0x2f44, 'p256_sntrup761'],
  [0x2f45, 'p521_ntru_hps40961229'],
  [0x2f46, 'p521_ntru_hrss1373'],
]);

export function namedGroupName(code: number): string {
  return lookup(namedGroups, code, 4, true);
}

// RFC 8446, Section 4.2.3 (SignatureScheme) and IANA "TLS SignatureScheme". The TLS 1.2
// SignatureAndHashAlgorithm pairs (RFC 5246, Section 7.4.1.4.1) that never became TLS 1.3 schemes
// have no IANA name ("Reserved for backward compatibility"): they read as Wireshark reads them,
// hash then signature ("SHA224 ECDSA" for 0x0303).
const signatureSchemes = new Map<number, string>([
  [0x0101, 'MD5 RSA'],
  [0x0201, 'rsa_pkcs1_sha1'],
  [0x0202, 'SHA1 DSA'],
  [0x0203, 'ecdsa_sha1'],
  [0x0301, 'SHA224 RSA'],
  [0x0302, 'SHA224 DSA'],
  [0x0303, 'SHA224 ECDSA'],
  [0x0401, 'rsa_pkcs1_sha256'],
  [0x0402, 'SHA256 DSA'],
  [0x0403, 'ecdsa_secp256r1_sha256'],
  [0x0420, 'rsa_pkcs1_sha256_legacy'],
  [0x0501, 'rsa_pkcs1_sha384'],
  [0x0502, 'SHA384 DSA'],
  [0x0503, 'ecdsa_secp384r1_sha384'],
  [0x0520, 'rsa_pkcs1_sha384_legacy'],
  [0x0601, 'rsa_pkcs1_sha512'],
  [0x0602, 'SHA512 DSA'],
  [0x0603, 'ecdsa_secp521r1_sha512'],
  [0x0620, 'rsa_pkcs1_sha512_legacy'],
  [0x0704, 'eccsi_sha256'],
  [0x0705, 'iso_ibs1'],
  [0x0706, 'iso_ibs2'],
  [0x0707, 'iso_chinese_ibs'],
  [0x0708, 'sm2sig_sm3'],
  [0x0709, 'gostr34102012_256a'],
  [0x070a, 'gostr34102012_256b'],
  [0x070b, 'gostr34102012_256c'],
  [0x070c, 'gostr34102012_256d'],
  [0x070d, 'gostr34102012_512a'],
  [0x070e, 'gostr34102012_512b'],
  [0x070f, 'gostr34102012_512c'],
  [0x0804, 'rsa_pss_rsae_sha256'],
  [0x0805, 'rsa_pss_rsae_sha384'],
  [0x0806, 'rsa_pss_rsae_sha512'],
  [0x0807, 'ed25519'],
  [0x0808, 'ed448'],
  [0x0809, 'rsa_pss_pss_sha256'],
  [0x080a, 'rsa_pss_pss_sha384'],
  [0x080b, 'rsa_pss_pss_sha512'],
  [0x081a, 'ecdsa_brainpoolP256r1tls13_sha256'],
  [0x081b, 'ecdsa_brainpoolP384r1tls13_sha384'],
  [0x081c, 'ecdsa_brainpoolP512r1tls13_sha512'],
  [0x0904, 'mldsa44'],
  [0x0905, 'mldsa65'],
  [0x0906, 'mldsa87'],
  // Open Quantum Safe's experimental schemes (OQS-OpenSSL, in the private-use range), as Wireshark names them.
  [0xfe0b, 'falcon512'],
  [0xfe0c, 'p256_falcon512'],
  [0xfe0d, 'rsa3072_falcon512'],
  [0xfe0e, 'falcon1024'],
  [0xfe0f, 'p521_falcon1024'],
  [0xfe1b, 'picnic3l1'],
  [0xfe1c, 'p256_picnic3l1'],
  [0xfe1d, 'rsa3072_picnic3l1'],
  [0xfe27, 'rainbowIclassic'],
  [0xfe28, 'p256_rainbowIclassic'],
  [0xfe29, 'rsa3072_rainbowIclassic'],
  [0xfe3c, 'rainbowVclassic'],
  [0xfe3d, 'p521_rainbowVclassic'],
  [0xfe42, 'sphincsharaka128frobust'],
  [0xfe43, 'p256_sphincsharaka128frobust'],
  [0xfe44, 'rsa3072_sphincsharaka128frobust'],
  [0xfe5e, 'sphincssha256128frobust'],
  [0xfe5f, 'p256_sphincssha256128frobust'],
  [0xfe60, 'rsa3072_sphincssha256128frobust'],
  [0xfe7a, 'sphincsshake256128frobust'],
  [0xfe7b, 'p256_sphincsshake256128frobust'],
  [0xfe7c, 'rsa3072_sphincsshake256128frobust'],
  [0xfe96, 'picnicl1full'],
  [0xfe97, 'p256_picnicl1full'],
  [0xfe98, 'rsa3072_picnicl1full'],
  [0xfea0, 'dilithium2'],
  [0xfea1, 'p256_dilithium2'],
  [0xfea2, 'rsa3072_dilithium2'],
  [0xfea3, 'dilithium3'],
  [0xfea4, 'p384_dilithium3'],
  [0xfea5, 'dilithium5'],
  [0xfea6, 'p521_dilithium5'],
  [0xfea7, 'dilithium2_aes'],
  [0xfea8, 'p256_dilithium2_aes'],
  [0xfea9, 'rsa3072_dilithium2_aes'],
  [0xfeaa, 'dilithium3_aes'],
  [0xfeab, 'p384_dilithium3_aes'],
  [0xfeac, 'dilithium5_aes'],
  [0xfead, 'p521_dilithium5_aes'],
]);

export function signatureSchemeName(code: number): string {
  return lookup(signatureSchemes, code, 4, true);
}

// RFC 5246, Section 6.1 (CompressionMethod); RFC 3749 (DEFLATE).
const compressionMethods = new Map<number, string>([
  [0, 'null'],
  [1, 'DEFLATE'],
  [64, 'LZS'],
]);

export function compressionMethodName(code: number): string {
  return lookup(compressionMethods, code, 2, false);
}

// RFC 8422, Section 5.1.2 (ECPointFormat) and Section 5.4 (ECCurveType).
const ecPointFormats = new Map<number, string>([
  [0, 'uncompressed'],
  [1, 'ansiX962_compressed_prime'],
  [2, 'ansiX962_compressed_char2'],
]);

export function ecPointFormatName(code: number): string {
  return lookup(ecPointFormats, code, 2, false);
}

const ecCurveTypes = new Map<number, string>([
  [1, 'explicit_prime'],
  [2, 'explicit_char2'],
  [3, 'named_curve'],
]);

export function ecCurveTypeName(code: number): string {
  return lookup(ecCurveTypes, code, 2, false);
}

// RFC 8446, Section 4.2.9 (PskKeyExchangeMode).
const pskKeyExchangeModes = new Map<number, string>([
  [0, 'psk_ke'],
  [1, 'psk_dhe_ke'],
]);

export function pskKeyExchangeModeName(code: number): string {
  return lookup(pskKeyExchangeModes, code, 2, false);
}

// RFC 5246, Section 7.4.4 (ClientCertificateType) and RFC 8422, Section 5.5.
const clientCertificateTypes = new Map<number, string>([
  [1, 'rsa_sign'],
  [2, 'dss_sign'],
  [3, 'rsa_fixed_dh'],
  [4, 'dss_fixed_dh'],
  [5, 'rsa_ephemeral_dh'],
  [6, 'dss_ephemeral_dh'],
  [20, 'fortezza_dms'],
  [64, 'ecdsa_sign'],
  [65, 'rsa_fixed_ecdh'],
  [66, 'ecdsa_fixed_ecdh'],
]);

export function clientCertificateTypeName(code: number): string {
  return lookup(clientCertificateTypes, code, 2, false);
}

// RFC 6066, Section 3 (NameType) and Section 8 (CertificateStatusType).
const serverNameTypes = new Map<number, string>([[0, 'host_name']]);

export function serverNameTypeName(code: number): string {
  return lookup(serverNameTypes, code, 2, false);
}

const certificateStatusTypes = new Map<number, string>([
  [1, 'ocsp'],
  [2, 'ocsp_multi'],
]);

export function certificateStatusTypeName(code: number): string {
  return lookup(certificateStatusTypes, code, 2, false);
}

// RFC 8446, Section 4.6.3 (KeyUpdateRequest).
const keyUpdateRequests = new Map<number, string>([
  [0, 'update_not_requested'],
  [1, 'update_requested'],
]);

export function keyUpdateRequestName(code: number): string {
  return lookup(keyUpdateRequests, code, 2, false);
}

// IANA "TLS Cipher Suites": every suite OpenSSL 3 can negotiate (from `openssl ciphers -V -stdname
// ALL:COMPLEMENTOFALL` plus the TLS 1.3 CCM suites) and the legacy suites still met in captures;
// besides, every other suite Wireshark names (Kerberos, export1024, GOST, ARIA and Camellia CBC and
// GCM, SM and Salsa20 vendor suites), under Wireshark's name.
const cipherSuites = new Map<number, string>([
  [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
  [0x0001, 'TLS_RSA_WITH_NULL_MD5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA'],
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5'],
  [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA'],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x000b, 'TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA'],
  [0x000c, 'TLS_DH_DSS_WITH_DES_CBC_SHA'],
  [0x000d, 'TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0x000e, 'TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x000f, 'TLS_DH_RSA_WITH_DES_CBC_SHA'],
  [0x0010, 'TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0011, 'TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0012, 'TLS_DHE_DSS_WITH_DES_CBC_SHA'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0017, 'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5'],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5'],
  [0x0019, 'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA'],
  [0x001a, 'TLS_DH_anon_WITH_DES_CBC_SHA'],
  [0x001b, 'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA'],
  [0x001c, 'SSL_FORTEZZA_KEA_WITH_NULL_SHA'],
  [0x001d, 'SSL_FORTEZZA_KEA_WITH_FORTEZZA_CBC_SHA'],
  [0x001e, 'TLS_KRB5_WITH_DES_CBC_SHA'],
  [0x001f, 'TLS_KRB5_WITH_3DES_EDE_CBC_SHA'],
  [0x0020, 'TLS_KRB5_WITH_RC4_128_SHA'],
  [0x0021, 'TLS_KRB5_WITH_IDEA_CBC_SHA'],
  [0x0022, 'TLS_KRB5_WITH_DES_CBC_MD5'],
  [0x0023, 'TLS_KRB5_WITH_3DES_EDE_CBC_MD5'],
  [0x0024, 'TLS_KRB5_WITH_RC4_128_MD5'],
  [0x0025, 'TLS_KRB5_WITH_IDEA_CBC_MD5'],
  [0x0026, 'TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA'],
  [0x0027, 'TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA'],
  [0x0028, 'TLS_KRB5_EXPORT_WITH_RC4_40_SHA'],
  [0x0029, 'TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5'],
  [0x002a, 'TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5'],
  [0x002b, 'TLS_KRB5_EXPORT_WITH_RC4_40_MD5'],
  [0x002c, 'TLS_PSK_WITH_NULL_SHA'],
  [0x002d, 'TLS_DHE_PSK_WITH_NULL_SHA'],
  [0x002e, 'TLS_RSA_PSK_WITH_NULL_SHA'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0030, 'TLS_DH_DSS_WITH_AES_128_CBC_SHA'],
  [0x0031, 'TLS_DH_RSA_WITH_AES_128_CBC_SHA'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x0036, 'TLS_DH_DSS_WITH_AES_256_CBC_SHA'],
  [0x0037, 'TLS_DH_RSA_WITH_AES_256_CBC_SHA'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x003e, 'TLS_DH_DSS_WITH_AES_128_CBC_SHA256'],
  [0x003f, 'TLS_DH_RSA_WITH_AES_128_CBC_SHA256'],
  [0x0040, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0042, 'TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0043, 'TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0044, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0046, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0060, 'TLS_RSA_EXPORT1024_WITH_RC4_56_MD5'],
  [0x0061, 'TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5'],
  [0x0062, 'TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA'],
  [0x0063, 'TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA'],
  [0x0064, 'TLS_RSA_EXPORT1024_WITH_RC4_56_SHA'],
  [0x0065, 'TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA'],
  [0x0066, 'TLS_DHE_DSS_WITH_RC4_128_SHA'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0x0068, 'TLS_DH_DSS_WITH_AES_256_CBC_SHA256'],
  [0x0069, 'TLS_DH_RSA_WITH_AES_256_CBC_SHA256'],
  [0x006a, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x006c, 'TLS_DH_anon_WITH_AES_128_CBC_SHA256'],
  [0x006d, 'TLS_DH_anon_WITH_AES_256_CBC_SHA256'],
  [0x0080, 'TLS_GOSTR341094_WITH_28147_CNT_IMIT'],
  [0x0081, 'TLS_GOSTR341001_WITH_28147_CNT_IMIT'],
  [0x0082, 'TLS_GOSTR341094_WITH_NULL_GOSTR3411'],
  [0x0083, 'TLS_GOSTR341001_WITH_NULL_GOSTR3411'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0085, 'TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0086, 'TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0087, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x0089, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA'],
  [0x008a, 'TLS_PSK_WITH_RC4_128_SHA'],
  [0x008b, 'TLS_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA'],
  [0x008d, 'TLS_PSK_WITH_AES_256_CBC_SHA'],
  [0x008e, 'TLS_DHE_PSK_WITH_RC4_128_SHA'],
  [0x008f, 'TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0x0090, 'TLS_DHE_PSK_WITH_AES_128_CBC_SHA'],
  [0x0091, 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA'],
  [0x0092, 'TLS_RSA_PSK_WITH_RC4_128_SHA'],
  [0x0093, 'TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0x0094, 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA'],
  [0x0095, 'TLS_RSA_PSK_WITH_AES_256_CBC_SHA'],
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA'],
  [0x0097, 'TLS_DH_DSS_WITH_SEED_CBC_SHA'],
  [0x0098, 'TLS_DH_RSA_WITH_SEED_CBC_SHA'],
  [0x0099, 'TLS_DHE_DSS_WITH_SEED_CBC_SHA'],
  [0x009a, 'TLS_DHE_RSA_WITH_SEED_CBC_SHA'],
  [0x009b, 'TLS_DH_anon_WITH_SEED_CBC_SHA'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0x00a0, 'TLS_DH_RSA_WITH_AES_128_GCM_SHA256'],
  [0x00a1, 'TLS_DH_RSA_WITH_AES_256_GCM_SHA384'],
  [0x00a2, 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256'],
  [0x00a3, 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384'],
  [0x00a4, 'TLS_DH_DSS_WITH_AES_128_GCM_SHA256'],
  [0x00a5, 'TLS_DH_DSS_WITH_AES_256_GCM_SHA384'],
  [0x00a6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256'],
  [0x00a7, 'TLS_DH_anon_WITH_AES_256_GCM_SHA384'],
  [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00ab, 'TLS_DHE_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00ac, 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256'],
  [0x00ad, 'TLS_RSA_PSK_WITH_AES_256_GCM_SHA384'],
  [0x00ae, 'TLS_PSK_WITH_AES_128_CBC_SHA256'],
  [0x00af, 'TLS_PSK_WITH_AES_256_CBC_SHA384'],
  [0x00b0, 'TLS_PSK_WITH_NULL_SHA256'],
  [0x00b1, 'TLS_PSK_WITH_NULL_SHA384'],
  [0x00b2, 'TLS_DHE_PSK_WITH_AES_128_CBC_SHA256'],
  [0x00b3, 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA384'],
  [0x00b4, 'TLS_DHE_PSK_WITH_NULL_SHA256'],
  [0x00b5, 'TLS_DHE_PSK_WITH_NULL_SHA384'],
  [0x00b6, 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA256'],
  [0x00b7, 'TLS_RSA_PSK_WITH_AES_256_CBC_SHA384'],
  [0x00b8, 'TLS_RSA_PSK_WITH_NULL_SHA256'],
  [0x00b9, 'TLS_RSA_PSK_WITH_NULL_SHA384'],
  [0x00ba, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bb, 'TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bc, 'TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bd, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00be, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00bf, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00c0, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c1, 'TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c2, 'TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c3, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c4, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c5, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256'],
  [0x00c6, 'TLS_SM4_GCM_SM3'],
  [0x00c7, 'TLS_SM4_CCM_SM3'],
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  [0x1301, 'TLS_AES_128_GCM_SHA256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  [0x5600, 'TLS_FALLBACK_SCSV'],
  [0xc001, 'TLS_ECDH_ECDSA_WITH_NULL_SHA'],
  [0xc002, 'TLS_ECDH_ECDSA_WITH_RC4_128_SHA'],
  [0xc003, 'TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc004, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc005, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc00b, 'TLS_ECDH_RSA_WITH_NULL_SHA'],
  [0xc00c, 'TLS_ECDH_RSA_WITH_RC4_128_SHA'],
  [0xc00d, 'TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc00e, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA'],
  [0xc00f, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA'],
  [0xc010, 'TLS_ECDHE_RSA_WITH_NULL_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc015, 'TLS_ECDH_anon_WITH_NULL_SHA'],
  [0xc016, 'TLS_ECDH_anon_WITH_RC4_128_SHA'],
  [0xc017, 'TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA'],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA'],
  [0xc01a, 'TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA'],
  [0xc01b, 'TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc01c, 'TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA'],
  [0xc01d, 'TLS_SRP_SHA_WITH_AES_128_CBC_SHA'],
  [0xc01e, 'TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA'],
  [0xc01f, 'TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA'],
  [0xc020, 'TLS_SRP_SHA_WITH_AES_256_CBC_SHA'],
  [0xc021, 'TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA'],
  [0xc022, 'TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc025, 'TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc026, 'TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc029, 'TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc02a, 'TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02d, 'TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02e, 'TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xc031, 'TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc032, 'TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384'],
  [0xc033, 'TLS_ECDHE_PSK_WITH_RC4_128_SHA'],
  [0xc034, 'TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA'],
  [0xc035, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA'],
  [0xc036, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA'],
  [0xc037, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256'],
  [0xc038, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384'],
  [0xc039, 'TLS_ECDHE_PSK_WITH_NULL_SHA'],
  [0xc03a, 'TLS_ECDHE_PSK_WITH_NULL_SHA256'],
  [0xc03b, 'TLS_ECDHE_PSK_WITH_NULL_SHA384'],
  [0xc03c, 'TLS_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc03d, 'TLS_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc03e, 'TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256'],
  [0xc03f, 'TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384'],
  [0xc040, 'TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc041, 'TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc042, 'TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256'],
  [0xc043, 'TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384'],
  [0xc044, 'TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc045, 'TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc046, 'TLS_DH_anon_WITH_ARIA_128_CBC_SHA256'],
  [0xc047, 'TLS_DH_anon_WITH_ARIA_256_CBC_SHA384'],
  [0xc048, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc049, 'TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc04a, 'TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc04b, 'TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc04c, 'TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc04d, 'TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc04e, 'TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256'],
  [0xc04f, 'TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384'],
  [0xc050, 'TLS_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc051, 'TLS_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc052, 'TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc053, 'TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc054, 'TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc055, 'TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc056, 'TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256'],
  [0xc057, 'TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384'],
  [0xc058, 'TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256'],
  [0xc059, 'TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384'],
  [0xc05a, 'TLS_DH_anon_WITH_ARIA_128_GCM_SHA256'],
  [0xc05b, 'TLS_DH_anon_WITH_ARIA_256_GCM_SHA384'],
  [0xc05c, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc05d, 'TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc05e, 'TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc05f, 'TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc060, 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc061, 'TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc062, 'TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256'],
  [0xc063, 'TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384'],
  [0xc064, 'TLS_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc065, 'TLS_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc066, 'TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc067, 'TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc068, 'TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc069, 'TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc06a, 'TLS_PSK_WITH_ARIA_128_GCM_SHA256'],
  [0xc06b, 'TLS_PSK_WITH_ARIA_256_GCM_SHA384'],
  [0xc06c, 'TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256'],
  [0xc06d, 'TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384'],
  [0xc06e, 'TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256'],
  [0xc06f, 'TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384'],
  [0xc070, 'TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256'],
  [0xc071, 'TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384'],
  [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc073, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc074, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc075, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc076, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc077, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc078, 'TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc079, 'TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc07a, 'TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc07b, 'TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc07c, 'TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc07d, 'TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc07e, 'TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc07f, 'TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc080, 'TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc081, 'TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc082, 'TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc083, 'TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc084, 'TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc085, 'TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc086, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc087, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc088, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc089, 'TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc08a, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc08b, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc08c, 'TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc08d, 'TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc08e, 'TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc08f, 'TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc090, 'TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc091, 'TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc092, 'TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256'],
  [0xc093, 'TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384'],
  [0xc094, 'TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc095, 'TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc096, 'TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc097, 'TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc098, 'TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc099, 'TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc09a, 'TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc09b, 'TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384'],
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM'],
  [0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM'],
  [0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM'],
  [0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8'],
  [0xc0a1, 'TLS_RSA_WITH_AES_256_CCM_8'],
  [0xc0a2, 'TLS_DHE_RSA_WITH_AES_128_CCM_8'],
  [0xc0a3, 'TLS_DHE_RSA_WITH_AES_256_CCM_8'],
  [0xc0a4, 'TLS_PSK_WITH_AES_128_CCM'],
  [0xc0a5, 'TLS_PSK_WITH_AES_256_CCM'],
  [0xc0a6, 'TLS_DHE_PSK_WITH_AES_128_CCM'],
  [0xc0a7, 'TLS_DHE_PSK_WITH_AES_256_CCM'],
  [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8'],
  [0xc0a9, 'TLS_PSK_WITH_AES_256_CCM_8'],
  [0xc0aa, 'TLS_PSK_DHE_WITH_AES_128_CCM_8'],
  [0xc0ab, 'TLS_PSK_DHE_WITH_AES_256_CCM_8'],
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM'],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8'],
  [0xc0b0, 'TLS_ECCPWD_WITH_AES_128_GCM_SHA256'],
  [0xc0b1, 'TLS_ECCPWD_WITH_AES_256_GCM_SHA384'],
  [0xc0b2, 'TLS_ECCPWD_WITH_AES_128_CCM_SHA256'],
  [0xc0b3, 'TLS_ECCPWD_WITH_AES_256_CCM_SHA384'],
  [0xc0b4, 'TLS_SHA256_SHA256'],
  [0xc0b5, 'TLS_SHA384_SHA384'],
  [0xc0ff, 'TLS_ECJPAKE_WITH_AES_128_CCM_8'],
  [0xc100, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC'],
  [0xc101, 'TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC'],
  [0xc102, 'TLS_GOSTR341112_256_WITH_28147_CNT_IMIT'],
  [0xc103, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L'],
  [0xc104, 'TLS_GOSTR341112_256_WITH_MAGMA_MGM_L'],
  [0xc105, 'TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S'],
  [0xc106, 'TLS_GOSTR341112_256_WITH_MAGMA_MGM_S'],
  // The pre-standard ChaCha20 suites (draft-agl-tls-chacha20poly1305) keep BoringSSL's _OLD suffix:
  // Wireshark names them as the standard suites at 0xcca8-0xccaa, and two suites would look the same.
  [0xcc13, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD'],
  [0xcc14, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD'],
  [0xcc15, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccad, 'TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccae, 'TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256'],
  [0xd001, 'TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256'],
  [0xd002, 'TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384'],
  [0xd003, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256'],
  [0xd005, 'TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256'],
  [0xe001, 'ECDHE_SM1_SM3'],
  [0xe003, 'ECC_SM1_SM3'],
  [0xe005, 'IBSDH_SM1_SM3'],
  [0xe007, 'IBC_SM1_SM3'],
  [0xe009, 'RSA_SM1_SM3'],
  [0xe00a, 'RSA_SM1_SHA1'],
  [0xe011, 'ECDHE_SM4_CBC_SM3'],
  [0xe013, 'ECC_SM4_CBC_SM3'],
  [0xe015, 'IBSDH_SM4_CBC_SM3'],
  [0xe017, 'IBC_SM4_CBC_SM3'],
  [0xe019, 'RSA_SM4_CBC_SM3'],
  [0xe01a, 'RSA_SM4_CBC_SHA1'],
  [0xe01c, 'RSA_SM4_CBC_SHA256'],
  [0xe051, 'ECDHE_SM4_GCM_SM3'],
  [0xe053, 'ECC_SM4_GCM_SM3'],
  [0xe055, 'IBSDH_SM4_GCM_SM3'],
  [0xe057, 'IBC_SM4_GCM_SM3'],
  [0xe059, 'RSA_SM4_GCM_SM3'],
  [0xe05a, 'RSA_SM4_GCM_SHA256'],
  [0xe410, 'TLS_RSA_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe411, 'TLS_RSA_WITH_SALSA20_SHA1'],
  [0xe412, 'TLS_ECDHE_RSA_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe413, 'TLS_ECDHE_RSA_WITH_SALSA20_SHA1'],
  [0xe414, 'TLS_ECDHE_ECDSA_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe415, 'TLS_ECDHE_ECDSA_WITH_SALSA20_SHA1'],
  [0xe416, 'TLS_PSK_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe417, 'TLS_PSK_WITH_SALSA20_SHA1'],
  [0xe418, 'TLS_ECDHE_PSK_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe419, 'TLS_ECDHE_PSK_WITH_SALSA20_SHA1'],
  [0xe41a, 'TLS_RSA_PSK_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe41b, 'TLS_RSA_PSK_WITH_SALSA20_SHA1'],
  [0xe41c, 'TLS_DHE_PSK_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe41d, 'TLS_DHE_PSK_WITH_SALSA20_SHA1'],
  [0xe41e, 'TLS_DHE_RSA_WITH_ESTREAM_SALSA20_SHA1'],
  [0xe41f, 'TLS_DHE_RSA_WITH_SALSA20_SHA1'],
  [0xfefe, 'SSL_RSA_FIPS_WITH_DES_CBC_SHA'],
  [0xfeff, 'SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA'],
  [0xffe0, 'SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA'],
  [0xffe1, 'SSL_RSA_FIPS_WITH_DES_CBC_SHA'],
]);

export function cipherSuiteName(code: number): string {
  return lookup(cipherSuites, code, 4, true);
}

/** True when the registry knows the suite's IANA name. */
export function isKnownCipherSuite(code: number): boolean {
  return cipherSuites.has(code);
}

/** How a TLS 1.2-and-earlier suite agrees on keys; decides the shape of the key exchange messages. */
export type KeyExchangeAlgorithm =
  | 'rsa'
  | 'ecdhe'
  | 'dhe'
  | 'ecdh_anon'
  | 'dh_anon'
  | 'ecdh'
  | 'dh'
  | 'psk'
  | 'ecdhe_psk'
  | 'dhe_psk'
  | 'rsa_psk'
  | 'srp'
  | 'tls13'
  | 'unknown';

/** Reads the key exchange from the suite's IANA name ("TLS_ECDHE_RSA_WITH_..." -> "ecdhe"). */
export function keyExchangeOf(code: number): KeyExchangeAlgorithm {
  const name = cipherSuites.get(code);
  if (name === undefined) return 'unknown';
  // TLS 1.3 suites name only the AEAD and hash (TLS_AES_128_GCM_SHA256, TLS_SHA256_SHA256); vendor
  // suites without the TLS_ prefix (ECDHE_SM4_GCM_SM3) are TLS 1.2 suites this decoder cannot shape.
  if (!name.includes('_WITH_')) return name.startsWith('TLS_') && !name.endsWith('_SCSV') ? 'tls13' : 'unknown';
  const kx = name.slice(4, name.indexOf('_WITH_'));
  if (kx === 'RSA' || kx.startsWith('RSA_EXPORT')) return 'rsa';
  if (kx === 'ECDHE_PSK') return 'ecdhe_psk';
  if (kx === 'DHE_PSK' || kx === 'PSK_DHE') return 'dhe_psk';
  if (kx === 'RSA_PSK') return 'rsa_psk';
  if (kx === 'PSK') return 'psk';
  if (kx.startsWith('ECDHE_')) return 'ecdhe';
  if (kx.startsWith('DHE_')) return 'dhe';
  if (kx.startsWith('ECDH_anon')) return 'ecdh_anon';
  if (kx.startsWith('DH_anon')) return 'dh_anon';
  if (kx.startsWith('ECDH_')) return 'ecdh';
  if (kx.startsWith('DH_')) return 'dh';
  if (kx.startsWith('SRP')) return 'srp';
  return 'unknown';
}

/** Builds a NamedCode with the given naming function. */
export function named(code: number, nameOf: (code: number) => string): NamedCode {
  return { code, name: nameOf(code) };
}

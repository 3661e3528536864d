import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  alertDescriptionName,
  alertLevelName,
  cipherSuiteName,
  contentTypeName,
  extensionName,
  handshakeMessageName,
  handshakeTypeName,
  isGrease,
  keyExchangeOf,
  namedGroupName,
  signatureSchemeName,
  versionName,
} from '../../../src-main/tls/registry';

describe('TLS registry names', () => {
  it('names every cipher suite OpenSSL can negotiate with its IANA name', () => {
    const listing = execFileSync('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], {
      encoding: 'utf8',
    });
    const suites = listing
      .split('\n')
      .map((line) => /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ code: parseInt(m[1] + m[2], 16), iana: m[3] }));
    expect(suites.length).toBeGreaterThan(100);
    const wrong = suites.filter((s) => cipherSuiteName(s.code) !== s.iana);
    expect(wrong).toEqual([]);
  });

  it('names the TLS 1.3 suites and common legacy ones', () => {
    expect(cipherSuiteName(0x1301)).toBe('TLS_AES_128_GCM_SHA256');
    expect(cipherSuiteName(0x1304)).toBe('TLS_AES_128_CCM_SHA256');
    expect(cipherSuiteName(0x000a)).toBe('TLS_RSA_WITH_3DES_EDE_CBC_SHA');
    expect(cipherSuiteName(0x0005)).toBe('TLS_RSA_WITH_RC4_128_SHA');
    expect(cipherSuiteName(0x00ff)).toBe('TLS_EMPTY_RENEGOTIATION_INFO_SCSV');
    expect(cipherSuiteName(0x5600)).toBe('TLS_FALLBACK_SCSV');
  });

  it('renders unknown codes in hex and GREASE values as GREASE', () => {
    expect(cipherSuiteName(0x1a2b)).toBe('unknown (0x1a2b)');
    expect(cipherSuiteName(0x0a0a)).toBe('GREASE (0x0a0a)');
    expect(extensionName(0xfafa)).toBe('GREASE (0xfafa)');
    expect(namedGroupName(0x2a2a)).toBe('GREASE (0x2a2a)');
    expect(versionName(0x7a7a)).toBe('GREASE (0x7a7a)');
    expect(isGrease(0x0a1a)).toBe(false);
    expect(extensionName(0x0a1a)).toBe('unknown (0x0a1a)');
    expect(alertDescriptionName(200)).toBe('unknown (0xc8)');
    expect(contentTypeName(0x48)).toBe('unknown (0x48)');
  });

  it('names record versions from SSL 3.0 to TLS 1.3', () => {
    expect([0x0300, 0x0301, 0x0302, 0x0303, 0x0304].map(versionName)).toEqual([
      'SSL 3.0',
      'TLS 1.0',
      'TLS 1.1',
      'TLS 1.2',
      'TLS 1.3',
    ]);
    expect(versionName(0x7f1c)).toBe('TLS 1.3 (draft 28)');
  });

  it('names content types', () => {
    expect([20, 21, 22, 23, 24].map(contentTypeName)).toEqual([
      'Change Cipher Spec',
      'Alert',
      'Handshake',
      'Application Data',
      'Heartbeat',
    ]);
  });

  it('names every handshake type of TLS 1.2 and 1.3', () => {
    const expected: Record<number, string> = {
      0: 'hello_request',
      1: 'client_hello',
      2: 'server_hello',
      3: 'hello_verify_request',
      4: 'new_session_ticket',
      5: 'end_of_early_data',
      8: 'encrypted_extensions',
      11: 'certificate',
      12: 'server_key_exchange',
      13: 'certificate_request',
      14: 'server_hello_done',
      15: 'certificate_verify',
      16: 'client_key_exchange',
      20: 'finished',
      22: 'certificate_status',
      24: 'key_update',
      254: 'message_hash',
    };
    for (const [code, name] of Object.entries(expected)) expect(handshakeTypeName(Number(code))).toBe(name);
    expect(handshakeMessageName(1)).toBe('ClientHello');
    expect(handshakeMessageName(14)).toBe('ServerHelloDone');
    expect(handshakeMessageName(99)).toBe('unknown handshake message (0x63)');
  });

  it('names the alerts of RFC 8446 and RFC 5246', () => {
    const expected: Record<number, string> = {
      0: 'close_notify',
      10: 'unexpected_message',
      20: 'bad_record_mac',
      22: 'record_overflow',
      40: 'handshake_failure',
      42: 'bad_certificate',
      43: 'unsupported_certificate',
      44: 'certificate_revoked',
      45: 'certificate_expired',
      46: 'certificate_unknown',
      47: 'illegal_parameter',
      48: 'unknown_ca',
      49: 'access_denied',
      50: 'decode_error',
      51: 'decrypt_error',
      70: 'protocol_version',
      71: 'insufficient_security',
      80: 'internal_error',
      86: 'inappropriate_fallback',
      90: 'user_canceled',
      100: 'no_renegotiation',
      109: 'missing_extension',
      110: 'unsupported_extension',
      112: 'unrecognized_name',
      113: 'bad_certificate_status_response',
      115: 'unknown_psk_identity',
      116: 'certificate_required',
      120: 'no_application_protocol',
    };
    for (const [code, name] of Object.entries(expected)) expect(alertDescriptionName(Number(code))).toBe(name);
    expect(alertLevelName(1)).toBe('warning');
    expect(alertLevelName(2)).toBe('fatal');
  });

  it('names extensions, groups and signature schemes', () => {
    const extensions: Record<number, string> = {
      0: 'server_name',
      1: 'max_fragment_length',
      5: 'status_request',
      10: 'supported_groups',
      11: 'ec_point_formats',
      13: 'signature_algorithms',
      14: 'use_srtp',
      15: 'heartbeat',
      16: 'application_layer_protocol_negotiation',
      18: 'signed_certificate_timestamp',
      21: 'padding',
      22: 'encrypt_then_mac',
      23: 'extended_master_secret',
      27: 'compress_certificate',
      28: 'record_size_limit',
      35: 'session_ticket',
      41: 'pre_shared_key',
      42: 'early_data',
      43: 'supported_versions',
      44: 'cookie',
      45: 'psk_key_exchange_modes',
      47: 'certificate_authorities',
      49: 'post_handshake_auth',
      50: 'signature_algorithms_cert',
      51: 'key_share',
      0xff01: 'renegotiation_info',
    };
    for (const [code, name] of Object.entries(extensions)) expect(extensionName(Number(code))).toBe(name);
    expect(namedGroupName(29)).toBe('x25519');
    expect(namedGroupName(23)).toBe('secp256r1');
    expect(namedGroupName(256)).toBe('ffdhe2048');
    expect(namedGroupName(0x11ec)).toBe('X25519MLKEM768');
    expect(signatureSchemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(signatureSchemeName(0x0403)).toBe('ecdsa_secp256r1_sha256');
    expect(signatureSchemeName(0x0807)).toBe('ed25519');
  });

  it('tells the key exchange from the suite', () => {
    expect(keyExchangeOf(0xc030)).toBe('ecdhe');
    expect(keyExchangeOf(0x009c)).toBe('rsa');
    expect(keyExchangeOf(0x009f)).toBe('dhe');
    expect(keyExchangeOf(0x00a8)).toBe('psk');
    expect(keyExchangeOf(0xccac)).toBe('ecdhe_psk');
    expect(keyExchangeOf(0x1302)).toBe('tls13');
    expect(keyExchangeOf(0x1a2b)).toBe('unknown');
  });
});

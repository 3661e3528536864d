// The alert a TLS peer of the workbench sends when it refuses the other's certificate. Peers built
// on OpenSSL that verify during the handshake (openssl s_client and s_server, curl, Python's ssl,
// nginx) send a fatal alert naming the problem, and the other side's log shows it ("tlsv1 alert
// unknown ca"). Node checks certificates only after its handshake and would just close, so the
// other side would see its peer leave without a word. The workbench's client, proxy and lab
// servers send the alert OpenSSL would have sent, before closing (sealed with the keys from their
// key log when it must follow their Finished): the one record on the wire that Node's TLS did not
// write, said so in the timeline.
import type { VerificationResult } from '../api/types';
import { TlsConnectionDecoder } from '../tls/records';
import { keyBlock } from '../tls/prf';
import { sealRecord } from '../tls/sealRecord';
import { trafficKeys } from '../tls/keySchedule13';
import { suiteParameters } from '../tls/suites';
import { parseKeyLog } from '../tls/sessionKeys';

/** After its alert, how long a peer waits for the other side to close before closing itself. */
export const ALERT_LINGER_MS = 1_000;

export interface RefusalAlert {
  /** The alert's name in RFC 8446's spelling (unknown_ca). */
  name: string;
  description: number;
}

const ALERTS = {
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  unknown_ca: 48,
  decrypt_error: 51,
} as const;

/** OpenSSL's choice of alert for each verify error (ssl_x509err2alert in ssl/statem/statem_lib.c). */
const BY_VERIFY_CODE: Record<string, keyof typeof ALERTS> = {
  UNABLE_TO_GET_ISSUER_CERT: 'unknown_ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown_ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown_ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown_ca',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown_ca',
  INVALID_CA: 'unknown_ca',
  PATH_LENGTH_EXCEEDED: 'unknown_ca',
  CERT_CHAIN_TOO_LONG: 'unknown_ca',
  CERT_HAS_EXPIRED: 'certificate_expired',
  CERT_NOT_YET_VALID: 'bad_certificate',
  CERT_SIGNATURE_FAILURE: 'decrypt_error',
  CERT_REVOKED: 'certificate_revoked',
  INVALID_PURPOSE: 'unsupported_certificate',
  CERT_UNTRUSTED: 'bad_certificate',
  CERT_REJECTED: 'bad_certificate',
};

/** The alert OpenSSL sends for this refusal: the chain's problem first (OpenSSL stops there), else the name's. */
export function refusalAlert(verification: VerificationResult): RefusalAlert {
  const chainFailed = verification.verifyPeer && !verification.chain.ok;
  const name: keyof typeof ALERTS = chainFailed
    ? (BY_VERIFY_CODE[verification.chain.code ?? ''] ?? 'certificate_unknown')
    : verification.hostname && !verification.hostname.ok
      ? 'bad_certificate'
      : 'certificate_unknown';
  return { name, description: ALERTS[name] };
}

const ALERT = 21;
const FATAL = 2;
const ENCRYPT_THEN_MAC = 22;

export interface AlertToSeal {
  /** Who sends it: the workbench's client refusing a server, or a lab server refusing a client's certificate. */
  sender?: 'client' | 'server';
  /** The version the handshake settled on ("TLSv1.3"). */
  version: string;
  /** The connection's key log so far (the sender's own). */
  keylog: readonly string[];
  /** What the server sent in the clear before the handshake ended (its ServerHello among it). */
  serverFlight: readonly Uint8Array[];
  alert: RefusalAlert;
}

function secretOf(keylog: readonly string[], label: string): { clientRandom: Uint8Array; secret: Uint8Array } | null {
  const entry = parseKeyLog(keylog).secrets.get(label)?.entries().next().value;
  return entry ? { clientRandom: new Uint8Array(Buffer.from(entry[0], 'hex')), secret: entry[1] } : null;
}

/**
 * The alert as the record OpenSSL would send, or why it cannot be made. Node checks a certificate
 * when its handshake is done, and the records OpenSSL wrote in the step that finished it have not
 * left yet; those never leave (the caller mutes them), and the alert goes where OpenSSL sends it:
 * - the client, TLS 1.3: in place of its second flight, in the clear (its write keys are not
 *   switched yet), as openssl s_client sends it;
 * - the client, TLS 1.2 and 1.1: its Finished went out earlier, before the server's, so the alert
 *   follows it, encrypted: sequence number 1 under the client's key block;
 * - a server refusing a client certificate, TLS 1.3: its Finished went out in its first flight, so
 *   the alert is its first record under server_application_traffic_secret_0 (the tickets Node
 *   would send next never leave);
 * - a server, TLS 1.2 and before: in place of its ChangeCipherSpec and Finished, in the clear.
 */
export function sealRefusalAlert(input: AlertToSeal): { record: Uint8Array } | { reason: string } {
  const server = input.sender === 'server';
  const plaintext = Uint8Array.of(FATAL, input.alert.description);
  const recordVersion = { 'TLSv1.3': 0x0303, 'TLSv1.2': 0x0303, 'TLSv1.1': 0x0302, TLSv1: 0x0301 }[input.version];
  if (recordVersion === undefined) return { reason: `the workbench does not send alerts over ${input.version}` };
  const clear = () => ({ record: Uint8Array.of(ALERT, recordVersion >> 8, recordVersion & 0xff, 0x00, plaintext.length, ...plaintext) });
  if (server ? input.version !== 'TLSv1.3' : input.version === 'TLSv1.3') return clear();
  if (input.version === 'TLSv1') return { reason: 'TLSv1 chains each CBC record to the one before; the workbench sends encrypted alerts over TLS 1.1 to 1.3 only' };
  const decoder = new TlsConnectionDecoder();
  for (const data of input.serverFlight) decoder.push({ direction: 'server-to-client', t: 0, data });
  const hello = decoder.finish().serverHello;
  const suite = hello ? suiteParameters(hello.cipherSuite.code) : undefined;
  if (!hello || !suite) return { reason: hello ? `the workbench cannot encrypt with ${hello.cipherSuite.name}` : 'the ServerHello was not found' };
  if (input.version === 'TLSv1.3') {
    const logged = secretOf(input.keylog, 'SERVER_TRAFFIC_SECRET_0');
    if (!logged) return { reason: 'the key log has no server application traffic secret' };
    const { key, iv } = trafficKeys(suite, logged.secret);
    const keys = { suite, key, iv, tls13: true, ivName: 'server_write_iv' };
    return { record: sealRecord({ keys, sequenceNumber: 0, contentType: ALERT, version: 0x0303, plaintext }) };
  }
  const logged = secretOf(input.keylog, 'CLIENT_RANDOM');
  if (!logged) return { reason: 'the key log has no master secret' };
  const block = keyBlock(suite, logged.secret, logged.clientRandom, hello.random, undefined, recordVersion);
  const keys = {
    suite,
    key: block.clientWriteKey,
    iv: block.clientWriteIv,
    macKey: block.clientWriteMacKey,
    encryptThenMac: suite.protection === 'cbc' && hello.extensions.some((e) => e.type === ENCRYPT_THEN_MAC),
    tls13: false,
    ivName: 'client_write_iv',
  };
  // The client's Finished was record 0 under these keys.
  return { record: sealRecord({ keys, sequenceNumber: 1, contentType: ALERT, version: recordVersion, plaintext }) };
}

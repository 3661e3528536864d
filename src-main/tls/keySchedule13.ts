// The TLS 1.3 key schedule (RFC 8446, Section 7.1) and traffic keys (Section 7.3).
// Two ways in: the whole schedule from the (EC)DHE shared secret and the transcript hashes (what
// the peers compute; RFC 8448's traces check it), and the lower half from the traffic secrets an
// NSS key log gives (what a recorded session has: the shared secret is never logged).

import type { DerivationStep } from '../api/decryptTypes';
import { deriveSecret, hashOf, hkdfExpandLabel, hkdfExtract } from './hkdf';
import { keyValue } from './prf';
import { HASH_LENGTH, type HashName, type SuiteParameters } from './suites';

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/**
 * [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 * [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
 */
export function trafficKeys(
  suite: SuiteParameters,
  secret: Uint8Array,
  steps?: DerivationStep[],
  secretName = 'traffic secret',
  prefix = '',
): TrafficKeys {
  const empty = new Uint8Array(0);
  const key = hkdfExpandLabel(suite.prfHash, secret, 'key', empty, suite.keyLength, steps, {
    secret: secretName,
    output: `${prefix}write_key`,
  });
  const iv = hkdfExpandLabel(suite.prfHash, secret, 'iv', empty, suite.fixedIvLength, steps, {
    secret: secretName,
    output: `${prefix}write_iv`,
  });
  return { key, iv };
}

/** RFC 8446, Section 7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length). */
export function nextTrafficSecret(hash: HashName, secret: Uint8Array, steps?: DerivationStep[], names?: { secret: string; output: string }): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), HASH_LENGTH[hash], steps, names);
}

/** RFC 8446, Section 4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
export function finishedKey(hash: HashName, baseKey: Uint8Array, steps?: DerivationStep[]): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), HASH_LENGTH[hash], steps, {
    secret: 'handshake traffic secret',
    output: 'finished_key',
  });
}

export interface KeyScheduleInput {
  hash: HashName;
  /** The (EC)DHE shared secret. */
  sharedSecret: Uint8Array;
  /** Transcript-Hash(ClientHello..ServerHello). */
  helloHash: Uint8Array;
  /** Transcript-Hash(ClientHello..server Finished). */
  serverFinishedHash: Uint8Array;
  /** The PSK, if one was used; otherwise Hash.length zero bytes. */
  psk?: Uint8Array;
}

export interface KeySchedule {
  earlySecret: Uint8Array;
  handshakeSecret: Uint8Array;
  masterSecret: Uint8Array;
  clientHandshakeTrafficSecret: Uint8Array;
  serverHandshakeTrafficSecret: Uint8Array;
  clientApplicationTrafficSecret: Uint8Array;
  serverApplicationTrafficSecret: Uint8Array;
  exporterMasterSecret: Uint8Array;
  steps: DerivationStep[];
}

/** The whole schedule of RFC 8446, Section 7.1, for a handshake without early data. */
export function keySchedule(input: KeyScheduleInput): KeySchedule {
  const { hash } = input;
  const steps: DerivationStep[] = [];
  const zeros = new Uint8Array(HASH_LENGTH[hash]);
  const emptyHash = hashOf(hash, new Uint8Array(0));
  const psk = input.psk ?? zeros;

  const earlySecret = hkdfExtract(hash, zeros, psk);
  steps.push({
    title: 'Early Secret = HKDF-Extract(0, PSK)',
    operation: 'HKDF-Extract',
    rfc: 'RFC 8446, Section 7.1',
    inputs: [keyValue('salt (zeros)', zeros), keyValue(input.psk ? 'PSK' : 'IKM (no PSK: zeros)', psk)],
    outputs: [keyValue('Early Secret', earlySecret)],
  });
  const derivedEarly = deriveSecret(hash, earlySecret, 'derived', emptyHash, steps, {
    secret: 'Early Secret',
    output: 'derived',
    context: 'Hash("")',
  });
  const handshakeSecret = hkdfExtract(hash, derivedEarly, input.sharedSecret);
  steps.push({
    title: 'Handshake Secret = HKDF-Extract(derived, (EC)DHE shared secret)',
    operation: 'HKDF-Extract',
    rfc: 'RFC 8446, Section 7.1',
    inputs: [keyValue('salt (derived)', derivedEarly), keyValue('(EC)DHE shared secret', input.sharedSecret)],
    outputs: [keyValue('Handshake Secret', handshakeSecret)],
  });
  const hello = { secret: 'Handshake Secret', context: 'Transcript-Hash(ClientHello..ServerHello)' };
  const clientHandshakeTrafficSecret = deriveSecret(hash, handshakeSecret, 'c hs traffic', input.helloHash, steps, {
    ...hello,
    output: 'client_handshake_traffic_secret',
  });
  const serverHandshakeTrafficSecret = deriveSecret(hash, handshakeSecret, 's hs traffic', input.helloHash, steps, {
    ...hello,
    output: 'server_handshake_traffic_secret',
  });
  const derivedHandshake = deriveSecret(hash, handshakeSecret, 'derived', emptyHash, steps, {
    secret: 'Handshake Secret',
    output: 'derived',
    context: 'Hash("")',
  });
  const masterSecret = hkdfExtract(hash, derivedHandshake, zeros);
  steps.push({
    title: 'Master Secret = HKDF-Extract(derived, 0)',
    operation: 'HKDF-Extract',
    rfc: 'RFC 8446, Section 7.1',
    inputs: [keyValue('salt (derived)', derivedHandshake), keyValue('IKM (zeros)', zeros)],
    outputs: [keyValue('Master Secret', masterSecret)],
  });
  const finished = { secret: 'Master Secret', context: 'Transcript-Hash(ClientHello..server Finished)' };
  const clientApplicationTrafficSecret = deriveSecret(hash, masterSecret, 'c ap traffic', input.serverFinishedHash, steps, {
    ...finished,
    output: 'client_application_traffic_secret_0',
  });
  const serverApplicationTrafficSecret = deriveSecret(hash, masterSecret, 's ap traffic', input.serverFinishedHash, steps, {
    ...finished,
    output: 'server_application_traffic_secret_0',
  });
  const exporterMasterSecret = deriveSecret(hash, masterSecret, 'exp master', input.serverFinishedHash, steps, {
    ...finished,
    output: 'exporter_master_secret',
  });
  return {
    earlySecret,
    handshakeSecret,
    masterSecret,
    clientHandshakeTrafficSecret,
    serverHandshakeTrafficSecret,
    clientApplicationTrafficSecret,
    serverApplicationTrafficSecret,
    exporterMasterSecret,
    steps,
  };
}

/** The NSS key log labels of TLS 1.3 and what the schedule calls them. */
export const TLS13_KEYLOG_LABELS = {
  CLIENT_EARLY_TRAFFIC_SECRET: 'client_early_traffic_secret',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'client_handshake_traffic_secret',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'server_handshake_traffic_secret',
  CLIENT_TRAFFIC_SECRET_0: 'client_application_traffic_secret_0',
  SERVER_TRAFFIC_SECRET_0: 'server_application_traffic_secret_0',
  EXPORTER_SECRET: 'exporter_master_secret',
} as const;

export type Tls13KeylogLabel = keyof typeof TLS13_KEYLOG_LABELS;

/**
 * The part of the schedule above the traffic secrets, as a note: it needs what no log holds. What
 * feeds it depends on how the server answered: a full handshake ((EC)DHE only), a resumption with
 * a PSK and a fresh (EC)DHE (psk_dhe_ke), or a PSK alone (psk_ke, no key_share).
 */
/**
 * `external`: the PSK was one both sides were given beforehand (RFC 8446, 4.2.11), not a ticket an
 * earlier connection left.
 */
export function upperScheduleNote(mode: 'full' | 'psk_dhe_ke' | 'psk_ke', external = false): string {
  const start = 'The key log starts at the traffic secrets. Above them, Early Secret -> Handshake Secret -> Master Secret';
  if (mode === 'full') {
    return `${start}: the Early Secret comes from zeros (no PSK), and the Handshake Secret needs the (EC)DHE shared secret, which neither peer writes down: a recording holds only the public key shares.`;
  }
  const accepted = external
    ? "the server accepted the client's external pre-shared key (one both sides were given beforehand, not a ticket from an earlier connection: its obfuscated_ticket_age is 0)"
    : 'this connection resumed an earlier session (the server accepted its pre_shared_key)';
  if (mode === 'psk_dhe_ke') {
    const from = external ? 'that PSK' : 'that PSK, which the earlier connection derived from its resumption_master_secret';
    return `${start}: ${accepted}, so the Early Secret comes from ${from}, and the Handshake Secret mixes in a fresh (EC)DHE shared secret. Neither is in a key log.`;
  }
  const holders = external ? 'Whoever has the PSK' : "Whoever has the PSK (or the server's ticket key)";
  return `${start}: ${accepted}, with its PSK alone (psk_ke: no key_share in the ServerHello), so every key comes from that PSK and the two randoms. ${holders} can open it: no forward secrecy.`;
}

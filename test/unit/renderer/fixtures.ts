// Plain contract values shaped like what the engine sends for a client session.
import type {
  CertificateInfo,
  SessionDetail,
  SessionSummary,
  TimelineEntry,
  VerificationResult,
} from '../../../src-main/api/types';
import type { PkiCertificateSummary } from '../../../src-renderer/src/api/contract';
import type { RecordRow } from '../../../src-main/api/recordTypes';

export function verification(overrides: Partial<VerificationResult> = {}): VerificationResult {
  return {
    verifyPeer: true,
    checkHostname: true,
    chain: { ok: true },
    hostname: { ok: true, hostname: 'www.bank32.com', validNames: ['www.bank32.com'] },
    accepted: true,
    summary: 'verified',
    ...overrides,
  };
}

export function summary(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id: 1,
    kind: 'client',
    status: 'ok',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_045,
    target: 'www.bank32.com:4433',
    address: '127.0.0.1:4433',
    sni: 'www.bank32.com',
    version: 'TLSv1.3',
    cipher: { openssl: 'TLS_AES_256_GCM_SHA384', iana: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' },
    alpn: null,
    verification: verification(),
    error: null,
    ...overrides,
  };
}

export function certificate(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    subject: 'CN=www.bank32.com',
    subjectAttributes: [{ type: 'CN', value: 'www.bank32.com' }],
    issuer: 'CN=Lab Root CA',
    issuerAttributes: [{ type: 'CN', value: 'Lab Root CA' }],
    serialNumber: '01',
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    subjectAltNames: ['DNS:www.bank32.com'],
    isCA: false,
    selfIssued: false,
    publicKey: { type: 'RSA', bits: 2048 },
    fingerprintSha1: '00',
    fingerprintSha256: 'ab'.repeat(32),
    pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    ...overrides,
  };
}

export const tls12Timeline: TimelineEntry[] = [
  { kind: 'tcp-open', t: 0.512, local: '127.0.0.1:50000', remote: '127.0.0.1:4433' },
  { kind: 'record', number: 1, t: 1.25, direction: 'client-to-server', contentType: 22, contentTypeName: 'Handshake', version: 0x0301, versionName: 'TLS 1.0', length: 512, streamOffset: 0, encrypted: false, messages: ['ClientHello'] },
  { kind: 'record', number: 2, t: 3.5, direction: 'server-to-client', contentType: 22, contentTypeName: 'Handshake', version: 0x0303, versionName: 'TLS 1.2', length: 1800, streamOffset: 0, encrypted: false, messages: ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone'] },
  { kind: 'record', number: 3, t: 5, direction: 'client-to-server', contentType: 22, contentTypeName: 'Handshake', version: 0x0303, versionName: 'TLS 1.2', length: 40, streamOffset: 517, encrypted: true, messages: [] },
  { kind: 'record', number: 4, t: 9, direction: 'server-to-client', contentType: 21, contentTypeName: 'Alert', version: 0x0303, versionName: 'TLS 1.2', length: 2, streamOffset: 1805, encrypted: false, messages: ['Alert'], alert: { level: 2, levelName: 'fatal', description: 48, descriptionName: 'unknown_ca' } },
  { kind: 'record', number: 5, t: 9.5, direction: 'server-to-client', contentType: 99, contentTypeName: 'unknown (99)', version: 0x0303, versionName: 'TLS 1.2', length: 3, streamOffset: 1812, encrypted: false, messages: [], malformed: 'unknown content type 99 at offset 1812' },
  { kind: 'tls-established', t: 6, version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' },
  { kind: 'verification', t: 6.1, accepted: false, summary: 'not verified: unknown issuer' },
  { kind: 'error', t: 7, message: 'the server closed the connection' },
  { kind: 'tcp-close', t: 10, initiator: 'peer' },
];

export function detail(overrides: Partial<SessionDetail> = {}): SessionDetail {
  return {
    ...summary(),
    request: null,
    response: null,
    connections: [],
    ...overrides,
  };
}

/** A workbench certificate as the certificate tree lists it (a server certificate with its key unless overridden). */
export function pkiCertificate(overrides: Partial<PkiCertificateSummary>): PkiCertificateSummary {
  return {
    id: 1, name: 'x', kind: 'server', subject: 'CN=x', issuer: 'CN=Lab Root', issuerId: 1, serialNumber: '01',
    notBefore: '2025-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', expired: false, isCa: false, selfSigned: false,
    subjectAltNames: [], keySummary: 'RSA 2048 bits', hasPrivateKey: true, fingerprintSha256: 'ab', createdAt: 0,
    ...overrides,
  };
}

/**
 * One TLS record as the record list gives it: record `number` (also its time), sent by the client
 * ('c') or the server ('s'), holding `messages`, in the clear unless `extra` says otherwise.
 */
export function recordRow(number: number, direction: 'c' | 's', messages: string[], contentType = 22, extra: Partial<RecordRow> = {}): RecordRow {
  return {
    number,
    t: number,
    direction: direction === 'c' ? 'client-to-server' : 'server-to-client',
    contentType,
    contentTypeName: contentType === 22 ? 'Handshake' : contentType === 20 ? 'Change Cipher Spec' : contentType === 21 ? 'Alert' : 'Application Data',
    version: 0x0303,
    versionName: 'TLS 1.2',
    length: 100,
    streamOffset: 0,
    encrypted: false,
    protected: false,
    decrypted: false,
    messages,
    summary: messages.join(', '),
    ...extra,
  };
}

/** A full TLS 1.2 handshake with ECDHE, up to the server's Finished, made with `row` (which numbers the records). */
export function tls12HandshakeRows(row: (direction: 'c' | 's', messages: string[], contentType?: number, extra?: Partial<RecordRow>) => RecordRow): RecordRow[] {
  return [
    row('c', ['ClientHello']),
    row('s', ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']),
    row('c', ['ClientKeyExchange']),
    row('c', ['ChangeCipherSpec'], 20),
    row('c', ['Finished'], 22, { protected: true, decrypted: true }),
    row('s', ['ChangeCipherSpec'], 20),
    row('s', ['Finished'], 22, { protected: true, decrypted: true }),
  ];
}

/** A full TLS 1.3 handshake (its middle records opened), up to the client's Finished, made with `row`. */
export function tls13HandshakeRows(row: (direction: 'c' | 's', messages: string[], contentType?: number, extra?: Partial<RecordRow>) => RecordRow): RecordRow[] {
  const opened = { protected: true, decrypted: true };
  return [
    row('c', ['ClientHello']),
    row('s', ['ServerHello']),
    row('s', ['Change Cipher Spec (compatibility)'], 20),
    row('s', ['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished'], 23, opened),
    row('c', ['Change Cipher Spec (compatibility)'], 20),
    row('c', ['Finished'], 23, opened),
  ];
}

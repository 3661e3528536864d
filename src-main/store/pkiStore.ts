// Rows in and out of the certificate workshop's tables. Bytes and names only: no PKI knowledge
// here; sealing keys and parsing certificates happen in the workshop.
import type { PkiCertificateKind } from '../api/pkiTypes';
import type { Db } from './database';

export type KeyProtectionMode = 'plain' | 'sealed';

export interface KeyRow {
  id: number;
  spki_sha256: string;
  summary: string;
  protection: KeyProtectionMode;
  data: Buffer;
  created_at: number;
}

export interface CertificateRow {
  id: number;
  name: string;
  kind: PkiCertificateKind;
  der: Buffer;
  fingerprint_sha256: string;
  subject: string;
  issuer: string;
  issuer_id: number | null;
  key_id: number | null;
  not_before: number;
  not_after: number;
  created_at: number;
  /** From pki_cas, null for leaves. */
  path_length: number | null;
  name_constraints_json: string | null;
  is_ca: 0 | 1;
}

export interface CsrRow {
  id: number;
  name: string;
  der: Buffer;
  subject: string;
  key_id: number | null;
  created_at: number;
}

export interface NewCertificate {
  name: string;
  kind: PkiCertificateKind;
  der: Uint8Array;
  fingerprintSha256: string;
  subject: string;
  issuer: string;
  issuerId: number | null;
  keyId: number | null;
  notBefore: number;
  notAfter: number;
  /** Present for CA certificates. */
  ca?: { pathLength: number | null; nameConstraintsJson: string | null };
}

export interface KdfSettings {
  kdf_json: string;
  verifier: Buffer;
}

const CERT_COLUMNS = `c.id, c.name, c.kind, c.der, c.fingerprint_sha256, c.subject, c.issuer, c.issuer_id, c.key_id,
  c.not_before, c.not_after, c.created_at, a.path_length, a.name_constraints_json,
  (a.certificate_id IS NOT NULL) AS is_ca`;

export class PkiStore {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction: all of it is stored, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // --- keys ---------------------------------------------------------------------------------

  /** Stores a key, or returns the id of the same key already stored (by its public half). */
  putKey(spkiSha256: string, summary: string, protection: KeyProtectionMode, data: Uint8Array): number {
    const existing = this.db.prepare('SELECT id FROM pki_keys WHERE spki_sha256 = ?').get(spkiSha256) as { id: number } | undefined;
    if (existing) return existing.id;
    const info = this.db
      .prepare('INSERT INTO pki_keys (spki_sha256, summary, protection, data, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(spkiSha256, summary, protection, Buffer.from(data), Date.now());
    return Number(info.lastInsertRowid);
  }

  key(id: number): KeyRow | undefined {
    return this.db.prepare('SELECT * FROM pki_keys WHERE id = ?').get(id) as KeyRow | undefined;
  }

  keyBySpki(spkiSha256: string): KeyRow | undefined {
    return this.db.prepare('SELECT * FROM pki_keys WHERE spki_sha256 = ?').get(spkiSha256) as KeyRow | undefined;
  }

  allKeys(): KeyRow[] {
    return this.db.prepare('SELECT * FROM pki_keys ORDER BY id').all() as KeyRow[];
  }

  replaceKeyData(id: number, protection: KeyProtectionMode, data: Uint8Array): void {
    this.db.prepare('UPDATE pki_keys SET protection = ?, data = ? WHERE id = ?').run(protection, Buffer.from(data), id);
  }

  /** Removes keys no certificate or CSR refers to any more. */
  deleteOrphanKeys(): void {
    this.db
      .prepare(
        `DELETE FROM pki_keys WHERE id NOT IN (SELECT key_id FROM pki_certificates WHERE key_id IS NOT NULL)
           AND id NOT IN (SELECT key_id FROM pki_csrs WHERE key_id IS NOT NULL)`,
      )
      .run();
  }

  // --- certificates -------------------------------------------------------------------------

  insertCertificate(cert: NewCertificate): number {
    const info = this.db
      .prepare(
        `INSERT INTO pki_certificates (name, kind, der, fingerprint_sha256, subject, issuer, issuer_id, key_id, not_before, not_after, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        cert.name,
        cert.kind,
        Buffer.from(cert.der),
        cert.fingerprintSha256,
        cert.subject,
        cert.issuer,
        cert.issuerId,
        cert.keyId,
        cert.notBefore,
        cert.notAfter,
        Date.now(),
      );
    const id = Number(info.lastInsertRowid);
    if (cert.ca) {
      this.db
        .prepare('INSERT INTO pki_cas (certificate_id, path_length, name_constraints_json) VALUES (?, ?, ?)')
        .run(id, cert.ca.pathLength, cert.ca.nameConstraintsJson);
    }
    return id;
  }

  setCertificateIssuer(id: number, issuerId: number): void {
    this.db.prepare('UPDATE pki_certificates SET issuer_id = ? WHERE id = ?').run(issuerId, id);
  }

  setCertificateKey(id: number, keyId: number): void {
    this.db.prepare('UPDATE pki_certificates SET key_id = ? WHERE id = ?').run(keyId, id);
  }

  certificate(id: number): CertificateRow | undefined {
    return this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates c LEFT JOIN pki_cas a ON a.certificate_id = c.id WHERE c.id = ?`)
      .get(id) as CertificateRow | undefined;
  }

  certificateByName(name: string): CertificateRow | undefined {
    return this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates c LEFT JOIN pki_cas a ON a.certificate_id = c.id WHERE c.name = ?`)
      .get(name) as CertificateRow | undefined;
  }

  certificateByFingerprint(fingerprintSha256: string): CertificateRow | undefined {
    return this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates c LEFT JOIN pki_cas a ON a.certificate_id = c.id WHERE c.fingerprint_sha256 = ?`)
      .get(fingerprintSha256) as CertificateRow | undefined;
  }

  /** CA certificates whose subject (as the workbench formats it) is this issuer name. */
  casBySubject(subject: string): CertificateRow[] {
    return this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates c JOIN pki_cas a ON a.certificate_id = c.id WHERE c.subject = ? ORDER BY c.id`)
      .all(subject) as CertificateRow[];
  }

  allCertificates(): CertificateRow[] {
    return this.db
      .prepare(`SELECT ${CERT_COLUMNS} FROM pki_certificates c LEFT JOIN pki_cas a ON a.certificate_id = c.id ORDER BY c.id`)
      .all() as CertificateRow[];
  }

  /** Deletes the certificate and, through the issuer link, everything it issued. */
  deleteCertificate(id: number): number {
    return this.db.prepare('DELETE FROM pki_certificates WHERE id = ?').run(id).changes;
  }

  nameTaken(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM pki_certificates WHERE name = ? UNION SELECT 1 FROM pki_csrs WHERE name = ?').get(name, name) !== undefined;
  }

  // --- CSRs ---------------------------------------------------------------------------------

  insertCsr(name: string, der: Uint8Array, subject: string, keyId: number | null): number {
    const info = this.db
      .prepare('INSERT INTO pki_csrs (name, der, subject, key_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, Buffer.from(der), subject, keyId, Date.now());
    return Number(info.lastInsertRowid);
  }

  csr(id: number): CsrRow | undefined {
    return this.db.prepare('SELECT * FROM pki_csrs WHERE id = ?').get(id) as CsrRow | undefined;
  }

  csrByName(name: string): CsrRow | undefined {
    return this.db.prepare('SELECT * FROM pki_csrs WHERE name = ?').get(name) as CsrRow | undefined;
  }

  allCsrs(): CsrRow[] {
    return this.db.prepare('SELECT * FROM pki_csrs ORDER BY id').all() as CsrRow[];
  }

  setCsrKey(id: number, keyId: number): void {
    this.db.prepare('UPDATE pki_csrs SET key_id = ? WHERE id = ?').run(keyId, id);
  }

  deleteCsr(id: number): number {
    return this.db.prepare('DELETE FROM pki_csrs WHERE id = ?').run(id).changes;
  }

  // --- the workbench passphrase -------------------------------------------------------------

  kdfSettings(): KdfSettings | undefined {
    return this.db.prepare('SELECT kdf_json, verifier FROM pki_settings WHERE id = 1').get() as KdfSettings | undefined;
  }

  setKdfSettings(kdfJson: string, verifier: Uint8Array): void {
    this.db
      .prepare('INSERT INTO pki_settings (id, kdf_json, verifier) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET kdf_json = excluded.kdf_json, verifier = excluded.verifier')
      .run(kdfJson, Buffer.from(verifier));
  }
}

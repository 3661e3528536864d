// The certificate workshop: the pure pki/ building blocks over the workbench database. CAs as
// trees, certificates and CSRs, keys kept in the database (sealed under the workbench passphrase
// when one is set), inspection, forging for the proxy, and the identities servers present.
import { type KeyObject, X509Certificate, createHash } from 'node:crypto';
import type { ApiEvents } from '../api/methods';
import type {
  PkiCaCreateRequest,
  PkiCaNode,
  PkiCertificateKind,
  PkiCertificateSummary,
  PkiCsrCreateRequest,
  PkiCsrSignRequest,
  PkiCsrSigned,
  PkiCsrSummary,
  PkiDeleteRequest,
  PkiForgeRequest,
  PkiForgeResult,
  PkiInspection,
  PkiInspectRequest,
  PkiIssued,
  PkiIssueRequest,
  PkiKeyProtection,
  PkiTree,
} from '../api/pkiTypes';
import { WorkbenchError } from '../errors';
import { parseCertificateDer, readBasicConstraints } from '../pki/certificateDer';
import { extendedKeyUsageOf } from '../pki/extendedKeyUsage';
import { describeCertificate } from '../pki/certificateInfo';
import {
  type CertificateAuthority,
  certificatePem,
  createIntermediateCa,
  createRootCa,
  issueCertificate,
  leafKeySpecFor,
  readCertificate,
} from '../pki/certificates';
import { createCsr, parseCsr, signCsr } from '../pki/csr';
import { PkiError } from '../pki/errors';
import { certificateToShow } from '../pki/formats';
import { type CautionRole, cautionsForCertificate, outlivesChainCaution } from '../pki/cautions';
import { type Inspection, inspect } from '../pki/inspect';
import { type KeySpec, describeAnyKey, exportPrivateKeyPem, formatKeySpec, generateKeyPair, keyMatchesCertificate, parseKeySpec } from '../pki/keys';
import { asciiDomain, decodeName, formatDistinguishedName, formatGeneralName } from '../pki/names';
import { oidName } from '../pki/oids';
import { looksLikePem, toPem } from '../pki/pem';
import type { Db } from '../store/database';
import { type CertificateRow, type CsrRow, PkiStore } from '../store/pkiStore';
import { ExpiringLru } from './forgeCache';
import { LeafTemplate } from './leafTemplate';
import { KeyVault, spkiSha256 } from './keyVault';

type WorkshopEvent = 'pki.changed' | 'pki.job';
export type WorkshopEmit = <E extends WorkshopEvent>(event: E, data: ApiEvents[E]) => void;

/** What the proxy presents for a host, and what a server presents for `--identity lab:NAME`. */
export interface ServerIdentity {
  certificatePem: string;
  keyPem: string;
  /** The CAs above the certificate, nearest first. */
  chainPem: string[];
}

export interface ForgedIdentity extends ServerIdentity {
  certificateDer: Uint8Array;
  chainDer: Uint8Array[];
  privateKey: KeyObject;
  /** Epoch ms. */
  notAfter: number;
  caId: number;
}

/** An issued certificate with its key, for the caller to write out before it is stored. */
export interface IssuedWithKey extends PkiIssued {
  privateKey: KeyObject;
}

export interface CreatedCsrWithKey extends PkiCsrSummary {
  privateKey: KeyObject;
}

/** Runs with the result before it is stored; if it throws, nothing is stored. */
export type Deliver<T> = (result: T) => void;

const FORGE_CACHE_SIZE = 1024;

export class CertificateWorkshop {
  readonly store: PkiStore;
  readonly vault: KeyVault;
  private readonly authorities = new Map<number, CertificateAuthority>();
  private readonly forged = new ExpiringLru<ForgedIdentity>(FORGE_CACHE_SIZE);
  private readonly leafKeys = new Map<string, Promise<{ key: KeyObject; pem: string; spki: string }>>();
  private readonly leafTemplates = new Map<string, Promise<LeafTemplate>>();
  private jobs = 0;

  constructor(
    db: Db,
    private readonly emit: WorkshopEmit = () => undefined,
  ) {
    this.store = new PkiStore(db);
    this.vault = new KeyVault(this.store);
  }

  /**
   * The private key the workshop holds for this certificate, if any and if it can be opened now
   * (undefined when the keys are locked): "whoever holds this key can read the recorded session".
   */
  privateKeyForCertificate(der: Uint8Array): KeyObject | undefined {
    const row = this.store.certificateByFingerprint(sha256Hex(der));
    if (!row || row.key_id === null) return undefined;
    try {
      return this.vault.openKey(row.key_id);
    } catch {
      return undefined;
    }
  }

  /** Tells every window that the workshop's contents changed (for changes made outside this class). */
  announceChange(reason: string, ids: number[]): void {
    this.emit('pki.changed', { reason, ids });
  }

  // --- the workbench passphrase -------------------------------------------------------------

  keyProtection(): PkiKeyProtection {
    return this.vault.protection();
  }

  async setPassphrase(passphrase: string, current?: string): Promise<PkiKeyProtection> {
    await this.vault.setPassphrase(passphrase, current);
    this.emit('pki.changed', { reason: 'passphrase', ids: [] });
    return this.keyProtection();
  }

  async unlock(passphrase: string): Promise<PkiKeyProtection> {
    await this.vault.unlock(passphrase);
    this.emit('pki.changed', { reason: 'unlocked', ids: [] });
    return this.keyProtection();
  }

  lock(): PkiKeyProtection {
    this.vault.lock();
    this.authorities.clear();
    this.forged.clear();
    this.leafTemplates.clear();
    this.emit('pki.changed', { reason: 'locked', ids: [] });
    return this.keyProtection();
  }

  // --- listing ------------------------------------------------------------------------------

  list(): PkiTree {
    const rows = this.store.allCertificates();
    const nodes = new Map<number, PkiCaNode>();
    for (const row of rows) if (row.is_ca) nodes.set(row.id, { ...this.summary(row), children: [], issued: [] });
    const cas: PkiCaNode[] = [];
    const others: PkiCertificateSummary[] = [];
    for (const row of rows) {
      const parent = row.issuer_id !== null ? nodes.get(row.issuer_id) : undefined;
      const node = nodes.get(row.id);
      if (node) {
        if (parent && parent.id !== row.id) parent.children.push(node);
        else cas.push(node);
      } else if (parent) parent.issued.push(this.summary(row));
      else others.push(this.summary(row));
    }
    return { cas, others, csrs: this.store.allCsrs().map((row) => this.csrSummary(row)), keyProtection: this.keyProtection() };
  }

  summary(row: CertificateRow): PkiCertificateSummary {
    const info = describeCertificate(row.der);
    const keySummary = describeAnyKey(new X509Certificate(row.der).publicKey).summary;
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      subject: row.subject,
      issuer: row.issuer,
      issuerId: row.issuer_id,
      serialNumber: info.serialNumber,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      expired: row.not_after < Date.now(),
      isCa: row.is_ca === 1,
      pathLength: row.path_length ?? undefined,
      selfSigned: info.selfIssued,
      subjectAltNames: info.subjectAltNames,
      keySummary,
      hasPrivateKey: row.key_id !== null,
      fingerprintSha256: row.fingerprint_sha256,
      createdAt: row.created_at,
      cautions: this.cautionsOf(row),
      extendedKeyUsage: safeExtendedKeyUsage(row.der),
    };
  }

  /** What clients will refuse in a stored certificate: its own contents, and a CA above it that expires first. */
  cautionsOf(row: CertificateRow): string[] {
    const cautions = safeCautions(row.der, cautionRole(row.kind));
    const outlives = outlivesChainCaution(
      new Date(row.not_after),
      this.chainRows(row).map((ca) => ({ name: ca.name, notAfter: new Date(ca.not_after) })),
    );
    return outlives ? [...cautions, outlives] : cautions;
  }

  csrSummary(row: CsrRow): PkiCsrSummary {
    const info = parseCsr(row.der);
    return {
      id: row.id,
      name: row.name,
      subject: row.subject,
      subjectAltNames: info.subjectAltNames.map(formatGeneralName),
      keySummary: info.key.summary,
      hasPrivateKey: row.key_id !== null,
      signatureValid: info.signatureValid,
      createdAt: row.created_at,
      pem: info.pem,
    };
  }

  /** A certificate or CA by workbench name or id. */
  certificate(ref: string | number): CertificateRow {
    let row = typeof ref === 'number' ? this.store.certificate(ref) : this.store.certificateByName(ref);
    // "lab:NAME" is how trust-store flags name a workbench CA; flags that take a name accept it too.
    if (!row && typeof ref === 'string' && ref.startsWith('lab:')) row = this.store.certificateByName(ref.slice(4));
    if (!row) {
      const names = this.store.allCertificates().map((r) => r.name);
      throw new WorkbenchError(
        'PKI_NOT_FOUND',
        `there is no certificate or CA ${typeof ref === 'number' ? `with id ${ref}` : `named "${ref}"`} in the workbench` +
          (names.length ? `; it has: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''}` : '; the workshop is empty: make a CA (tlslab ca create NAME), then issue certificates with it (tlslab cert issue --ca NAME --cn HOST)'),
      );
    }
    return row;
  }

  ca(ref: string | number): CertificateRow {
    const row = this.certificate(ref);
    if (!row.is_ca) {
      throw new WorkbenchError('NOT_A_CA', `"${row.name}" is a ${row.kind} certificate, not a CA: choose a CA (tlslab ca list shows them)`);
    }
    return row;
  }

  csr(ref: string | number): CsrRow {
    const row = typeof ref === 'number' ? this.store.csr(ref) : this.store.csrByName(ref);
    if (!row) throw new WorkbenchError('PKI_NOT_FOUND', `there is no CSR ${typeof ref === 'number' ? `with id ${ref}` : `named "${ref}"`} in the workbench`);
    return row;
  }

  /** DER of the CAs above the certificate in the workbench, nearest first. */
  chainDer(row: CertificateRow): Uint8Array[] {
    return this.chainRows(row).map((issuer) => new Uint8Array(issuer.der));
  }

  /** The CAs above the certificate, nearest first, as the workbench holds them (names included). */
  chainRows(row: CertificateRow): CertificateRow[] {
    const chain: CertificateRow[] = [];
    const seen = new Set([row.id]);
    let issuerId = row.issuer_id;
    while (issuerId !== null && !seen.has(issuerId)) {
      const issuer = this.store.certificate(issuerId);
      if (!issuer) break;
      chain.push(issuer);
      seen.add(issuer.id);
      issuerId = issuer.issuer_id;
    }
    return chain;
  }

  privateKeyOf(row: CertificateRow): KeyObject {
    if (row.key_id === null) {
      throw new WorkbenchError(
        'NO_PRIVATE_KEY',
        `the workbench has no private key for "${row.name}" (only its certificate is here): import the key that belongs to it, ` +
          'a key file or a PKCS#12 file that holds it (tlslab import FILE, or Import in the Certificates view)',
      );
    }
    return this.vault.openKey(row.key_id);
  }

  /** The CA ready to sign (its key opened), cached while unlocked so signing stays fast. */
  authority(ref: string | number): CertificateAuthority & { id: number; name: string } {
    const row = this.ca(ref);
    let authority = this.authorities.get(row.id);
    if (!authority) {
      authority = { certificate: new Uint8Array(row.der), privateKey: this.privateKeyOf(row), chain: this.chainDer(row) };
      this.authorities.set(row.id, authority);
    }
    return Object.assign(authority, { id: row.id, name: row.name });
  }

  // --- making -------------------------------------------------------------------------------

  async createCa(request: PkiCaCreateRequest, deliver?: Deliver<IssuedWithKey>): Promise<IssuedWithKey> {
    const name = this.newName(request.name, undefined);
    const spec = parseKeySpec(request.key ?? 'rsa:2048');
    const parent = request.parent !== undefined ? this.authority(request.parent) : undefined;
    const key = await this.generateKey(spec, `CA "${name}"`);
    const options = {
      subject: request.subject,
      key,
      days: request.days,
      pathLength: request.pathLength,
      nameConstraints: request.nameConstraints,
    };
    const made = parent ? await createIntermediateCa(parent, options) : await createRootCa(options);
    return this.keep(
      {
        name,
        kind: 'ca',
        der: made.certificate,
        key: made.privateKey,
        issuerId: parent?.id ?? null,
        ca: { pathLength: request.pathLength ?? null, nameConstraintsJson: request.nameConstraints ? JSON.stringify(request.nameConstraints) : null },
        reason: 'ca.created',
      },
      deliver,
    );
  }

  async issue(request: PkiIssueRequest, deliver?: Deliver<IssuedWithKey>): Promise<IssuedWithKey> {
    const ca = this.authority(request.ca);
    const spec = parseKeySpec(request.key ?? 'rsa:2048');
    const profile = request.profile ?? 'server';
    const key = await this.generateKey(spec, `${profile} certificate`);
    const issued = await issueCertificate(ca, {
      subject: request.subject,
      subjectAltNames: request.subjectAltNames,
      profile,
      keyUsage: request.keyUsage,
      extendedKeyUsage: request.extendedKeyUsage,
      days: request.days,
      notBefore: request.notBefore === undefined ? undefined : new Date(request.notBefore),
      key,
    });
    const name = this.newName(request.name, issued.certificate);
    return this.keep({ name, kind: profile, der: issued.certificate, key, issuerId: ca.id, reason: 'certificate.issued' }, deliver);
  }

  async createCsr(request: PkiCsrCreateRequest, deliver?: Deliver<CreatedCsrWithKey>): Promise<CreatedCsrWithKey> {
    const spec = parseKeySpec(request.key ?? 'rsa:2048');
    const key = await this.generateKey(spec, 'certificate signing request');
    const made = await createCsr({ subject: request.subject, subjectAltNames: request.subjectAltNames, key });
    const info = parseCsr(made.csr);
    const name = this.newCsrName(request.name, info.subjectString);
    let result: CreatedCsrWithKey | undefined;
    this.store.transaction(() => {
      const keyId = this.vault.storeKey(key);
      const id = this.store.insertCsr(name, made.csr, formatDistinguishedName(info.subject), keyId);
      result = { ...this.csrSummary(this.store.csr(id)!), privateKey: key };
      deliver?.(result);
    });
    this.emit('pki.changed', { reason: 'csr.created', ids: [result!.id] });
    return result!;
  }

  /** Stores a CSR made elsewhere (PEM or DER). */
  importCsr(der: Uint8Array, name?: string, key?: KeyObject): PkiCsrSummary {
    const info = parseCsr(der);
    const keyId = key ? this.vault.storeKey(key) : null;
    const id = this.store.insertCsr(this.newCsrName(name, info.subjectString), info.der, formatDistinguishedName(info.subject), keyId);
    this.emit('pki.changed', { reason: 'csr.imported', ids: [id] });
    return this.csrSummary(this.store.csr(id)!);
  }

  async signCsr(request: PkiCsrSignRequest, deliver?: Deliver<PkiCsrSigned>): Promise<PkiCsrSigned> {
    const ca = this.authority(request.ca);
    let der: Uint8Array;
    let keyId: number | null = null;
    if (request.csrId !== undefined) {
      const row = this.csr(request.csrId);
      der = new Uint8Array(row.der);
      keyId = row.key_id;
    } else if (request.csr !== undefined) {
      der = bytesFromText(request.csr, 'certificate signing request');
    } else {
      throw new WorkbenchError('BAD_INPUT', 'give the CSR to sign: a workbench CSR id or the request as PEM');
    }
    const signed = await signCsr(ca, der, { copyExtensions: request.copyExtensions ?? false, profile: request.profile, days: request.days });
    const name = this.newName(request.name, signed.certificate);
    const kind: PkiCertificateKind = request.profile ?? 'server';
    let result: PkiCsrSigned | undefined;
    const ids: number[] = [];
    this.store.transaction(() => {
      const id = this.insertCertificate(name, kind, signed.certificate, ca.id, keyId);
      ids.push(id);
      result = {
        certificate: this.summary(this.store.certificate(id)!),
        certificatePem: signed.pem,
        chainPem: signed.chain.map(certificatePem),
        cautions: this.cautionsOf(this.store.certificate(id)!),
        copiedExtensions: signed.copiedExtensions,
        ignoredExtensions: signed.ignoredExtensions,
        extensionNames: Object.fromEntries(
          [...signed.copiedExtensions, ...signed.ignoredExtensions.map((e) => e.oid)].flatMap((oid) => {
            const name = oidName(oid);
            return name ? [[oid, name]] : [];
          }),
        ),
      };
      deliver?.(result);
    });
    this.emit('pki.changed', { reason: 'csr.signed', ids });
    return result!;
  }

  // --- looking ------------------------------------------------------------------------------

  inspect(request: PkiInspectRequest): PkiInspection {
    let inspection: Inspection;
    if ('certificateId' in request) {
      // A stored certificate is judged as the list judges it: with its kind and the CAs above it.
      const row = this.certificate(request.certificateId);
      inspection = { ...inspect(new Uint8Array(row.der)), cautions: this.cautionsOf(row) };
    }
    else if ('csrId' in request) inspection = inspect(new Uint8Array(this.csr(request.csrId).der));
    // What `tlslab cert show` opens, pasted: a TRUSTED CERTIFICATE's certificate, a PKCS#7 bundle's first one.
    else inspection = inspect(certificateToShow(looksLikePem(request.text) ? new TextEncoder().encode(request.text) : bytesFromText(request.text, 'certificate or CSR')));
    return toApiInspection(inspection);
  }

  // --- identities for servers and the proxy -------------------------------------------------

  /** The certificate (or CA) named, its key and its chain, as a TLS server presents them. */
  async serverIdentity(name: string): Promise<ServerIdentity> {
    const row = this.certificate(name);
    const key = this.privateKeyOf(row);
    return {
      certificatePem: certificatePem(row.der),
      keyPem: exportPrivateKeyPem(key),
      chainPem: this.chainDer(row).map(certificatePem),
    };
  }

  /**
   * PEM of the CA to trust for `lab:NAME`, followed by the CAs above it: OpenSSL only accepts
   * a chain that ends at a self-signed root, so trusting an intermediate brings its root along.
   */
  trustAnchorsPem(caName: string): string[] {
    const row = this.ca(caName);
    return [certificatePem(row.der), ...this.chainDer(row).map(certificatePem)];
  }

  /**
   * A server certificate for the host signed by the CA, optionally looking like the template.
   * The leaf key is made once per CA key type and reused; results are cached until near expiry.
   */
  async forgeForHost(caName: string, hostname: string, template?: string | Uint8Array): Promise<ForgedIdentity> {
    const ca = this.authority(caName);
    const host = asciiDomain(hostname.trim().toLowerCase().replace(/\.$/, ''));
    if (!host) throw new WorkbenchError('BAD_INPUT', 'give the host name to forge a certificate for, like www.bank32.com');
    // DER from a live TLS peer is parsed once, by the forge, on a cache miss (not again on every hit).
    const templateDer = template === undefined ? undefined : template instanceof Uint8Array && !looksLikePem(template) ? template : readCertificate(template);
    const cacheKey = `${ca.id}|${host}|${templateDer ? createHash('sha256').update(templateDer).digest('hex') : ''}`;
    const hit = this.forged.get(cacheKey);
    if (hit) return hit;
    const leaf = await this.leafKey(leafKeySpecFor(ca.privateKey));
    const made = (await this.leafTemplate(ca, leaf)).forge(host, templateDer);
    const chain = [ca.certificate, ...ca.chain];
    const identity: ForgedIdentity = {
      certificatePem: certificatePem(made.certificate),
      keyPem: leaf.pem,
      chainPem: chain.map(certificatePem),
      certificateDer: made.certificate,
      chainDer: chain,
      privateKey: leaf.key,
      notAfter: made.notAfter.getTime(),
      caId: ca.id,
    };
    this.forged.set(cacheKey, identity);
    return identity;
  }

  /** "Forge for host" from the UI: forge, and keep the certificate as kind 'forged' unless asked not to. */
  async forge(request: PkiForgeRequest): Promise<PkiForgeResult> {
    const before = this.forged.size;
    const identity = await this.forgeForHost(request.ca, request.hostname, request.templatePem);
    const cached = this.forged.size === before;
    let certificate: PkiCertificateSummary | undefined;
    if (request.store !== false) {
      const fingerprint = sha256Hex(identity.certificateDer);
      const existing = this.store.certificateByFingerprint(fingerprint);
      const row =
        existing ??
        this.store.transaction(() => {
          const keyId = this.vault.storeKey(identity.privateKey);
          const id = this.insertCertificate(this.newName(`forged ${request.hostname}`, undefined, true), 'forged', identity.certificateDer, identity.caId, keyId);
          return this.store.certificate(id)!;
        });
      certificate = this.summary(row);
      if (!existing) this.emit('pki.changed', { reason: 'forged', ids: [row.id] });
    }
    return { certificatePem: identity.certificatePem, chainPem: identity.chainPem, certificate, cached };
  }

  // --- deleting -----------------------------------------------------------------------------

  delete(request: PkiDeleteRequest): PkiTree {
    const ids: number[] = [];
    this.store.transaction(() => {
      if (request.id !== undefined) {
        const row = this.certificate(request.id);
        ids.push(row.id);
        this.store.deleteCertificate(row.id);
      }
      if (request.csrId !== undefined) {
        const row = this.csr(request.csrId);
        ids.push(row.id);
        this.store.deleteCsr(row.id);
      }
      if (ids.length === 0) throw new WorkbenchError('BAD_INPUT', 'give the id of the certificate, CA or CSR to delete');
      this.store.deleteOrphanKeys();
    });
    // A deleted CA takes its sub-CAs and forgeries with it: forget every cached signer.
    this.authorities.clear();
    this.forged.clear();
    this.leafTemplates.clear();
    this.emit('pki.changed', { reason: 'deleted', ids });
    return this.list();
  }

  // --- storing ------------------------------------------------------------------------------

  /** Stores a certificate that arrived from elsewhere, linked to its workbench issuer when there is one. */
  insertImported(der: Uint8Array, name: string | undefined, keyId: number | null): number {
    const issuerId = this.findIssuerId(der);
    const ca = readBasicConstraints(parseCertificateDer(der))?.ca === true;
    const id = this.insertCertificate(this.newName(name, der), ca ? 'ca' : 'imported', der, issuerId, keyId);
    if (ca) this.adoptIssued(id, der);
    return id;
  }

  /**
   * A CA that arrives after what it issued (the server certificate imported first, its CA later)
   * takes those certificates under it: each one without a workbench issuer whose issuer name is
   * this CA's subject and whose signature its key verifies. Never one of its own issuers.
   */
  private adoptIssued(caId: number, caDer: Uint8Array): void {
    const caCert = new X509Certificate(caDer);
    const subject = formatDistinguishedName(decodeName(parseCertificateDer(caDer).subject));
    const ancestors = new Set<number>([caId]);
    for (let row = this.store.certificate(caId); row?.issuer_id != null && !ancestors.has(row.issuer_id); row = this.store.certificate(row.issuer_id)) {
      ancestors.add(row.issuer_id);
    }
    for (const row of this.store.allCertificates()) {
      if (row.issuer_id !== null || ancestors.has(row.id) || row.issuer !== subject) continue;
      const cert = new X509Certificate(row.der);
      if (cert.checkIssued(caCert) && cert.verify(caCert.publicKey)) this.store.setCertificateIssuer(row.id, caId);
    }
  }

  insertCertificate(
    name: string,
    kind: PkiCertificateKind,
    der: Uint8Array,
    issuerId: number | null,
    keyId: number | null,
    nameConstraintsJson: string | null = null,
  ): number {
    const parts = parseCertificateDer(der);
    const fingerprint = sha256Hex(der);
    const existing = this.store.certificateByFingerprint(fingerprint);
    if (existing) {
      throw new WorkbenchError('DUPLICATE', `this certificate is already in the workbench as "${existing.name}"`);
    }
    const constraints = readBasicConstraints(parts);
    return this.store.insertCertificate({
      name,
      kind,
      der,
      fingerprintSha256: fingerprint,
      subject: formatDistinguishedName(decodeName(parts.subject)),
      issuer: formatDistinguishedName(decodeName(parts.issuer)),
      issuerId,
      keyId,
      notBefore: parts.notBefore.getTime(),
      notAfter: parts.notAfter.getTime(),
      ca: constraints?.ca ? { pathLength: constraints.pathLength ?? null, nameConstraintsJson } : undefined,
    });
  }

  /**
   * The workbench root CA a client must trust for this certificate: its top issuer in the workbench
   * (the certificate itself when it is a root CA). `of` is a workbench name, or the DER of a
   * certificate from a file, whose issuer is looked for by signature. Null when none is here.
   */
  rootCaName(of: string | Uint8Array): string | null {
    let row: CertificateRow | undefined;
    if (typeof of === 'string') {
      row = this.certificate(of);
    } else {
      const issuerId = this.findIssuerId(of);
      row = issuerId === null ? undefined : this.store.certificate(issuerId);
    }
    const seen = new Set<number>();
    while (row && row.issuer_id !== null && !seen.has(row.id)) {
      seen.add(row.id);
      const issuer = this.store.certificate(row.issuer_id);
      if (!issuer) break;
      row = issuer;
    }
    return row && row.is_ca ? row.name : null;
  }

  /** The workbench CA that signed this certificate (by name and signature), if any. */
  findIssuerId(der: Uint8Array): number | null {
    const cert = new X509Certificate(der);
    const parts = parseCertificateDer(der);
    const issuer = formatDistinguishedName(decodeName(parts.issuer));
    for (const candidate of this.store.casBySubject(issuer)) {
      if (Buffer.from(candidate.der).equals(Buffer.from(der))) continue;
      const caCert = new X509Certificate(candidate.der);
      if (cert.checkIssued(caCert) && cert.verify(caCert.publicKey)) return candidate.id;
    }
    return null;
  }

  /** SHA-256 of the CSR's public key, as keys are stored by. */
  csrPublicKeySha256(id: number): string {
    return createHash('sha256').update(parseCsr(this.csr(id).der).publicKeyDer).digest('hex');
  }

  /** The id of a stored certificate with no key whose public key is this one, for matching imported keys. */
  certificatesForKey(key: KeyObject): CertificateRow[] {
    return this.store.allCertificates().filter((row) => row.key_id === null && keyMatchesCertificate(key, row.der));
  }

  private keep(
    made: {
      name: string;
      kind: PkiCertificateKind;
      der: Uint8Array;
      key: KeyObject;
      issuerId: number | null;
      ca?: { pathLength: number | null; nameConstraintsJson: string | null };
      reason: string;
    },
    deliver?: Deliver<IssuedWithKey>,
  ): IssuedWithKey {
    let result: IssuedWithKey | undefined;
    this.store.transaction(() => {
      const keyId = this.vault.storeKey(made.key);
      const id = this.insertCertificate(made.name, made.kind, made.der, made.issuerId, keyId, made.ca?.nameConstraintsJson ?? null);
      const row = this.store.certificate(id)!;
      result = {
        certificate: this.summary(row),
        certificatePem: certificatePem(made.der),
        chainPem: this.chainDer(row).map(certificatePem),
        cautions: this.cautionsOf(row),
        privateKey: made.key,
      };
      deliver?.(result);
    });
    this.emit('pki.changed', { reason: made.reason, ids: [result!.certificate.id] });
    return result!;
  }

  /** A unique name: the one asked for (refused when taken), else the CN, numbered when taken. */
  newName(asked: string | undefined, der: Uint8Array | undefined, numbered = false): string {
    if (asked !== undefined && !numbered) {
      const name = asked.trim();
      if (!name) throw new WorkbenchError('BAD_INPUT', 'give a name (the workbench lists certificates by name)');
      if (name.length > 200) throw new WorkbenchError('BAD_INPUT', 'the name is too long: keep it under 200 characters');
      if (this.store.nameTaken(name)) {
        throw new WorkbenchError('NAME_TAKEN', `the name "${name}" is already used in the workbench; choose another, or delete the old one first`);
      }
      return name;
    }
    let base = asked?.trim() || '';
    if (!base && der) {
      const info = describeCertificate(der);
      base = info.subjectAttributes.find((a) => a.type === 'CN')?.value ?? info.subjectAltNames[0]?.replace(/^\w+:/, '') ?? '';
    }
    if (!base) base = 'certificate';
    return this.unique(base);
  }

  private newCsrName(asked: string | undefined, subject: string): string {
    if (asked !== undefined) return this.newName(asked, undefined);
    const cn = /CN=([^/]+)/.exec(subject)?.[1];
    return this.unique(`csr ${cn ?? subject}`);
  }

  private unique(base: string): string {
    if (!this.store.nameTaken(base)) return base;
    for (let n = 2; ; n++) if (!this.store.nameTaken(`${base} (${n})`)) return `${base} (${n})`;
  }

  /** Key generation runs in Node's thread pool; RSA jobs are announced so the UI can show progress. */
  private async generateKey(spec: KeySpec, purpose: string): Promise<KeyObject> {
    if (this.vault.passphraseSet && this.vault.protection().status === 'locked') {
      // Storing the key would fail after the slow part: refuse now.
      throw new WorkbenchError('KEYS_LOCKED', `cannot keep a new key: ${this.vault.protection().message}`);
    }
    if (spec.kind !== 'rsa') return (await generateKeyPair(spec)).privateKey;
    const id = ++this.jobs;
    const startedAt = Date.now();
    const label = `Generating an ${formatKeySpec(spec).replace('rsa:', 'RSA ')} key for the ${purpose}`;
    this.emit('pki.job', { id, label, state: 'started', startedAt });
    try {
      const pair = await generateKeyPair(spec);
      this.emit('pki.job', { id, label, state: 'finished', startedAt, endedAt: Date.now() });
      return pair.privateKey;
    } catch (error) {
      this.emit('pki.job', { id, label, state: 'failed', startedAt, endedAt: Date.now(), error: (error as Error).message });
      throw error;
    }
  }

  private leafTemplate(ca: CertificateAuthority & { id: number }, leaf: { key: KeyObject; spki: string }): Promise<LeafTemplate> {
    const key = `${ca.id}|${leaf.spki}`;
    let pending = this.leafTemplates.get(key);
    if (!pending) {
      pending = LeafTemplate.create(ca, leaf.key);
      this.leafTemplates.set(key, pending);
      pending.catch(() => this.leafTemplates.delete(key));
    }
    return pending;
  }

  private leafKey(spec: KeySpec): Promise<{ key: KeyObject; pem: string; spki: string }> {
    const name = formatKeySpec(spec);
    let pending = this.leafKeys.get(name);
    if (!pending) {
      pending = this.generateKey(spec, 'forged certificates').then((key) => ({ key, pem: exportPrivateKeyPem(key), spki: spkiSha256(key) }));
      this.leafKeys.set(name, pending);
      pending.catch(() => this.leafKeys.delete(name));
    }
    return pending;
  }
}

function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Refuses bytes that are neither PEM nor DER before a decoder reports them as damaged DER:
 * DER always starts with a SEQUENCE (0x30); text without a BEGIN line is not PEM.
 */
export function requirePemOrDer(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length === 0) throw new PkiError('NOT_PEM', `The ${what} file is empty: there is nothing to read. Check that you chose the right file.`);
  if (looksLikePem(bytes) || bytes[0] === 0x30) return bytes;
  const printable = bytes.subarray(0, 512).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  throw new PkiError(
    'NOT_PEM',
    printable
      ? `This is not a ${what}: it is text without a "-----BEGIN ...-----" line, so it is not PEM. Choose the PEM (.pem, .crt) or DER (.der, .cer) file.`
      : `This is not a ${what}: it is neither PEM text nor DER (which starts with the byte 0x30). Choose the PEM or DER file.`,
  );
}

/** PEM text, or base64 of DER pasted as text. */
export function bytesFromText(text: string, what: string): Uint8Array {
  if (looksLikePem(text)) return new Uint8Array(Buffer.from(text, 'utf8'));
  const compact = text.replace(/\s+/g, '');
  if (compact && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return new Uint8Array(Buffer.from(compact, 'base64'));
  throw new PkiError('NOT_PEM', `This is not a ${what}: it is neither PEM ("-----BEGIN ...-----") nor base64 DER. Paste the whole PEM block.`);
}

/** The cautions for a list: a certificate the checks cannot read is shown without them, never lost from the list. */
function safeCautions(der: Uint8Array, role: CautionRole | undefined): string[] {
  try {
    return cautionsForCertificate(new Uint8Array(der), role);
  } catch {
    return [];
  }
}

/** A stored certificate's purposes; null (any use) when its extension cannot be read, as for a certificate without one. */
function safeExtendedKeyUsage(der: Uint8Array): PkiCertificateSummary['extendedKeyUsage'] {
  try {
    return extendedKeyUsageOf(new Uint8Array(der));
  } catch {
    return null;
  }
}

/** What a certificate of this kind is meant to be, for the cautions; imported and forged ones speak for themselves. */
function cautionRole(kind: PkiCertificateKind): CautionRole | undefined {
  return kind === 'ca' || kind === 'server' || kind === 'client' ? kind : undefined;
}

export function toApiInspection(inspection: Inspection): PkiInspection {
  const { der, ...rest } = inspection;
  return { ...rest, derBase64: Buffer.from(der).toString('base64') };
}

export { toPem, spkiSha256 };

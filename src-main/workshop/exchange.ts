// What crosses the workshop's edge: files brought in (PEM, DER, PKCS#12, keys, CSRs), files
// and folders given out (PEM, DER, PKCS#12, keys, trust folders), and verification against a
// trust store of any kind.
import { type KeyObject, X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  PkiAlreadyStored,
  PkiCertificateSummary,
  PkiCsrSummary,
  PkiExportRequest,
  PkiExportResult,
  PkiImportResult,
  PkiTrustSpec,
  PkiVerifyRequest,
  PkiVerifyResult,
} from '../api/pkiTypes';
import { WorkbenchError } from '../errors';
import { looksLikeBundle } from '../export/bundle';
import { certificatePem, readCertificate } from '../pki/certificates';
import { type ImportedItems, exportPkcs12, importPkiData } from '../pki/formats';
import { isPkiError } from '../pki/errors';
import { exportPrivateKeyPem, keyMatchesCertificate } from '../pki/keys';
import { loadTrustStore, pemCertificates } from '../sessions/trustStore';
import { planTrustFolder } from '../pki/trustFolder';
import { verifyCertificate } from '../pki/verify';
import { spkiSha256 } from './keyVault';
import { ensureFolder, writeFilesAtomically } from './files';
import { bytesFromText, type CertificateWorkshop } from './workshop';

export interface ImportInput {
  bytes: Uint8Array;
  fileName?: string;
  passphrase?: string;
  /** Passphrases to try in turn when one does not open the file (a passphrase file's line with and without its "\r"). */
  passphrases?: string[];
  name?: string;
}

/**
 * Stores every certificate, CSR and key of the file: keys go with the certificates (or CSRs) of
 * the same file or already in the workbench that they match; a key that matches nothing is not
 * kept, and a certificate already present is reported, not added twice. All or nothing.
 */
export function importInto(workshop: CertificateWorkshop, input: ImportInput): PkiImportResult {
  return importAllInto(workshop, [input])[0];
}

/**
 * Several files brought in together (`tlslab import server.key server.crt`): every file is read
 * first, then all are stored in one transaction, and a key whose certificate comes in a later
 * file goes with it, whatever the order of the files. All or nothing.
 */
export function importAllInto(workshop: CertificateWorkshop, inputs: ImportInput[]): PkiImportResult[] {
  const parsed = inputs.map(readImport);
  const stored: StoredFile[] = [];
  workshop.store.transaction(() => {
    parsed.forEach((items, index) => stored.push(storeItems(workshop, items, inputs[index].name)));
    // Keys that matched nothing when their file was stored: their certificate may have come later.
    for (const file of stored) {
      file.leftover = file.leftover.filter((key) => {
        if (!attachKey(workshop, key)) return true;
        file.result.keysMatched++;
        file.result.keysUnmatched--;
        return false;
      });
    }
  });
  const ids = stored.flatMap((file) => file.ids);
  for (const file of stored) {
    for (const id of file.ids) file.result.certificates.push(workshop.summary(workshop.store.certificate(id)!));
  }
  if (stored.some((file) => file.ids.length > 0 || file.result.keysMatched > 0)) workshop.announceChange('imported', ids);
  return stored.map((file) => file.result);
}

/** Key log lines (SSLKEYLOGFILE) at the start of a line. */
const KEYLOG_LINE = /^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET|CLIENT_EARLY_TRAFFIC_SECRET|EARLY_EXPORTER_SECRET) [0-9a-fA-F]+ [0-9a-fA-F]+/m;

/**
 * The other files of a hand-out, picked here by mistake: a session bundle or a key log is not a
 * certificate, and the message says where it goes instead.
 */
function otherHandoutFile(input: ImportInput): WorkbenchError | null {
  const name = input.fileName ? `"${input.fileName}"` : 'this file';
  if (looksLikeBundle(input.bytes)) {
    return new WorkbenchError(
      'NOT_A_CERTIFICATE',
      `${name} is a TLS Lab session bundle (a recorded session), not a certificate or key: import it as a session ` +
        `(tlslab sessions import ${input.fileName ?? 'FILE'}, or Import on the Sessions page)`,
    );
  }
  const head = Buffer.from(input.bytes.subarray(0, 4096)).toString('latin1');
  if (!head.includes('-----BEGIN ') && KEYLOG_LINE.test(head)) {
    return new WorkbenchError(
      'NOT_A_CERTIFICATE',
      `${name} is a TLS key log (SSLKEYLOGFILE), not a certificate or key: give it with the capture it decrypts ` +
        `(tlslab sessions import CAPTURE --keylog ${input.fileName ?? 'FILE'})`,
    );
  }
  return null;
}

function readImport(input: ImportInput): ImportedItems {
  const other = otherHandoutFile(input);
  if (other) throw other;
  const candidates = input.passphrases && input.passphrases.length > 0 ? input.passphrases : [input.passphrase];
  for (let i = 0; ; i++) {
    try {
      return importPkiData(input.bytes, { passphrase: candidates[i], fileName: input.fileName });
    } catch (error) {
      if (i + 1 < candidates.length && isPkiError(error) && error.code === 'WRONG_PASSPHRASE') continue;
      throw error;
    }
  }
}

interface StoredFile {
  result: PkiImportResult;
  ids: number[];
  /** Keys of the file that matched nothing yet. */
  leftover: KeyObject[];
}

/** One file's items into the store; runs inside the caller's transaction. */
function storeItems(workshop: CertificateWorkshop, items: ImportedItems, firstName: string | undefined): StoredFile {
  const csrs: PkiCsrSummary[] = [];
  const duplicates: string[] = [];
  const alreadyStored: PkiAlreadyStored[] = [];
  const usedKeys = new Set<number>();
  const ids: number[] = [];
  // The name given goes to the certificate the file is about: the one with its key (a PKCS#12's
  // own certificate, not the CAs of its chain), else the first in the file.
  const named = items.pairs[0]?.certificateIndex ?? 0;
  // CAs first, so that the certificates they issued in the same file link to them.
  const order = items.certificates
    .map((certificate, index) => ({ certificate, index }))
    .sort((a, b) => Number(isSelfIssued(b.certificate.der)) - Number(isSelfIssued(a.certificate.der)));
  for (const { certificate, index } of order) {
    const pair = items.pairs.find((p) => p.certificateIndex === index);
    const key = pair ? items.privateKeys[pair.keyIndex] : undefined;
    if (pair) usedKeys.add(pair.keyIndex);
    const asked = index === named && firstName ? firstName : certificate.friendlyName;
    const existing = workshop.store.certificateByFingerprint(fingerprint(certificate.der));
    if (existing) {
      // The same certificate twice in one file: stored once, and nothing to report.
      if (ids.includes(existing.id)) continue;
      const keyAdded = !!key && existing.key_id === null;
      if (keyAdded) workshop.store.setCertificateKey(existing.id, workshop.vault.storeKey(key!));
      duplicates.push(existing.name);
      alreadyStored.push(alreadyStoredEntry(existing, asked, keyAdded));
      continue;
    }
    const keyId = key ? workshop.vault.storeKey(key) : null;
    const name = index === named && firstName ? firstName : certificate.friendlyName ? uniqueFriendly(workshop, certificate.friendlyName) : undefined;
    const id = workshop.insertImported(certificate.der, name, keyId);
    ids.push(id);
  }
  for (const der of items.csrs) {
    const csr = workshop.importCsr(der, undefined, undefined);
    csrs.push(csr);
  }
  // Keys without a certificate in the file: match them to stored certificates and CSRs.
  items.privateKeys.forEach((key, index) => {
    if (usedKeys.has(index)) return;
    if (attachKey(workshop, key)) usedKeys.add(index);
  });
  const leftover = items.privateKeys.filter((_, index) => !usedKeys.has(index));
  return {
    result: {
      description: items.description,
      certificates: [],
      csrs,
      keysMatched: usedKeys.size,
      keysUnmatched: leftover.length,
      duplicates,
      alreadyStored,
    },
    ids,
    leftover,
  };
}

/** Stores the key with the certificates and CSRs it belongs to; true when it belongs to one (a key the workbench already holds included). */
function attachKey(workshop: CertificateWorkshop, key: KeyObject): boolean {
  const rows = workshop.certificatesForKey(key);
  const spki = spkiSha256(key);
  const csrRows = workshop.store.allCsrs().filter((row) => row.key_id === null && workshop.csrPublicKeySha256(row.id) === spki);
  if (rows.length === 0 && csrRows.length === 0) {
    // Already kept with its certificate or CSR: nothing to store, and nothing lost.
    return workshop.store.allCertificates().some((row) => row.key_id !== null && keyMatchesCertificate(key, row.der)) ||
      workshop.store.allCsrs().some((row) => row.key_id !== null && workshop.csrPublicKeySha256(row.id) === spki);
  }
  const keyId = workshop.vault.storeKey(key);
  for (const row of rows) workshop.store.setCertificateKey(row.id, keyId);
  for (const row of csrRows) workshop.store.setCsrKey(row.id, keyId);
  return true;
}

/**
 * What the import says of a certificate it already held: the name it keeps, and the name the file
 * or the import gave it when that differs (not applied: the stored certificate is not renamed).
 */
function alreadyStoredEntry(existing: { id: number; name: string; subject: string }, asked: string | undefined, keyAdded: boolean): PkiAlreadyStored {
  const nameAsked = asked?.trim() && asked.trim() !== existing.name ? asked.trim() : undefined;
  let message = `${existing.subject || 'this certificate'} is already stored as '${existing.name}'`;
  if (nameAsked) {
    message += `; it keeps that name, and the name '${nameAsked}' given for it was not used (a stored certificate is not renamed)`;
  }
  return { id: existing.id, name: existing.name, subject: existing.subject, ...(nameAsked ? { nameAsked } : {}), keyAdded, message };
}

function uniqueFriendly(workshop: CertificateWorkshop, friendly: string): string {
  return workshop.newName(friendly, undefined, true);
}

function isSelfIssued(der: Uint8Array): boolean {
  try {
    const cert = new X509Certificate(der);
    return cert.subject === cert.issuer;
  } catch {
    return false;
  }
}

function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

// --- verification ----------------------------------------------------------------------------

/**
 * Verifies a stored or pasted certificate against a trust store for a hostname and a moment.
 * A stored certificate's workbench chain is offered as intermediates.
 */
export function verifyWith(workshop: CertificateWorkshop, request: PkiVerifyRequest): PkiVerifyResult {
  let leaf: Uint8Array;
  const intermediates: Uint8Array[] = [];
  if (request.certificateId !== undefined) {
    const row = workshop.certificate(request.certificateId);
    leaf = new Uint8Array(row.der);
    intermediates.push(...workshop.chainDer(row));
  } else if (request.text !== undefined) {
    leaf = readCertificate(bytesFromText(request.text, 'certificate'));
  } else {
    throw new WorkbenchError('BAD_INPUT', 'give the certificate to verify: a workbench certificate or a PEM');
  }
  for (const text of request.intermediatesPem ?? []) {
    for (const pem of pemCertificates(text)) intermediates.push(readCertificate(pem));
  }
  const trust = loadTrust(workshop, request.trust);
  let at: Date | undefined;
  if (request.at !== undefined) {
    at = new Date(request.at);
    if (Number.isNaN(at.getTime())) {
      throw new WorkbenchError('BAD_INPUT', `"${request.at}" is not a moment: give an ISO time like 2030-01-01T00:00:00Z`);
    }
  }
  const result = verifyCertificate(leaf, {
    trustAnchors: trust.anchors,
    intermediates,
    hostname: request.hostname,
    at,
    purpose: request.purpose,
    partialChain: request.partialChain === true,
  });
  return {
    ok: result.ok,
    chain: result.chain.map((entry) => ({
      subject: entry.subject,
      issuer: entry.issuer,
      fingerprintSha256: entry.fingerprintSha256,
      pem: certificatePem(entry.der),
    })),
    checks: result.checks,
    failed: result.failed,
    trustDescription: trust.description,
  };
}

function loadTrust(workshop: CertificateWorkshop, spec: PkiTrustSpec): { anchors: Uint8Array[]; description: string } {
  if (spec.kind === 'lab') {
    const anchors = workshop.trustAnchorsPem(spec.name).map((pem) => readCertificate(pem));
    return { anchors, description: `workbench CA "${spec.name}"` };
  }
  const loaded = loadTrustStore(spec);
  return { anchors: loaded.certificates.map((pem) => readCertificate(pem)), description: loaded.description };
}

// --- export ----------------------------------------------------------------------------------

interface ExportBody {
  fileName: string;
  data: string | Uint8Array;
  secret: boolean;
}

/**
 * A path as a person types it into the export form: "~" or "~/..." is the home folder of whoever
 * runs the engine, as a shell would read it (the form accepts such paths; without this the file
 * went to a folder named "~" under the engine's working folder, or failed).
 */
export function homePath(given: string): string {
  if (given === '~') return os.homedir();
  if (given.startsWith('~/')) return path.join(os.homedir(), given.slice(2));
  return given;
}

/** The bytes of an export, or the files written when the request gives a path. */
export function exportFrom(workshop: CertificateWorkshop, requested: PkiExportRequest): PkiExportResult {
  const request = requested.path ? { ...requested, path: homePath(requested.path) } : requested;
  const row = workshop.certificate(request.id);
  const base = safeFileName(row.name);
  if (request.format === 'trust-folder') {
    if (!request.path) throw new WorkbenchError('BAD_INPUT', 'a trust folder is written to a folder: give its path');
    const written = writeTrustFolder(request.path, [new Uint8Array(row.der), ...workshop.chainDer(row)]);
    return { fileName: path.basename(request.path), written, containsPrivateKey: false };
  }
  const body = exportBody(workshop, row.id, request, base);
  if (request.path) {
    const written = writeFilesAtomically([{ path: request.path, data: body.data, secret: body.secret }]);
    return { fileName: body.fileName, written, containsPrivateKey: body.secret };
  }
  return { fileName: body.fileName, dataBase64: Buffer.from(body.data).toString('base64'), containsPrivateKey: body.secret };
}

function exportBody(workshop: CertificateWorkshop, id: number, request: PkiExportRequest, base: string): ExportBody {
  const row = workshop.certificate(id);
  const der = new Uint8Array(row.der);
  switch (request.format) {
    case 'pem':
      return { fileName: `${base}.pem`, data: certificatePem(der), secret: false };
    case 'der':
      return { fileName: `${base}.der`, data: der, secret: false };
    case 'chain-pem':
      return { fileName: `${base}-chain.pem`, data: [der, ...workshop.chainDer(row)].map(certificatePem).join(''), secret: false };
    case 'key-pem': {
      const key = workshop.privateKeyOf(row);
      const password = request.password === '' ? undefined : request.password;
      return { fileName: `${base}.key`, data: exportPrivateKeyPem(key, password), secret: true };
    }
    case 'p12': {
      if (!request.password) {
        throw new WorkbenchError('BAD_INPUT', 'a PKCS#12 file needs a password to protect the key inside it: give one');
      }
      const privateKey = row.key_id !== null ? workshop.privateKeyOf(row) : undefined;
      const data = exportPkcs12({ ...pkcs12Contents(workshop, row), privateKey, password: request.password, legacy: request.legacy });
      return { fileName: `${base}.p12`, data, secret: privateKey !== undefined };
    }
    default:
      throw new WorkbenchError('BAD_INPUT', `"${String(request.format)}" is not an export format: use pem, der, chain-pem, p12, key-pem or trust-folder`);
  }
}

/**
 * The certificates of a PKCS#12 export: the certificate and the CAs above it, each under its
 * workbench name (friendlyName), so that the workbench that imports the file calls the CAs what
 * the hand-out calls them ("tlslab proxy --ca NAME") rather than by their CN.
 */
export function pkcs12Contents(
  workshop: CertificateWorkshop,
  row: ReturnType<CertificateWorkshop['certificate']>,
): { certificate: Uint8Array; chain: Uint8Array[]; friendlyName: string; chainFriendlyNames: string[] } {
  const chain = workshop.chainRows(row);
  return {
    certificate: new Uint8Array(row.der),
    chain: chain.map((issuer) => new Uint8Array(issuer.der)),
    friendlyName: row.name,
    chainFriendlyNames: chain.map((issuer) => issuer.name),
  };
}

/**
 * Writes HASH.N files (as openssl rehash names them) into the folder; nothing when any fails. What
 * the folder already holds stays: a certificate already there keeps its file, and another one
 * whose subject has the same hash (a CA made again with the same name) takes the next free
 * number, as openssl rehash would number them, instead of replacing it.
 */
export function writeTrustFolder(dir: string, certificates: Uint8Array[]): string[] {
  const plan = planTrustFolder(certificates);
  ensureFolder(dir);
  const present = new Map<string, Buffer | null>();
  for (const name of fs.readdirSync(dir)) {
    if (!/^[0-9a-f]{8}\.\d+$/.test(name)) continue;
    let der: Buffer | null = null;
    try {
      der = Buffer.from(readCertificate(fs.readFileSync(path.join(dir, name))));
    } catch {
      // Not a certificate (a CRL link, HASH.rN, or damaged): its name is taken all the same.
    }
    present.set(name, der);
  }
  const taken = new Set(present.keys());
  const files = plan.map((entry) => {
    const hash = entry.fileName.slice(0, entry.fileName.indexOf('.'));
    const der = Buffer.from(readCertificate(entry.pem));
    const same = [...present].find(([name, held]) => name.startsWith(`${hash}.`) && held !== null && held.equals(der));
    let fileName = same?.[0];
    if (!fileName) {
      let n = 0;
      while (taken.has(`${hash}.${n}`)) n++;
      fileName = `${hash}.${n}`;
    }
    taken.add(fileName);
    return { path: path.join(dir, fileName), data: entry.pem, secret: false };
  });
  return writeFilesAtomically(files);
}

export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/^\.+/, '_').trim() || 'certificate';
}

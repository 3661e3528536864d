// Loading the certificates a session trusts: the system store, a PEM file, or a folder of hash
// links laid out as OpenSSL's capath expects (HASH.0, HASH.1, ... named by subject hash).
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import crypto, { X509Certificate } from 'node:crypto';
import type { TrustStoreSpec } from '../api/types';
import { shellWord } from '../api/tryIt';
import { WorkbenchError } from '../errors';
import { readUserFile } from '../userFiles';
import { subjectHash } from '../pki/subjectHash';
import { plural } from '../api/words';

/** Where Linux distributions keep the system bundle; Node's own Mozilla roots otherwise. */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

export interface LoadedTrustStore {
  /** Identifies this store's content, for caching what is built from it. */
  id: string;
  /** PEM certificates to hand to Node's TLS as `ca`. */
  certificates: string[];
  /** What was loaded, for the session record ("3 certificates from /tmp/ca.pem"). */
  description: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const HASH_LINK = /^[0-9a-f]{8}\.\d+$/;

export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERTIFICATE) ?? [];
}

function readText(file: string, what: string): string {
  return readUserFile(file, what, {
    folderHint: 'choose "hash-link folder" as the trust store kind, or pick a PEM file',
    codes: { missing: 'TRUST_NOT_FOUND', folder: 'TRUST_IS_FOLDER', unreadable: 'TRUST_UNREADABLE', tooLarge: 'TRUST_UNREADABLE' },
  }, 'latin1');
}

/** A file read as latin1 that is one DER certificate (a SEQUENCE that X.509 parses). */
function isDerCertificate(text: string): boolean {
  if (text.charCodeAt(0) !== 0x30) return false;
  try {
    new X509Certificate(Buffer.from(text, 'latin1'));
    return true;
  } catch {
    return false;
  }
}

function checkParsable(pem: string, source: string): void {
  try {
    new X509Certificate(pem);
  } catch {
    throw new WorkbenchError('TRUST_NOT_PEM', `${source} holds a PEM block that is not a valid certificate; re-export it from the CA`);
  }
}

function loadFile(file: string): LoadedTrustStore {
  const text = readText(file, 'trust file');
  const certificates = pemCertificates(text);
  if (certificates.length === 0 && isDerCertificate(text)) {
    // OpenSSL's -CAfile, curl's --cacert and Python's cafile read PEM only; so do trust stores here.
    throw new WorkbenchError(
      'TRUST_NOT_PEM',
      `the trust file ${file} is a DER (binary) certificate, and a trust file holds PEM certificates, as openssl's -CAfile and curl's --cacert read them; ` +
        `convert it: openssl x509 -inform DER -in ${shellWord(file)} -out ca.pem (or export the CA as PEM: tlslab ca export NAME --out ca.pem)`,
    );
  }
  if (certificates.length === 0) {
    throw new WorkbenchError(
      'TRUST_NOT_PEM',
      `the trust file ${file} contains no PEM certificate (no "-----BEGIN CERTIFICATE-----" block); give the CA certificate in PEM form, e.g. one made by "openssl x509 -outform PEM"`,
    );
  }
  certificates.forEach((pem) => checkParsable(pem, file));
  return { id: `file:${file}:${crypto.randomUUID()}`, certificates, description: `${plural(certificates.length, 'certificate')} from ${file}` };
}

/**
 * OpenSSL's capath looks certificates up by the hash of the issuer name it needs, so a file
 * only counts when its name matches its own subject hash; we load those and only those.
 */
function loadHashFolder(dir: string): LoadedTrustStore {
  let entries: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) {
      throw new WorkbenchError('TRUST_NOT_FOLDER', `${dir} is a file, not a folder; choose "PEM file" as the trust store kind`);
    }
    entries = fs.readdirSync(dir);
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    throw new WorkbenchError('TRUST_NOT_FOUND', `cannot open the trust folder ${dir}: ${(err as Error).message}`);
  }
  const certificates: string[] = [];
  let ignored = 0;
  for (const name of entries.sort()) {
    if (!HASH_LINK.test(name)) continue;
    const file = path.join(dir, name);
    for (const pem of pemCertificates(readText(file, 'trust file'))) {
      let der: Uint8Array;
      try {
        der = new X509Certificate(pem).raw;
      } catch {
        ignored++;
        continue;
      }
      if (subjectHash(der) === name.slice(0, 8)) certificates.push(pem);
      else ignored++;
    }
  }
  if (certificates.length === 0) {
    throw new WorkbenchError(
      'TRUST_FOLDER_EMPTY',
      `the folder ${dir} has no certificate under a subject-hash name (like 1a2b3c4d.0); create the links with "openssl rehash ${dir}" or the workbench's trust-folder export`,
    );
  }
  const note = ignored ? `, ${plural(ignored, 'file')} ignored: ${ignored === 1 ? 'its name is not its subject hash' : 'their names are not their subject hashes'}` : '';
  return { id: `dir:${dir}:${crypto.randomUUID()}`, certificates, description: `${plural(certificates.length, 'certificate')} from hash links in ${dir}${note}` };
}

function loadLab(name: string): LoadedTrustStore {
  const certificates = labCertificates(name);
  const above = certificates.length > 1 ? ` and ${plural(certificates.length - 1, 'CA')} above it` : '';
  return { id: `lab:${name}:${crypto.randomUUID()}`, certificates, description: `workbench CA "${name}"${above}` };
}

function loadSystem(): LoadedTrustStore {
  for (const bundle of SYSTEM_BUNDLES) {
    if (fs.existsSync(bundle)) {
      const certificates = pemCertificates(fs.readFileSync(bundle, 'latin1'));
      if (certificates.length > 0) {
        return { id: 'system', certificates, description: `system store: ${certificates.length} certificates from ${bundle}` };
      }
    }
  }
  return {
    id: 'system',
    certificates: [...tls.rootCertificates],
    description: `system store: Node's built-in ${tls.rootCertificates.length} Mozilla root certificates`,
  };
}

/** Gives the PEM certificates of a workbench CA (`lab:NAME`); the certificate workshop registers one. */
export type LabTrustResolver = (name: string) => string[];

let labResolver: LabTrustResolver | null = null;

/** Makes `lab:NAME` resolve through the workshop; returns a function that takes it back. */
export function setLabTrustResolver(resolver: LabTrustResolver): () => void {
  labResolver = resolver;
  return () => {
    if (labResolver === resolver) labResolver = null;
  };
}

function labCertificates(name: string): string[] {
  if (!labResolver) {
    throw new WorkbenchError(
      'TRUST_LAB_UNAVAILABLE',
      `trusting the workbench CA "${name}" needs the certificate workshop, which is not open here; export the CA to a PEM file and use that`,
    );
  }
  return labResolver(name);
}

/** Loaded stores by what they were loaded from; an edit to a file or folder makes a new key. */
const cache = new Map<string, LoadedTrustStore>();
const CACHE_LIMIT = 32;

function cacheKey(spec: TrustStoreSpec): string | null {
  try {
    if (spec.kind === 'system') return 'system';
    if (spec.kind === 'lab') {
      // The CA's certificates are the key: a CA deleted and made again under the same name is a new store.
      const digest = crypto.createHash('sha256').update(labCertificates(spec.name).join('')).digest('hex');
      return `lab:${spec.name}:${digest}`;
    }
    if (spec.kind === 'file') {
      const st = fs.statSync(spec.path);
      return `file:${spec.path}:${st.mtimeMs}:${st.size}`;
    }
    if (spec.kind === 'dir') {
      const names = fs.readdirSync(spec.path).filter((n) => HASH_LINK.test(n)).sort();
      const stamps = names.map((n) => {
        const st = fs.statSync(path.join(spec.path, n));
        return `${n}@${st.mtimeMs}:${st.size}`;
      });
      return `dir:${spec.path}:${stamps.join(',')}`;
    }
  } catch {
    // Unreadable: load it for real and let that report why.
  }
  return null;
}

export function loadTrustStore(spec: TrustStoreSpec): LoadedTrustStore {
  const key = cacheKey(spec);
  const hit = key ? cache.get(key) : undefined;
  if (hit) return hit;
  const loaded = loadUncached(spec);
  if (key) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, loaded);
  }
  return loaded;
}

function loadUncached(spec: TrustStoreSpec): LoadedTrustStore {
  switch (spec.kind) {
    case 'system':
      return loadSystem();
    case 'file':
      return loadFile(spec.path);
    case 'dir':
      return loadHashFolder(spec.path);
    case 'lab':
      return loadLab(spec.name);
  }
}

/** "--ca FILE|DIR|system|lab:NAME" as the CLI and the form give it. */
export function parseTrustArgument(value: string): TrustStoreSpec {
  if (value === 'system') return { kind: 'system' };
  if (value.startsWith('lab:')) return { kind: 'lab', name: value.slice(4) };
  try {
    if (fs.statSync(value).isDirectory()) return { kind: 'dir', path: path.resolve(value) };
  } catch {
    // Not there: let loading report it as a missing file.
  }
  return { kind: 'file', path: path.resolve(value) };
}

// What a server presents and whom it trusts: a certificate, its key and chain from PEM files or
// from the certificate workshop, and the CA that client certificates must come from.
import { X509Certificate } from 'node:crypto';
import type { ClientCaSpec, ServerIdentitySpec } from '../api/serverTypes';
import { shellWord } from '../api/tryIt';
import { WorkbenchError } from '../errors';
import { readUserFile } from '../userFiles';
import { PkiError } from '../pki/errors';
import { assertKeyMatchesCertificate, importPrivateKey } from '../pki/keys';
import { splitPem } from '../pki/pem';

/** The certificate workshop as a server sees it (the Workbench's `workshop`). */
export interface LabIdentitySource {
  serverIdentity(name: string): Promise<{ certificatePem: string; keyPem: string; chainPem: string[] }>;
  trustAnchorsPem(caName: string): string[];
}

export interface ServerIdentity {
  /** The leaf followed by its chain, as Node's `cert` option takes it. */
  certificateChainPem: string;
  /** The key, decrypted, PKCS#8 PEM (kept in memory only). */
  keyPem: string;
  leafDer: Uint8Array;
  chainDer: Uint8Array[];
}

const NO_WORKSHOP =
  'lab: identities come from the certificate workshop, which this engine does not have yet; give --cert and --key files instead';

function readFile(file: string, what: string): string {
  return readUserFile(file, what, { folderHint: 'give the PEM file inside it' }, 'utf8');
}

function certificateBlocks(text: string, source: string): Uint8Array[] {
  let blocks;
  try {
    blocks = splitPem(text).filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
  } catch (err) {
    throw new WorkbenchError('NOT_PEM', `${source} is damaged PEM: ${(err as Error).message}`);
  }
  for (const b of blocks) {
    try {
      new X509Certificate(b.der);
    } catch {
      throw new WorkbenchError('NOT_A_CERTIFICATE', `${source} holds a CERTIFICATE block that is not a valid certificate; export it again`);
    }
  }
  return blocks.map((b) => b.der);
}

function pem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

/** Re-throws a key or certificate problem with the name it concerns in front. */
function withContext<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    // "the server: this is not a private key", not "...: This is"; "RSA ..." keeps its capitals.
    if (err instanceof PkiError) throw new WorkbenchError(err.code, `${what}: ${err.message.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())}`);
    throw err;
  }
}

function assemble(what: string, certText: string, certSource: string, keyText: string, chainText: string | null, chainSource: string, passphrase?: string, keySource?: string): ServerIdentity {
  const certs = certificateBlocks(certText, certSource);
  // A DER file read as text starts with the SEQUENCE byte 0x30 ("0") followed by binary.
  if (certs.length === 0 && /^0[\u0000-\u0008\u000e-\u001f\ufffd]/.test(certText)) {
    throw new WorkbenchError('NOT_PEM', `${certSource} is a DER (binary) certificate and TLS sessions take PEM; convert it: openssl x509 -inform DER -in ${shellWord(certSource)} -out cert.pem`);
  }
  if (certs.length === 0) {
    throw new WorkbenchError('NOT_A_CERTIFICATE', `${certSource} holds no certificate (no "-----BEGIN CERTIFICATE-----" line); choose the certificate file (often .crt or cert.pem)`);
  }
  const chain = [...certs.slice(1), ...(chainText !== null ? certificateBlocks(chainText, chainSource) : [])];
  // DER: a SEQUENCE (0x30) and binary soon after (a short EC key's length byte is printable).
  if (keySource && !/-----BEGIN/.test(keyText) && keyText.startsWith('0') && /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(keyText.slice(0, 64))) {
    throw new WorkbenchError('NOT_PEM', `${keySource} is a DER (binary) key and TLS sessions take PEM; convert it: openssl pkey -inform DER -in ${shellWord(keySource)} -out key.pem`);
  }
  // Whatever Node's OpenSSL can present, as openssl s_server would: an RSA-PSS, Ed448, DSA or
  // brainpool certificate is a lesson of its own (which clients accept it?).
  const key = withContext(what, () => importPrivateKey(keyText, passphrase, { anyKind: true }));
  withContext(what, () => assertKeyMatchesCertificate(key, certs[0]));
  return {
    certificateChainPem: [certs[0], ...chain].map(pem).join(''),
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    leafDer: certs[0],
    chainDer: chain,
  };
}

/** `what` names whose identity it is in messages: "the server" (the default) or the SNI name. */
export async function loadServerIdentity(spec: ServerIdentitySpec, what: string, lab: LabIdentitySource | null): Promise<ServerIdentity> {
  if (spec.kind === 'lab') {
    if (!lab) throw new WorkbenchError('NO_WORKSHOP', NO_WORKSHOP);
    const found = await lab.serverIdentity(spec.name);
    return assemble(what, found.certificatePem, `the lab identity "${spec.name}"`, found.keyPem, found.chainPem.join('\n'), `the chain of "${spec.name}"`);
  }
  const certText = readFile(spec.certPath, `certificate file for ${what}`);
  const keyText = readFile(spec.keyPath, `key file for ${what}`);
  const chainText = spec.chainPath ? readFile(spec.chainPath, `chain file for ${what}`) : null;
  return assemble(what, certText, spec.certPath, keyText, chainText, spec.chainPath ?? '', spec.keyPassphrase, spec.keyPath);
}

/** The CA certificates client certificates must chain to, as PEM. */
export function loadClientCa(spec: ClientCaSpec, lab: LabIdentitySource | null): { pem: string[]; description: string } {
  if (spec.kind === 'lab') {
    if (!lab) throw new WorkbenchError('NO_WORKSHOP', NO_WORKSHOP.replace('give --cert and --key files', 'give --client-ca a PEM file'));
    const anchors = lab.trustAnchorsPem(spec.name);
    if (anchors.length === 0) throw new WorkbenchError('NOT_FOUND', `the lab CA "${spec.name}" has no certificate; make it in the certificate workshop first`);
    return { pem: anchors, description: `lab CA ${spec.name}` };
  }
  const text = readFile(spec.path, 'client CA file');
  const certs = certificateBlocks(text, spec.path);
  if (certs.length === 0) {
    throw new WorkbenchError('NOT_A_CERTIFICATE', `the client CA file ${spec.path} holds no certificate; give the CA's PEM certificate`);
  }
  return { pem: certs.map(pem), description: `${certs.length} CA certificate${certs.length === 1 ? '' : 's'} from ${spec.path}` };
}

// The "Start a server" form as plain data: its defaults, its checks, and the ServerConfig it
// becomes. Mistakes get one sentence next to their field before anything reaches the engine.
import type {
  BuiltinPageName,
  ClientAuthConfig,
  PkiTree,
  ServerConfig,
  ServerIdentitySpec,
  ServerResponder,
  SniHostConfig,
  TlsVersionName,
} from '../api/contract';
import { TLS_VERSIONS } from './client-form';
import { caChoices, flattenCaTree, type CaChoice } from './pki-tree';

export type IdentityKind = 'lab' | 'files';
export type ClientCertMode = 'off' | 'request' | 'require';
export type ResponderKind = 'builtin' | 'file' | 'dir' | 'echo' | 'fixed' | 'plain';

/** Where one certificate and key come from: a workshop certificate by name, or PEM files. */
export interface IdentityForm {
  kind: IdentityKind;
  labName: string;
  certPath: string;
  keyPath: string;
  chainPath: string;
  /** Never saved with the form; asked again after a reload. */
  keyPassphrase: string;
}

export interface SniForm {
  name: string;
  identity: IdentityForm;
  /** "" means "chosen from the name". */
  page: BuiltinPageName | '';
}

export interface ServerForm {
  label: string;
  host: string;
  port: string;
  identity: IdentityForm;
  sni: SniForm[];
  clientCert: ClientCertMode;
  clientCaKind: 'lab' | 'file';
  clientCaLab: string;
  clientCaPath: string;
  /** "" means the library's default. */
  minVersion: TlsVersionName | '';
  maxVersion: TlsVersionName | '';
  ciphers: string;
  ciphersuites: string;
  groups: string;
  tickets: boolean;
  responder: ResponderKind;
  /** "" means a page per host, chosen from its name. */
  builtinPage: BuiltinPageName | '';
  pagePath: string;
  dirPath: string;
  fixedResponse: string;
  plainGreeting: string;
}

export type ServerFormErrors = Record<string, string>;
export type ServerFormResult = { ok: true; config: ServerConfig } | { ok: false; errors: ServerFormErrors };

export const DEFAULT_SERVER_PORT = 4433;

export function emptyIdentity(kind: IdentityKind = 'lab'): IdentityForm {
  return { kind, labName: '', certPath: '', keyPath: '', chainPath: '', keyPassphrase: '' };
}

export function emptySni(): SniForm {
  return { name: '', identity: emptyIdentity(), page: '' };
}

export function defaultServerForm(): ServerForm {
  return {
    label: '',
    host: '127.0.0.1',
    port: String(DEFAULT_SERVER_PORT),
    identity: emptyIdentity(),
    sni: [],
    clientCert: 'off',
    clientCaKind: 'lab',
    clientCaLab: '',
    clientCaPath: '',
    minVersion: '',
    maxVersion: '',
    ciphers: '',
    ciphersuites: '',
    groups: '',
    tickets: true,
    responder: 'builtin',
    builtinPage: '',
    pagePath: '',
    dirPath: '',
    fixedResponse: 'HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 6\n\nhello\n',
    plainGreeting: '220 mail.bank32.com ESMTP ready\n',
  };
}

/** The form as it may be kept in the window's storage: passphrases left out. */
export function storableServerForm(form: ServerForm): ServerForm {
  const strip = (identity: IdentityForm): IdentityForm => ({ ...identity, keyPassphrase: '' });
  return { ...form, identity: strip(form.identity), sni: form.sni.map((s) => ({ ...s, identity: strip(s.identity) })) };
}

/** A saved form merged over the defaults, so fields added later get their default. */
export function restoreServerForm(saved: Partial<ServerForm> | null | undefined): ServerForm {
  const base = defaultServerForm();
  if (!saved || typeof saved !== 'object') return base;
  const identity = (value: unknown): IdentityForm => ({ ...emptyIdentity(), ...(value as Partial<IdentityForm>), keyPassphrase: '' });
  return {
    ...base,
    ...saved,
    identity: identity(saved.identity),
    sni: Array.isArray(saved.sni) ? saved.sni.map((s) => ({ ...emptySni(), ...s, identity: identity(s?.identity) })) : [],
  };
}

/** A workshop certificate a server can present: not a CA, and its key is in the workbench. */
export interface IdentityChoice {
  name: string;
  /** "www.bank32.com (Server, by Lab Root)". */
  label: string;
  expired: boolean;
}

export function identityChoices(tree: PkiTree | null): IdentityChoice[] {
  return leafChoices(tree).filter((c) => c.kind !== 'client');
}

/**
 * A workshop certificate a client can present: not a CA, its key in the workbench. Client
 * certificates come first; the others are there too, since a server refusing a server's
 * certificate as a client's is a lesson of its own.
 */
export function clientIdentityChoices(tree: PkiTree | null): IdentityChoice[] {
  const all = leafChoices(tree);
  return [...all.filter((c) => c.kind === 'client'), ...all.filter((c) => c.kind !== 'client')];
}

function leafChoices(tree: PkiTree | null): (IdentityChoice & { kind: string })[] {
  if (!tree) return [];
  const rows = [
    ...flattenCaTree(tree.cas),
    ...tree.others.map((certificate) => ({ certificate, depth: 0, issuerName: null as string | null })),
  ];
  return rows
    .filter((r) => !r.certificate.isCa && r.certificate.hasPrivateKey)
    .map((r) => ({
      name: r.certificate.name,
      kind: r.certificate.kind,
      label: `${r.certificate.name} (${r.certificate.kind}${r.issuerName ? `, by ${r.issuerName}` : ''})`,
      expired: r.certificate.expired,
    }));
}

/** The lab's usual start: a root CA and a certificate for the bank's site, signed by it. */
export const STARTER = { ca: 'Lab Root', caSubject: { CN: 'Lab Root', O: 'TLS Lab' }, host: 'www.bank32.com', hostSubject: { CN: 'www.bank32.com', O: 'Bank32' } } as const;

/**
 * The CA the lab starter signs with: the workshop's "Lab Root" when it is there with its key;
 * else a name no certificate has yet ("Lab Root", "Lab Root 2", ...), for a new root CA.
 */
export function starterCa(tree: PkiTree | null): { name: string; exists: boolean } {
  const rows = tree ? [...flattenCaTree(tree.cas), ...tree.others.map((certificate) => ({ certificate }))] : [];
  const existing = rows.find((r) => r.certificate.name === STARTER.ca && r.certificate.isCa && r.certificate.hasPrivateKey);
  if (existing) return { name: STARTER.ca, exists: true };
  const taken = new Set(rows.map((r) => r.certificate.name));
  let name: string = STARTER.ca;
  for (let n = 2; taken.has(name); n++) name = `${STARTER.ca} ${n}`;
  return { name, exists: false };
}

/** Every workshop CA a client certificate may be required to chain to (its key is not needed). */
export function clientCaChoices(tree: PkiTree | null): CaChoice[] {
  return caChoices(tree);
}

// --- checks ---------------------------------------------------------------------------------

const HOST_NAME = /^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/** Ports below 1024 need administrator rights: say so before the engine refuses. */
export function portNote(value: string): string | null {
  const port = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || port === 0 || port >= 1024 || port > 65535) return null;
  return `Port ${port} is below 1024: only an administrator may listen on it, so the server will most likely not start. Use ${DEFAULT_SERVER_PORT} (and https://NAME:${DEFAULT_SERVER_PORT}/ in the client).`;
}

/** TLS 1.2 cipher lists that leave only RSA key exchange: worth a word about forward secrecy. */
export function cipherNote(ciphers: string): string | null {
  const names = ciphers.split(':').map((c) => c.trim()).filter((c) => c !== '' && !c.startsWith('!') && !c.startsWith('-'));
  if (names.length === 0) return null;
  const rsaKx = names.filter((n) => /^(AES|CAMELLIA|DES|RC4|SEED|IDEA|ARIA)/i.test(n) || /^RSA[+-]/i.test(n) || /^kRSA$/i.test(n));
  if (rsaKx.length !== names.length) return null;
  return 'Only RSA key exchange: the client encrypts the premaster secret to the certificate\'s key, so there is no ephemeral key and no forward secrecy — anyone with the server key can decrypt a recording. TLS 1.3 has no such suites: set the highest version to TLSv1.2 for clients to use them.';
}

function readIdentity(form: IdentityForm, prefix: string, errors: ServerFormErrors, what: string): ServerIdentitySpec {
  if (form.kind === 'lab') {
    const name = form.labName.trim();
    if (name === '') errors[`${prefix}labName`] = `Choose the workshop certificate ${what} presents, or give PEM files instead.`;
    return { kind: 'lab', name };
  }
  const certPath = form.certPath.trim();
  const keyPath = form.keyPath.trim();
  if (certPath === '') errors[`${prefix}certPath`] = 'Enter the path of the PEM certificate file, e.g. /home/student/lab/server.crt.';
  if (keyPath === '') errors[`${prefix}keyPath`] = 'Enter the path of the PEM private key file, e.g. /home/student/lab/server.key.';
  const spec: ServerIdentitySpec = { kind: 'files', certPath, keyPath };
  if (form.chainPath.trim() !== '') spec.chainPath = form.chainPath.trim();
  if (form.keyPassphrase !== '') spec.keyPassphrase = form.keyPassphrase;
  return spec;
}

export function validateServerForm(form: ServerForm): ServerFormResult {
  const errors: ServerFormErrors = {};
  const host = form.host.trim();
  if (host === '') errors.host = 'Enter the address to listen on: 127.0.0.1.';
  else if (!isLoopback(host)) {
    errors.host = `The lab's servers listen on loopback only (127.x.x.x or ::1), so nothing outside this machine can reach them; "${host}" is not one. Use 127.0.0.1.`;
  }

  const portText = form.port.trim();
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) errors.port = `The port is a whole number from 1 to 65535 (the lab uses ${DEFAULT_SERVER_PORT}; 0 picks a free one).`;

  const identity = readIdentity(form.identity, 'identity.', errors, 'the server');

  const sni: SniHostConfig[] = [];
  const seen = new Set<string>();
  form.sni.forEach((entry, index) => {
    const name = entry.name.trim().toLowerCase();
    const key = `sni.${index}.`;
    if (name === '') errors[`${key}name`] = 'Enter the host name this certificate is for, e.g. www.bank32.com (or remove the row).';
    else if (!HOST_NAME.test(name)) errors[`${key}name`] = `"${entry.name.trim()}" is not a host name: write it like www.bank32.com or *.bank32.com.`;
    else if (seen.has(name)) errors[`${key}name`] = `${name} is already listed above; give each name once.`;
    seen.add(name);
    const host: SniHostConfig = { name, identity: readIdentity(entry.identity, key, errors, name || 'this name') };
    if (entry.page) host.page = entry.page;
    sni.push(host);
  });

  let clientAuth: ClientAuthConfig | null = null;
  if (form.clientCert !== 'off') {
    const require = form.clientCert === 'require';
    if (form.clientCaKind === 'lab') {
      const name = form.clientCaLab.trim();
      if (name === '') errors.clientCaLab = 'Choose the CA that client certificates must come from.';
      clientAuth = { ca: { kind: 'lab', name }, require };
    } else {
      const path = form.clientCaPath.trim();
      if (path === '') errors.clientCaPath = 'Enter the path of the CA certificate (PEM) that client certificates must chain to.';
      clientAuth = { ca: { kind: 'file', path }, require };
    }
  }

  if (form.minVersion && form.maxVersion && TLS_VERSIONS.indexOf(form.minVersion) > TLS_VERSIONS.indexOf(form.maxVersion)) {
    errors.maxVersion = `The highest version cannot be below the lowest (${form.minVersion}).`;
  }
  if (/\s/.test(form.ciphers.trim())) errors.ciphers = 'Separate cipher names with colons, no spaces: e.g. AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256.';
  if (/\s/.test(form.ciphersuites.trim())) errors.ciphersuites = 'Separate suite names with colons, no spaces: e.g. TLS_AES_128_GCM_SHA256.';
  if (/\s/.test(form.groups.trim())) errors.groups = 'Separate group names with colons, no spaces: e.g. X25519:P-256.';

  let responder: ServerResponder = { kind: 'builtin' };
  switch (form.responder) {
    case 'builtin':
      responder = form.builtinPage ? { kind: 'builtin', page: form.builtinPage } : { kind: 'builtin' };
      break;
    case 'file':
      if (form.pagePath.trim() === '') errors.pagePath = 'Enter the path of the HTML file to serve, e.g. /home/student/lab/index.html.';
      responder = { kind: 'file', path: form.pagePath.trim() };
      break;
    case 'dir':
      if (form.dirPath.trim() === '') errors.dirPath = 'Enter the folder to serve files from (index.html answers "/").';
      responder = { kind: 'dir', path: form.dirPath.trim() };
      break;
    case 'echo':
      responder = { kind: 'echo' };
      break;
    case 'fixed':
      if (form.fixedResponse === '') errors.fixedResponse = 'Type the bytes to answer every request with, starting with a status line such as HTTP/1.1 200 OK.';
      responder = { kind: 'fixed', response: form.fixedResponse };
      break;
    case 'plain':
      responder = form.plainGreeting === '' ? { kind: 'plain' } : { kind: 'plain', greeting: form.plainGreeting };
      break;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const config: ServerConfig = { host, port, identity, responder, tickets: form.tickets };
  if (form.label.trim() !== '') config.label = form.label.trim();
  if (sni.length > 0) config.sni = sni;
  if (clientAuth) config.clientAuth = clientAuth;
  if (form.minVersion) config.minVersion = form.minVersion;
  if (form.maxVersion) config.maxVersion = form.maxVersion;
  if (form.ciphers.trim() !== '') config.ciphers = form.ciphers.trim();
  if (form.ciphersuites.trim() !== '') config.ciphersuites = form.ciphersuites.trim();
  if (form.groups.trim() !== '') config.groups = form.groups.trim();
  return { ok: true, config };
}

/** The form that would start `config` again (passphrases are never returned by the engine). */
export function serverFormFromConfig(config: ServerConfig): ServerForm {
  const form = defaultServerForm();
  const identity = (spec: ServerIdentitySpec): IdentityForm =>
    spec.kind === 'lab'
      ? { ...emptyIdentity('lab'), labName: spec.name }
      : { ...emptyIdentity('files'), certPath: spec.certPath, keyPath: spec.keyPath, chainPath: spec.chainPath ?? '' };
  form.label = config.label ?? '';
  form.host = config.host ?? '127.0.0.1';
  form.port = String(config.port ?? DEFAULT_SERVER_PORT);
  form.identity = identity(config.identity);
  form.sni = (config.sni ?? []).map((s) => ({ name: s.name, identity: identity(s.identity), page: s.page ?? '' }));
  if (config.clientAuth) {
    form.clientCert = config.clientAuth.require ? 'require' : 'request';
    if (config.clientAuth.ca.kind === 'lab') {
      form.clientCaKind = 'lab';
      form.clientCaLab = config.clientAuth.ca.name;
    } else {
      form.clientCaKind = 'file';
      form.clientCaPath = config.clientAuth.ca.path;
    }
  }
  form.minVersion = config.minVersion ?? '';
  form.maxVersion = config.maxVersion ?? '';
  form.ciphers = config.ciphers ?? '';
  form.ciphersuites = config.ciphersuites ?? '';
  form.groups = config.groups ?? '';
  form.tickets = config.tickets !== false;
  const responder = config.responder ?? { kind: 'builtin' };
  form.responder = responder.kind;
  if (responder.kind === 'builtin') form.builtinPage = responder.page ?? '';
  if (responder.kind === 'file') form.pagePath = responder.path;
  if (responder.kind === 'dir') form.dirPath = responder.path;
  if (responder.kind === 'fixed') form.fixedResponse = responder.response;
  if (responder.kind === 'plain') form.plainGreeting = responder.greeting ?? '';
  return form;
}

// The "New client session" form as plain data: its defaults, its validation, and the
// ClientSessionRequest it becomes. Errors are written for a student in the first hour.
import type { ClientPayload, ClientSessionRequest, ServerIdentitySpec, TlsVersionName, TrustStoreSpec } from '../api/contract';
import { untrustedRoot } from '../api/contract';

export const TLS_VERSIONS: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export type TrustKind = 'system' | 'file' | 'dir' | 'lab';
export type SendKind = 'none' | 'http-get' | 'text';
export type ClientCertKind = 'none' | 'lab' | 'files';

export interface ClientForm {
  host: string;
  port: string;
  connectTo: string;
  trustKind: TrustKind;
  trustPath: string;
  /** The workshop CA trusted when trustKind is 'lab' (lab:NAME). */
  trustCa: string;
  verifyPeer: boolean;
  checkHostname: boolean;
  sni: string;
  sendNoSni: boolean;
  /** "" means the library's default. */
  minVersion: TlsVersionName | '';
  maxVersion: TlsVersionName | '';
  ciphers: string;
  alpn: string;
  sendKind: SendKind;
  httpPath: string;
  text: string;
  /** A certificate the client presents when the server asks for one. */
  certKind: ClientCertKind;
  certLab: string;
  certPath: string;
  keyPath: string;
  /** Never saved with the form; asked again after a reload. */
  keyPassphrase: string;
}

export type ClientFormField = keyof ClientForm;
export type ClientFormErrors = Partial<Record<ClientFormField, string>>;

export type ClientFormResult = { ok: true; request: ClientSessionRequest } | { ok: false; errors: ClientFormErrors };

export function defaultClientForm(): ClientForm {
  return {
    host: '',
    port: '443',
    connectTo: '',
    trustKind: 'system',
    trustPath: '',
    trustCa: '',
    verifyPeer: true,
    checkHostname: true,
    sni: '',
    sendNoSni: false,
    minVersion: '',
    maxVersion: '',
    ciphers: '',
    alpn: '',
    sendKind: 'http-get',
    httpPath: '/',
    text: '',
    certKind: 'none',
    certLab: '',
    certPath: '',
    keyPath: '',
    keyPassphrase: '',
  };
}

/** The form as it may be kept between visits: without the key passphrase. */
export function storableClientForm(form: ClientForm): ClientForm {
  return { ...form, keyPassphrase: '' };
}

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

function isHostOrAddress(value: string): boolean {
  if (IPV4.test(value)) return value.split('.').every((octet) => Number(octet) <= 255);
  if (value.includes(':')) return IPV6.test(value);
  return HOST_NAME.test(value);
}

function parsePort(value: string): number | null {
  if (!/^\d+$/.test(value)) return null;
  const port = Number(value);
  return port >= 1 && port <= 65535 ? port : null;
}

function checkHost(value: string): string | undefined {
  if (value === '') return 'Enter the server name, e.g. www.bank32.com.';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'Enter just the name, without "https://" or a path: e.g. www.bank32.com.';
  if (/[/\s]/.test(value)) return 'A host name has no spaces or slashes: e.g. www.bank32.com.';
  if (!isHostOrAddress(value.replace(/^\[|\]$/g, ''))) return `"${value}" is not a valid host name or IP address.`;
  return undefined;
}

function checkConnectTo(value: string): string | undefined {
  if (value === '') return undefined;
  let address = value;
  let port: string | null = null;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(value);
  if (bracketed) {
    address = bracketed[1];
    port = bracketed[2] ?? null;
  } else if ((value.match(/:/g) ?? []).length === 1) {
    [address, port] = value.split(':') as [string, string];
  }
  if (!isHostOrAddress(address) || /\s/.test(value)) {
    return 'Use an address like 127.0.0.1 or 127.0.0.1:4433 (IPv6 as [::1]:4433).';
  }
  if (port !== null && parsePort(port) === null) return 'The port after ":" must be a number from 1 to 65535.';
  return undefined;
}

function splitAlpn(value: string): string[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export function validateClientForm(form: ClientForm): ClientFormResult {
  const errors: ClientFormErrors = {};
  const host = form.host.trim();
  const hostError = checkHost(host);
  if (hostError) errors.host = hostError;

  const port = parsePort(form.port.trim());
  if (port === null) errors.port = 'The port must be a whole number from 1 to 65535 (HTTPS uses 443).';

  const connectTo = form.connectTo.trim();
  const connectToError = checkConnectTo(connectTo);
  if (connectToError) errors.connectTo = connectToError;

  let trust: TrustStoreSpec = { kind: 'system' };
  if (form.trustKind === 'lab') {
    const name = form.trustCa.trim();
    if (name === '') errors.trustCa = 'Choose the workshop CA to trust, or make one under Certificates.';
    trust = { kind: 'lab', name };
  } else if (form.trustKind !== 'system') {
    const path = form.trustPath.trim();
    if (path === '') {
      errors.trustPath =
        form.trustKind === 'file'
          ? 'Enter the path of a PEM file with the CA certificate(s), e.g. /home/student/lab/ca.pem.'
          : 'Enter the path of a folder of hash links (as made by openssl rehash / c_rehash).';
    }
    trust = { kind: form.trustKind, path };
  }

  const sni = form.sni.trim();
  if (!form.sendNoSni && sni !== '' && checkHost(sni)) errors.sni = 'The SNI must be a host name, e.g. www.bank32.com.';

  if (form.minVersion && form.maxVersion && TLS_VERSIONS.indexOf(form.minVersion) > TLS_VERSIONS.indexOf(form.maxVersion)) {
    errors.maxVersion = `The highest version cannot be below the lowest (${form.minVersion}).`;
  }

  const alpn = splitAlpn(form.alpn);
  const badProtocol = alpn.find((p) => /\s/.test(p) || p.length > 255);
  if (badProtocol !== undefined) errors.alpn = 'Separate protocol names with commas, e.g. h2, http/1.1.';

  let send: ClientPayload = { kind: 'none' };
  if (form.sendKind === 'http-get') {
    const path = form.httpPath.trim() === '' ? '/' : form.httpPath.trim();
    if (!path.startsWith('/') || /\s/.test(path)) errors.httpPath = 'The path starts with "/" and has no spaces, e.g. / or /index.html.';
    send = { kind: 'http-get', path };
  } else if (form.sendKind === 'text') {
    if (form.text === '') errors.text = 'Type the text to send, or choose "Nothing".';
    send = { kind: 'text', text: form.text };
  }

  let clientCertificate: ServerIdentitySpec | undefined;
  if (form.certKind === 'lab') {
    const name = form.certLab.trim();
    if (name === '') errors.certLab = 'Choose the workshop certificate the client presents, or give PEM files instead.';
    clientCertificate = { kind: 'lab', name };
  } else if (form.certKind === 'files') {
    const certPath = form.certPath.trim();
    const keyPath = form.keyPath.trim();
    if (certPath === '') errors.certPath = 'Enter the path of the PEM certificate file, e.g. /home/student/lab/client.crt.';
    if (keyPath === '') errors.keyPath = 'Enter the path of its PEM private key file, e.g. /home/student/lab/client.key.';
    clientCertificate = { kind: 'files', certPath, keyPath };
    if (form.keyPassphrase !== '') clientCertificate.keyPassphrase = form.keyPassphrase;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const request: ClientSessionRequest = {
    host,
    port: port as number,
    trust,
    verifyPeer: form.verifyPeer,
    checkHostname: form.checkHostname,
    send,
  };
  if (connectTo !== '') request.connectTo = connectTo;
  if (form.sendNoSni) request.servername = '';
  else if (sni !== '') request.servername = sni;
  if (form.minVersion) request.minVersion = form.minVersion;
  if (form.maxVersion) request.maxVersion = form.maxVersion;
  if (form.ciphers.trim() !== '') request.ciphers = form.ciphers.trim();
  if (alpn.length > 0) request.alpn = alpn;
  if (clientCertificate) request.clientCertificate = clientCertificate;
  return { ok: true, request };
}

/** The form that would run `request` again, for "Edit and run again". */
export function clientFormFromRequest(request: ClientSessionRequest): ClientForm {
  const form = defaultClientForm();
  form.host = request.host;
  form.port = String(request.port);
  form.connectTo = request.connectTo ?? '';
  if (request.trust.kind === 'file' || request.trust.kind === 'dir') {
    form.trustKind = request.trust.kind;
    form.trustPath = request.trust.path;
  } else if (request.trust.kind === 'lab') {
    form.trustKind = 'lab';
    form.trustCa = request.trust.name;
  }
  form.verifyPeer = request.verifyPeer;
  form.checkHostname = request.checkHostname;
  if (request.servername === '') form.sendNoSni = true;
  else form.sni = request.servername ?? '';
  form.minVersion = request.minVersion ?? '';
  form.maxVersion = request.maxVersion ?? '';
  form.ciphers = request.ciphers ?? '';
  form.alpn = (request.alpn ?? []).join(', ');
  form.sendKind = request.send.kind;
  if (request.send.kind === 'http-get') form.httpPath = request.send.path;
  if (request.send.kind === 'text') form.text = request.send.text;
  const own = request.clientCertificate;
  if (own?.kind === 'lab') {
    form.certKind = 'lab';
    form.certLab = own.name;
  } else if (own?.kind === 'files') {
    form.certKind = 'files';
    form.certPath = own.certPath;
    form.keyPath = own.keyPath;
  }
  return form;
}

/**
 * Whether a refused client session should offer to run again trusting the workshop CA `caName`
 * its chain leads to: the chain failed on an untrusted root, and the run did not trust that CA already.
 */
export function offerWorkshopTrust(request: ClientSessionRequest | null, chain: { ok: boolean; code?: string } | null, caName: string | null): boolean {
  if (!request || !caName || !untrustedRoot(chain)) return false;
  return !(request.trust.kind === 'lab' && request.trust.name === caName);
}

/** The form that runs `request` again with the workshop CA `caName` as its only trusted CA. */
export function clientFormTrusting(request: ClientSessionRequest, caName: string): ClientForm {
  const form = clientFormFromRequest(request);
  form.trustKind = 'lab';
  form.trustCa = caName;
  form.trustPath = '';
  return form;
}

/** A lab server or proxy as the client form should reach it, from the card's "Open in New client session". */
export interface ClientTarget {
  /** The name the certificate holds: the Host, SNI and name checked. */
  host: string;
  port: number;
  /** Where the TCP connection goes instead ("connect to"): the server's or the proxy's address. */
  connectTo: string;
  /** The workshop CA to trust (lab:NAME), when the certificate chains to one. */
  trustCa: string | null;
  /** The server requires a client certificate: the form opens its "Client certificate" choice. */
  clientCertificate?: boolean;
  /** The workshop client certificate to present, when there is just one the server would accept. */
  clientIdentity?: string | null;
}

/** A fresh client form aimed at a running lab server or proxy, with every check on. */
export function clientFormFor(target: ClientTarget): ClientForm {
  const form = defaultClientForm();
  form.host = target.host;
  form.port = String(target.port);
  form.connectTo = target.connectTo;
  if (target.trustCa) {
    form.trustKind = 'lab';
    form.trustCa = target.trustCa;
  }
  if (target.clientCertificate) {
    form.certKind = 'lab';
    form.certLab = target.clientIdentity ?? '';
  }
  return form;
}

/** The feature the engine's About reports for the old versions. */
const LEGACY_FEATURE = 'TLS 1.0 / 1.1';

/**
 * The TLS version lists of the client and server forms. TLS 1.0 and 1.1 say what they take, as the
 * engine's About reports it: OpenSSL 3 speaks them only with @SECLEVEL=0 in the cipher list (a
 * student who chose them got a handshake failure and no reason), and another library not at all.
 */
export function versionChoices(features: ReadonlyArray<{ name: string; available: boolean; detail?: string }> | null): Array<{ value: TlsVersionName; label: string }> {
  const legacy = features?.find((f) => f.name === LEGACY_FEATURE);
  const note = !legacy ? null : !legacy.available ? 'this OpenSSL refuses it' : /@SECLEVEL=0/.test(legacy.detail ?? '') ? 'add @SECLEVEL=0 to the cipher list' : null;
  return TLS_VERSIONS.map((value) => ({
    value,
    label: note && (value === 'TLSv1' || value === 'TLSv1.1') ? `${value} (${note})` : value,
  }));
}

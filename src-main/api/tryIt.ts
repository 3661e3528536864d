// The "try it" commands the workbench shows beside a running server or replay server, in the
// window and on the command line alike: a curl (or openssl s_client) that reaches it by the name
// its certificate holds and trusts the CA saved as ca.pem.
import type { CertificateInfo } from './types';
import type { ServerInfo } from './serverTypes';
import type { ReplayServerInfo } from './replayTypes';

/** A word as a POSIX shell reads it: as it is when plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_/:.,=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function hostAddress(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * A command that reaches a lab server: curl for HTTP, openssl s_client for plain bytes. A server
 * that requires a client certificate gets client.pem, which holds the certificate and its key
 * (as tlslab cert export --with-key writes it; curl and s_client read the key from it).
 */
export function serverTryCommand(server: Pick<ServerInfo, 'host' | 'port' | 'names' | 'config'>): string {
  // The default certificate's first DNS name (an SNI name when it has none; then a host name in
  // its CN, which curl and OpenSSL check when there are no DNS names), else localhost.
  const certificate = server.names[0]?.certificate;
  const san = certificate?.subjectAltNames.find((s) => s.startsWith('DNS:') && !s.includes('*'))?.slice(4);
  const named = server.names.find((n) => n.name !== null && !n.name.startsWith('*.'))?.name;
  const cn = certificate?.subjectAltNames.some((s) => s.startsWith('DNS:'))
    ? undefined
    : certificate?.subjectAttributes?.find((a) => a.type === 'CN' && /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(a.value))?.value;
  const host = san ?? named ?? cn ?? 'localhost';
  const address = hostAddress(server.host);
  const requireCert = server.config.clientAuth?.require === true;
  if (server.config.responder?.kind === 'plain') {
    return `openssl s_client -connect ${address}:${server.port} -servername ${host} -CAfile ca.pem${requireCert ? ' -cert client.pem' : ''}`;
  }
  return `curl --cacert ca.pem${requireCert ? ' --cert client.pem' : ''} --resolve ${host}:${server.port}:${address} https://${host}:${server.port}/`;
}

/** A command that fetches the first recorded request from a replay server, by its recorded name. */
export function replayTryCommand(server: Pick<ReplayServerInfo, 'host' | 'port' | 'hostnames' | 'requests'>): string {
  const host = server.hostnames[0] ?? 'localhost';
  const target = server.requests[0]?.split(' ')[1] ?? '/';
  const url = `https://${host}:${server.port}${target.startsWith('/') ? target : '/'}`;
  return `curl --cacert ca.pem --resolve ${host}:${server.port}:${hostAddress(server.host)} ${shellWord(url)}`;
}

/**
 * Where the ca.pem of a server's try-it command comes from when its CA is not in the workbench:
 * the issuer to find, or, for a self-signed certificate, the certificate itself.
 */
export function caFileHint(certificate: Pick<CertificateInfo, 'subject' | 'issuer' | 'selfIssued'> | undefined): string {
  if (!certificate) return "ca.pem is the certificate of the CA that signed this server's certificate.";
  if (certificate.selfIssued) return `ca.pem is the server's certificate itself (${certificate.subject}): it is self-signed, so it is its own CA.`;
  return `ca.pem is the certificate of the CA that issued it, ${certificate.issuer}; that CA is not in the workbench.`;
}

// The certificates a TLS peer sent, as DER, leaf first, from Node's linked issuer objects.
import type tls from 'node:tls';

export interface PeerChain {
  ders: Buffer[];
  /** Node's view of the leaf (undefined when the peer sent no certificate). */
  leaf: tls.DetailedPeerCertificate | undefined;
}

/**
 * Walks the chain the peer sent. getPeerCertificate(true) costs about half a millisecond; a copy
 * Node already made (for checkServerIdentity) can be passed in and is used instead.
 */
export function peerChain(socket: tls.TLSSocket, known?: tls.PeerCertificate): PeerChain {
  const leaf = (known as tls.DetailedPeerCertificate | undefined) ?? socket.getPeerCertificate(true);
  if (!leaf || !leaf.raw) return { ders: [], leaf: undefined };
  const ders: Buffer[] = [];
  const seen = new Set<string>();
  let current: tls.DetailedPeerCertificate | undefined = leaf;
  while (current && current.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    ders.push(current.raw);
    current = current.issuerCertificate;
  }
  return { ders, leaf };
}

// Secure contexts are costly to build (every trusted certificate is parsed again), and a class
// runs the same settings over and over: keep the last few.
import tls from 'node:tls';

const LIMIT = 32;
const contexts = new Map<string, tls.SecureContext>();

export interface ClientContextSettings {
  trustId: string;
  ca: string[];
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  /** A client certificate and key to present when the server asks for one. */
  identity?: { certificateChainPem: string; keyPem: string };
}

/** Throws Node's own error (e.g. ERR_SSL_NO_CIPHER_MATCH) for settings OpenSSL refuses. */
export function clientSecureContext(settings: ClientContextSettings): tls.SecureContext {
  if (settings.identity) {
    // Not kept: the key is read (and decrypted) for this session only.
    return tls.createSecureContext({
      ca: settings.ca,
      minVersion: settings.minVersion,
      maxVersion: settings.maxVersion,
      ciphers: settings.ciphers,
      cert: settings.identity.certificateChainPem,
      key: settings.identity.keyPem,
    });
  }
  const key = JSON.stringify([settings.trustId, settings.minVersion, settings.maxVersion, settings.ciphers]);
  const hit = contexts.get(key);
  if (hit) {
    contexts.delete(key);
    contexts.set(key, hit);
    return hit;
  }
  const context = tls.createSecureContext({
    ca: settings.ca,
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    ciphers: settings.ciphers,
  });
  if (contexts.size >= LIMIT) contexts.delete(contexts.keys().next().value!);
  contexts.set(key, context);
  return context;
}

// Decryption and key material commands (issue 6). Types only.
import type { ConnectionKeys, DecryptedConnection } from './decryptTypes';

export interface DecryptMethods {
  /**
   * Key material and every derivation step, per connection (all, or the one asked for).
   * `serverKeyPath`: a PEM private key of the server, to open an RSA key exchange without a key log.
   * `ticketKey`: open each connection from its session ticket with the server's ticket key (kept
   * in the data folder's keyring by the workbench's servers), even when the key log could. Without
   * a key log the ticket key is tried anyway.
   */
  'sessions.keys': {
    params: { id: number; connectionId?: number; serverKeyPath?: string; ticketKey?: boolean };
    result: ConnectionKeys[];
  };
  /** Protected records opened, per connection; paged by record number (fromRecord, limit). */
  'sessions.decrypt': {
    params: { id: number; connectionId?: number; fromRecord?: number; limit?: number; serverKeyPath?: string; ticketKey?: boolean };
    result: DecryptedConnection[];
  };
}

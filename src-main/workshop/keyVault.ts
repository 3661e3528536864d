// Private keys at rest. With a workbench passphrase each key is sealed with AES-256-GCM under a
// key derived from it by scrypt; without one keys are kept as they are and the workshop says so.
// The derived key lives only in memory, from unlock to lock.
import { type KeyObject, createCipheriv, createDecipheriv, createHash, createPrivateKey, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { PkiKeyProtection } from '../api/pkiTypes';
import { WorkbenchError } from '../errors';
import { describeKey, exportPrivateKeyDer, publicKeyDer } from '../pki/keys';
import type { KeyRow, PkiStore } from '../store/pkiStore';

interface KdfParams {
  algorithm: 'scrypt';
  /** base64 */
  salt: string;
  N: number;
  r: number;
  p: number;
}

const KDF_DEFAULTS = { N: 1 << 15, r: 8, p: 1 };
const VERIFIER_TEXT = Buffer.from('tlslab workbench passphrase verifier v1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function deriveKey(passphrase: string, params: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(params.salt, 'base64'),
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function seal(master: Buffer, plain: Uint8Array, aad: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

/** Throws when the data was not sealed under this key (wrong passphrase) or was changed. */
function unseal(master: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const bytes = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', master, bytes.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
}

export function spkiSha256(key: KeyObject): string {
  return createHash('sha256').update(publicKeyDer(key)).digest('hex');
}

export const LOCKED_MESSAGE =
  'the private keys of this workbench are protected by the workbench passphrase, and it has not been given: ' +
  'unlock first (in the app: Certificates, Unlock; on the command line: set TLSLAB_PASSPHRASE or give --workbench-passphrase-file FILE)';

export class KeyVault {
  private master: Buffer | null = null;
  /** Opened keys by row id, while unlocked. */
  private readonly opened = new Map<number, KeyObject>();

  constructor(private readonly store: PkiStore) {}

  get passphraseSet(): boolean {
    return this.store.kdfSettings() !== undefined;
  }

  protection(): PkiKeyProtection {
    if (!this.passphraseSet) {
      return {
        status: 'not-protected',
        message: 'private keys are NOT protected: they are stored unencrypted in the workbench database; set a workbench passphrase to encrypt them',
      };
    }
    if (this.master) return { status: 'unlocked', message: 'private keys are encrypted with the workbench passphrase (unlocked)' };
    return { status: 'locked', message: 'private keys are encrypted with the workbench passphrase (locked: unlock to use them)' };
  }

  /** Checks the passphrase against the stored verifier and keeps the derived key. */
  async unlock(passphrase: string): Promise<void> {
    const settings = this.store.kdfSettings();
    if (!settings) {
      throw new WorkbenchError('NO_PASSPHRASE', 'no workbench passphrase is set, so there is nothing to unlock; the keys are stored unprotected');
    }
    const params = JSON.parse(settings.kdf_json) as KdfParams;
    const master = await deriveKey(passphrase, params);
    if (!this.verifies(master, settings.verifier)) {
      throw new WorkbenchError('WRONG_PASSPHRASE', 'the workbench passphrase is wrong: it does not open the stored keys; check it (it is case-sensitive) and try again');
    }
    this.master = master;
  }

  lock(): void {
    this.master?.fill(0);
    this.master = null;
    this.opened.clear();
  }

  /**
   * Sets or changes the workbench passphrase and re-seals every key under it, all in one
   * transaction. Changing it needs the keys unlocked or the current passphrase.
   */
  async setPassphrase(passphrase: string, current?: string): Promise<void> {
    if (passphrase.length < 4) {
      throw new WorkbenchError('BAD_INPUT', 'the workbench passphrase is too short: use at least 4 characters (a sentence is best)');
    }
    if (this.passphraseSet && !this.master) {
      if (current === undefined) {
        throw new WorkbenchError('KEYS_LOCKED', `a workbench passphrase is already set: give the current one to change it (${LOCKED_MESSAGE})`);
      }
      await this.unlock(current);
    }
    const params: KdfParams = { algorithm: 'scrypt', salt: randomBytes(16).toString('base64'), ...KDF_DEFAULTS };
    const master = await deriveKey(passphrase, params);
    const oldMaster = this.master;
    this.store.transaction(() => {
      for (const row of this.store.allKeys()) {
        const plain = this.openRow(row, oldMaster);
        this.store.replaceKeyData(row.id, 'sealed', seal(master, plain, row.spki_sha256));
      }
      this.store.setKdfSettings(JSON.stringify(params), seal(master, VERIFIER_TEXT, 'verifier'));
    });
    this.master = master;
  }

  /** Stores the key (once per public key) and returns its row id. */
  storeKey(key: KeyObject): number {
    const spki = spkiSha256(key);
    const existing = this.store.keyBySpki(spki);
    if (existing) return existing.id;
    const pkcs8 = exportPrivateKeyDer(key);
    const summary = describeKey(key).summary;
    if (this.passphraseSet) {
      if (!this.master) throw new WorkbenchError('KEYS_LOCKED', LOCKED_MESSAGE);
      return this.store.putKey(spki, summary, 'sealed', seal(this.master, pkcs8, spki));
    }
    return this.store.putKey(spki, summary, 'plain', pkcs8);
  }

  /** The private key of a row; KEYS_LOCKED when it is sealed and the vault is locked. */
  openKey(id: number): KeyObject {
    const cached = this.opened.get(id);
    if (cached) return cached;
    const row = this.store.key(id);
    if (!row) throw new WorkbenchError('PKI_NOT_FOUND', `the private key ${id} is no longer in the workbench`);
    const key = createPrivateKey({ key: this.openRow(row, this.master), format: 'der', type: 'pkcs8' });
    this.opened.set(id, key);
    return key;
  }

  forget(id: number): void {
    this.opened.delete(id);
  }

  private openRow(row: KeyRow, master: Buffer | null): Buffer {
    if (row.protection === 'plain') return row.data;
    if (!master) throw new WorkbenchError('KEYS_LOCKED', LOCKED_MESSAGE);
    try {
      return unseal(master, row.data, row.spki_sha256);
    } catch {
      throw new WorkbenchError('KEY_DAMAGED', `the stored private key ${row.id} does not decrypt under the workbench passphrase: the database was changed or damaged`);
    }
  }

  private verifies(master: Buffer, verifier: Buffer): boolean {
    try {
      const text = unseal(master, verifier, 'verifier');
      return text.length === VERIFIER_TEXT.length && timingSafeEqual(text, VERIFIER_TEXT);
    } catch {
      return false;
    }
  }
}

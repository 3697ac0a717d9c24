import { KeyDestroyedError, newDataKey, type KeyStore } from './key-store';
import { ownCopy } from './random-pool';

/**
 * Keys in memory, for tests and examples. Callers get copies, so none can change a
 * stored key; destroying overwrites the stored bytes before dropping them.
 */
export class InMemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, Buffer>();
  private readonly destroyed = new Set<string>();

  async getOrCreate(subjectId: string): Promise<Uint8Array> {
    if (this.destroyed.has(subjectId)) throw new KeyDestroyedError(subjectId);
    let key = this.keys.get(subjectId);
    if (!key) {
      key = newDataKey();
      this.keys.set(subjectId, key);
    }
    return ownCopy(key);
  }

  async get(subjectId: string): Promise<Uint8Array | undefined> {
    const key = this.keys.get(subjectId);
    return key && ownCopy(key);
  }

  async destroy(subjectId: string): Promise<void> {
    this.destroyed.add(subjectId);
    this.keys.get(subjectId)?.fill(0);
    this.keys.delete(subjectId);
  }
}

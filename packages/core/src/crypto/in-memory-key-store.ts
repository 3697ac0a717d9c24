import { KeyDestroyedError, newDataKey, type KeyStore } from './key-store';

/** Keys in memory, for tests and examples. Destroying overwrites the key bytes before dropping them. */
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
    return key;
  }

  async get(subjectId: string): Promise<Uint8Array | undefined> {
    return this.keys.get(subjectId);
  }

  async destroy(subjectId: string): Promise<void> {
    this.keys.get(subjectId)?.fill(0);
    this.keys.delete(subjectId);
    this.destroyed.add(subjectId);
  }
}

import { openValue, type KeyStore } from '../crypto';
import { valueKeyId, type KeyRef } from './key-ids';

/** A sealed value and the key it was sealed under. */
export interface HeldValue {
  readonly sealed: string;
  readonly key: KeyRef;
}

/**
 * Opens each value with its own key, bound to `<subjectId>/<category>` as it was sealed.
 * A value whose key is gone (erased) comes back as null. Each key is read once.
 */
export async function openHeldValues(keys: KeyStore, subjectId: string, held: ReadonlyMap<string, HeldValue>): Promise<Map<string, string | null>> {
  const found = new Map<string, Promise<Uint8Array | undefined>>();
  const keyOf = (id: string) => {
    let key = found.get(id);
    if (!key) found.set(id, (key = keys.get(id)));
    return key;
  };
  const opened = new Map<string, string | null>();
  for (const [category, { sealed, key: ref }] of held) {
    const key = sealed === '' ? undefined : await keyOf(valueKeyId(subjectId, category, ref));
    opened.set(category, key ? openValue(key, sealed, `${subjectId}/${category}`) : null);
  }
  return opened;
}

import { KeyDestroyedError, openValue, sealValue, type KeyStore } from '../crypto';
import { subjectErasedRefusal } from '../decider';

/**
 * Seals and opens a subject's personal values with the subject's key. Each value is bound to
 * `<subjectId>/<field>` as additional data, so a sealed value moved to another subject or
 * field does not open.
 */
export interface PersonalValues {
  /** Each value sealed under its category. */
  seal(subjectId: string, values: Readonly<Record<string, string>>): Promise<Record<string, string>>;
  /** One free text sealed under its field (`evidence`, `objection`, …), or nothing when none was given. */
  sealText(subjectId: string, field: string, text: string | undefined): Promise<string | undefined>;
  /** The values of the categories, opened; undefined once the subject's key is gone. */
  open(subjectId: string, sealed: ReadonlyMap<string, string>): Promise<Record<string, string> | undefined>;
}

export function createPersonalValues(keys: KeyStore): PersonalValues {
  /** The subject's key; an erased subject has none, and is refused as the decider would refuse them. */
  async function keyOf(subjectId: string): Promise<Uint8Array> {
    try {
      return await keys.getOrCreate(subjectId);
    } catch (error) {
      if (error instanceof KeyDestroyedError) throw subjectErasedRefusal();
      throw error;
    }
  }
  return {
    async seal(subjectId, values) {
      const key = await keyOf(subjectId);
      return Object.fromEntries(Object.entries(values).map(([category, value]) => [category, sealValue(key, value, `${subjectId}/${category}`)]));
    },
    async sealText(subjectId, field, text) {
      return text === undefined ? undefined : sealValue(await keyOf(subjectId), text, `${subjectId}/${field}`);
    },
    async open(subjectId, sealed) {
      const key = await keys.get(subjectId);
      if (!key) return undefined;
      return Object.fromEntries([...sealed].map(([category, value]) => [category, openValue(key, value, `${subjectId}/${category}`)]));
    },
  };
}

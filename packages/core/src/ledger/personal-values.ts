import { KeyDestroyedError, openValue, sealValue, type KeyStore } from '../crypto';
import { CommandRefusedError, keyGenerationOf, subjectErasedRefusal, type SubjectState } from '../decider';
import { subjectStream } from '../events';
import { categoryKeyId, openHeldValues, textKeyId, type HeldValue } from '../subject-keys';
import type { StreamFolder } from './stream-folder';

/** Values sealed for an event, with the generation of each category's key they were sealed under. */
export interface SealedValues {
  readonly values: Record<string, string>;
  readonly sealedWith: Record<string, number>;
}

/**
 * Seals and opens a subject's personal values. Each category has a key of its own
 * (`categoryKeyId`), so one category can be shredded while the others still open; free texts
 * have the subject's text key (`textKeyId`). Each value is bound to `<subjectId>/<field>` as
 * additional data, so a sealed value moved to another subject or field does not open.
 */
export interface PersonalValues {
  /** Each value sealed under its category's key of the generation `state` gives it. */
  seal(subjectId: string, values: Readonly<Record<string, string>>, state: Pick<SubjectState, 'keyGenerations'>): Promise<SealedValues>;
  /** One free text sealed under its field (`evidence`, `objection`, …), or nothing when none was given. Refused for an erased subject. */
  sealText(subjectId: string, field: string, text: string | undefined): Promise<string | undefined>;
  /** A free text `sealText` sealed under `field`, opened; undefined once the subject's text key is gone (erased). */
  openText(subjectId: string, field: string, sealed: string): Promise<string | undefined>;
  /** The values of the categories, opened; undefined when any of their keys is gone (erased). */
  open(subjectId: string, held: ReadonlyMap<string, HeldValue>): Promise<Record<string, string> | undefined>;
  /** Destroys the keys, for good; each one whether or not it exists. */
  shred(keyIds: readonly string[]): Promise<void>;
}

/** A key the ledger is about to seal under; one destroyed is refused with `refusal`. */
async function keyFor(keys: KeyStore, keyId: string, refusal: () => CommandRefusedError): Promise<Uint8Array> {
  try {
    return await keys.getOrCreate(keyId);
  } catch (error) {
    if (error instanceof KeyDestroyedError) throw refusal();
    throw error;
  }
}

/** A category key destroyed by an erasure whose record is not (or not yet) read: the erasure is under way, or was cut short before its record. */
const keyChanged = () =>
  new CommandRefusedError('key_changed', "a category's key was destroyed by an erasure not recorded yet: try again, or run that erasure again to complete its record");

export function createPersonalValues(keys: KeyStore, subjects: StreamFolder<SubjectState>): PersonalValues {
  return {
    async seal(subjectId, values, state) {
      const sealed: Record<string, string> = {};
      const sealedWith: Record<string, number> = {};
      for (const [category, value] of Object.entries(values)) {
        const generation = keyGenerationOf(state, category);
        sealed[category] = sealValue(await keyFor(keys, categoryKeyId(subjectId, category, generation), keyChanged), value, `${subjectId}/${category}`);
        sealedWith[category] = generation;
      }
      return { values: sealed, sealedWith };
    },
    async sealText(subjectId, field, text) {
      if (text === undefined) return undefined;
      // A subject erased before the text key existed has it still: their erasure is in their stream.
      const stream = subjectStream(subjectId);
      if ((subjects.cached(stream) ?? (await subjects.load(stream))).state.erased) throw subjectErasedRefusal();
      return sealValue(await keyFor(keys, textKeyId(subjectId), subjectErasedRefusal), text, `${subjectId}/${field}`);
    },
    async openText(subjectId, field, sealed) {
      const key = await keys.get(textKeyId(subjectId));
      return key && openValue(key, sealed, `${subjectId}/${field}`);
    },
    async open(subjectId, held) {
      const opened = await openHeldValues(keys, subjectId, held);
      const values: Record<string, string> = {};
      for (const [category, value] of opened) {
        if (value === null) return undefined;
        values[category] = value;
      }
      return values;
    },
    async shred(keyIds) {
      for (const keyId of keyIds) await keys.destroy(keyId);
    },
  };
}

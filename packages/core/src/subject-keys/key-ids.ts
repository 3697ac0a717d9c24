/**
 * Which key a sealed value opens with: `subject`, the subject's one key (everything sealed
 * before per-category keys), or the generation of its category's key.
 */
export type KeyRef = 'subject' | number;

// A subject id is an Identifier: letters, digits and `. _ : -`, never `/`. Every key id
// derived here holds a `/`, so none can be a subject id, and the first `/` ends the subject
// id: two different (subject, category, generation) never name the same key. Categories
// are lowercase dotted words and hold no `/` either.

/** The subject's one key: the only key before per-category keys, under which every earlier value is sealed. */
export const subjectKeyId = (subjectId: string): string => subjectId;

/** The key of the subject's free texts (consent evidence, reasons): no category's, shredded only with the whole subject. */
export const textKeyId = (subjectId: string): string => `${subjectId}/text`;

/** The key of one category of one subject, in its generation: a category erased on its own and collected again gets the next one. */
export const categoryKeyId = (subjectId: string, category: string, generation: number): string => `${subjectId}/category/${category}/${generation}`;

/** The id of the key a value of `category` sealed as `ref` opens with. */
export const valueKeyId = (subjectId: string, category: string, ref: KeyRef): string => (ref === 'subject' ? subjectKeyId(subjectId) : categoryKeyId(subjectId, category, ref));

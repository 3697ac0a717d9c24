import { z } from 'zod';
import { Actor, Category, Identifier, noRepeats, SubjectId } from '../../events';

// The pieces the command schemas share. Every command is strict (`z.strictObject`): a
// misspelt field (`expiresat`) is refused by name, not dropped.

/** No command names more purposes or categories than this; a policy that needs more is not one a person can read. */
export const MOST_NAMES = 64;

/** A list of names: at least one, at most 64, each once. */
export const Names = <T extends z.ZodType>(name: T) => z.array(name).min(1).max(MOST_NAMES).superRefine(noRepeats);

/** A personal value as given by the caller; it is sealed before anything is stored. */
const PersonalValue = z.string().min(1, 'must not be empty').max(10_000);
export const Values = z
  .record(Category, PersonalValue)
  .refine((values) => Object.keys(values).length > 0, 'must hold at least one category')
  .refine((values) => Object.keys(values).length <= MOST_NAMES, `must hold at most ${MOST_NAMES} categories`);
export const When = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => (v instanceof Date ? v : new Date(v)));
export const FreeText = z.string().min(1).max(2_000);

export const Tracing = {
  correlationId: z.string().min(1).max(200).optional(),
  causationId: z.string().min(1).max(200).optional(),
};
/** The fields of a command on a subject's stream. */
export const OnSubject = { subjectId: SubjectId, actor: Actor, ...Tracing };
/** The fields of a command on a recipient's stream. */
export const OnRecipient = { recipientId: Identifier, actor: Actor, ...Tracing };
/** The fields of a command on a stream of the application's own events. */
export const OnApplicationStream = { stream: Identifier, actor: Actor, ...Tracing };

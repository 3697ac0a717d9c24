import type { Upcasters } from './upcasters';

type Data = Record<string, unknown>;

const isData = (data: unknown): data is Data => typeof data === 'object' && data !== null && !Array.isArray(data);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * A collection of version 1 recorded one `retainUntil`, the longest retention of its
 * purposes, and sealed every value under the subject's one key. The upcaster has the event
 * and nothing else, so it cannot tell which retention the policy then in force gave each
 * purpose (a later policy may say otherwise, and would rewrite what was promised): every
 * purpose named keeps every category until that `retainUntil`, as the ledger then decided.
 */
function dataCollectedV1(data: unknown): unknown {
  if (!isData(data)) return data;
  const until = data['retainUntil'];
  const purposes = strings(data['purposes']);
  const retention = Object.fromEntries(strings(data['categories']).map((category) => [category, Object.fromEntries(purposes.map((purpose) => [purpose, until]))]));
  return { ...data, retention, sealedWith: 'subject-key' };
}

/** A rectification of version 1 sealed its values under the subject's one key. */
const dataRectifiedV1 = (data: unknown): unknown => (isData(data) ? { ...data, sealedWith: 'subject-key' } : data);

/** An erasure of version 1 erased the whole subject at their request; it did not list the categories. */
const dataErasedV1 = (data: unknown): unknown => (isData(data) ? { ...data, reason: 'erasure_request' } : data);

/** Custodian's own upcasters: each event type's data from one schema version to the next. */
export const custodianUpcasters: Upcasters = {
  DataCollected: { 1: dataCollectedV1 },
  DataRectified: { 1: dataRectifiedV1 },
  DataErased: { 1: dataErasedV1 },
};

/** Every kind of step in a subject's data lifecycle, in the words the report uses. */
export const KINDS = {
  collected: { label: 'Collected', meaning: 'data about the customer was taken in' },
  rectified: { label: 'Corrected', meaning: 'stored data was replaced by a corrected value' },
  consented: { label: 'Consented', meaning: 'the customer agreed to a purpose' },
  withdrawn: { label: 'Withdrawn', meaning: 'the customer took back a consent' },
  objected: { label: 'Objected', meaning: 'the customer objected to processing' },
  'opted-out': { label: 'Opted out', meaning: "the customer's browser sent a Global Privacy Control signal: no selling, sharing or targeted advertising" },
  restricted: { label: 'Restricted', meaning: "processing was put on hold at the customer's request" },
  'restriction-lifted': { label: 'Restriction lifted', meaning: 'processing could resume' },
  accessed: { label: 'Read', meaning: 'someone read the data, with a valid reason' },
  used: { label: 'Used', meaning: 'the data was used for a purpose, with a valid reason' },
  shared: { label: 'Shared', meaning: 'a copy went to another company' },
  'share-revoked': { label: 'Sharing stopped', meaning: 'a recipient may no longer use its copy' },
  refused: { label: 'Refused', meaning: 'an attempt to use or share the data was blocked' },
  'erasure-requested': { label: 'Erasure asked', meaning: 'the customer asked for their data to be erased' },
  erased: { label: 'Erased', meaning: 'the data was destroyed for good' },
  'erasure-confirmed': { label: 'Copy erased', meaning: 'a recipient confirmed it erased its copy' },
  'notice-owed': { label: 'Recipient to be told', meaning: 'a recipient holding a copy must be told of a correction, restriction or withdrawal' },
  'notice-confirmed': { label: 'Recipient updated', meaning: 'a recipient confirmed it acted on a change it was told of' },
  'access-requested': { label: 'Copy asked', meaning: 'the customer asked for a copy of their data' },
  'access-fulfilled': { label: 'Copy handed over', meaning: 'the customer was given a copy of their data' },
  'deadline-extended': { label: 'More time taken', meaning: 'the deadline to answer a request of the customer was extended' },
} as const;

export type TimelineKind = keyof typeof KINDS;

/** The seven steps every reader looks for first; the legend always explains them. */
export const MAIN_KINDS: readonly TimelineKind[] = ['collected', 'consented', 'used', 'shared', 'refused', 'withdrawn', 'erased'];

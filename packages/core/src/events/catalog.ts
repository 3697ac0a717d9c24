import type { z } from 'zod';
import { applicationEvents } from './application';
import { collectionEvents } from './collection';
import { consentEvents } from './consent';
import { erasureEvents } from './erasure';
import { policyEvents } from './policy';
import { recipientEvents } from './recipients';
import { requestEvents } from './requests';
import { shareEvents } from './share';
import { useEvents } from './use';
import type { ChainLinks, EnvelopeMeta } from './envelope';

/** One entry per event type: its current schema version and the schema of its `data`. */
export type CatalogEntry = { readonly schemaVersion: number; readonly schema: z.ZodType };
export type Catalog = Readonly<Record<string, CatalogEntry>>;

/** Every event Custodian writes, grouped by lifecycle area. */
export const catalog = {
  ...collectionEvents,
  ...consentEvents,
  ...useEvents,
  ...shareEvents,
  ...erasureEvents,
  ...requestEvents,
  ...recipientEvents,
  ...policyEvents,
  ...applicationEvents,
} as const satisfies Catalog;

export const eventAreas = {
  collection: Object.keys(collectionEvents),
  consent: Object.keys(consentEvents),
  use: Object.keys(useEvents),
  share: Object.keys(shareEvents),
  erasure: Object.keys(erasureEvents),
  requests: Object.keys(requestEvents),
  recipients: Object.keys(recipientEvents),
  policy: Object.keys(policyEvents),
  application: Object.keys(applicationEvents),
} as { readonly [area: string]: readonly EventType[] };

export type EventType = keyof typeof catalog;
export type EventData<T extends EventType> = z.infer<(typeof catalog)[T]['schema']>;

/** An event before it is sealed into the chain. */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: Omit<EnvelopeMeta, 'type'> & { type: K; data: EventData<K> };
}[T];

/** An event as stored: the envelope with its chain links. */
export type CustodianEvent<T extends EventType = EventType> = NewEvent<T> & ChainLinks;

export const eventTypes = Object.keys(catalog) as EventType[];

import { lastEnd, retentionOfCategory, type CustodianEvent } from '../events';
import type { HeldCategoryFacts, SubjectFacts } from '../policy';

/** A category's retention per purpose and when it was last collected: what a purpose's own retention is judged by. */
interface CategoryTerms {
  readonly retention: Readonly<Record<string, string>>;
  readonly collectedAt: string;
}

/**
 * One subject as the rules see it, and nothing more: a replay of the whole log holds one
 * per customer, so it keeps neither the sealed values, the shares nor the requests that
 * the decider's `SubjectState` carries (about 1.3 KB a customer). Lists are flat (a
 * category, its event, its retention; a purpose, its status, its event, its expiry) and
 * their words are interned, so a customer costs a few small arrays and the ids they name.
 * A change replaces an array with one of exactly its new size: they hold a few entries
 * and change a few times a customer, where a growing array would keep spare capacity.
 */
export interface HeldFacts {
  collected: readonly string[];
  consents: readonly (string | undefined)[];
  objections: { readonly eventId: string; readonly purposes?: readonly string[] | undefined }[] | undefined;
  /** Rare, so absent until a signal or an overriding grant is seen. */
  optOuts?: Map<string, { readonly eventId: string; readonly signal: string }> | undefined;
  objectionOverrides?: Map<string, string> | undefined;
  restriction: string | undefined;
  erasureRequested: string | undefined;
  erased: string | undefined;
  /** Per category held, its terms; the category's `retainUntil` in `collected` is the last of them. */
  terms: Map<string, CategoryTerms> | undefined;
  /** Categories erased on their own, flat: a category, its `DataErased`. */
  erasedCategories: readonly string[] | undefined;
}

const COLLECTED = 3;
const CONSENT = 4;

/**
 * Folds a subject's events into facts that only this replay holds: it changes them in
 * place, which no caller can see, since they are handed out only as `factsOf` copies.
 */
export function createFactsFold() {
  const words = new Map<string, string>();
  const word = (text: string) => {
    const known = words.get(text);
    if (known !== undefined) return known;
    words.set(text, text);
    return text;
  };

  function absorb(held: HeldFacts, event: CustodianEvent): void {
    switch (event.type) {
      case 'DataCollected':
        for (const category of event.data.categories) {
          const at = find(held.collected, category, COLLECTED);
          // As the decider holds it: each purpose's latest collection counts, the category kept until the last of them.
          const retention = { ...held.terms?.get(category)?.retention, ...retentionOfCategory(event.data, category) };
          (held.terms ??= new Map()).set(category, { retention, collectedAt: event.occurredAt });
          const entry = [word(category), event.id, word(lastEnd(Object.values(retention), event.data.retainUntil))];
          held.collected = at < 0 ? [...held.collected, ...entry] : held.collected.map((item, i) => (i > at && i < at + COLLECTED ? (entry[i - at] as string) : item));
        }
        if (held.erasedCategories) held.erasedCategories = withoutEntries(held.erasedCategories, event.data.categories, 2);
        return;
      case 'DataRectified':
        for (const category of event.data.categories) {
          const at = find(held.collected, category, COLLECTED);
          if (at >= 0) held.collected = held.collected.map((item, i) => (i === at + 1 ? event.id : item));
        }
        return;
      case 'ConsentGranted': {
        const at = find(held.consents, event.data.purpose, CONSENT);
        const entry = [word(event.data.purpose), 'granted', event.id, event.data.expiresAt];
        held.consents = at < 0 ? [...held.consents, ...entry] : held.consents.map((item, i) => (i > at && i < at + CONSENT ? entry[i - at] : item));
        if (event.data.overridesSignal !== undefined) held.optOuts?.delete(event.data.purpose);
        if (event.data.overridesObjection !== undefined) (held.objectionOverrides ??= new Map()).set(word(event.data.purpose), event.data.overridesObjection);
        return;
      }
      case 'PrivacySignalApplied':
        for (const purpose of event.data.purposes) (held.optOuts ??= new Map()).set(word(purpose), { eventId: event.id, signal: event.data.signal });
        return;
      case 'ConsentWithdrawn': {
        const at = find(held.consents, event.data.purpose, CONSENT);
        if (at >= 0) held.consents = held.consents.map((item, i) => (i === at + 1 ? 'withdrawn' : i === at + 2 ? event.id : item));
        return;
      }
      case 'ObjectionRaised':
        held.objections = [...(held.objections ?? []), { eventId: event.id, purposes: event.data.purposes?.map(word) }];
        return;
      case 'ProcessingRestricted':
        held.restriction = event.id;
        return;
      case 'RestrictionLifted':
        held.restriction = undefined;
        return;
      case 'ErasureRequested':
        held.erasureRequested = event.id;
        return;
      case 'DataErased':
        if (event.data.scope === 'all') held.erased = event.id;
        else eraseCategories(held, event.id, event.data.categories ?? [], word);
        return;
      default:
    }
  }

  return {
    absorb,
    empty: (): HeldFacts => ({
      collected: [],
      consents: [],
      objections: undefined,
      restriction: undefined,
      erasureRequested: undefined,
      erased: undefined,
      terms: undefined,
      erasedCategories: undefined,
    }),
  };
}

/** Categories erased on their own: no longer held, their terms dropped, each listed with the erasure. */
function eraseCategories(held: HeldFacts, eventId: string, categories: readonly string[], word: (text: string) => string): void {
  held.collected = withoutEntries(held.collected, categories, COLLECTED);
  for (const category of categories) held.terms?.delete(category);
  held.erasedCategories = [...withoutEntries(held.erasedCategories ?? [], categories, 2), ...categories.flatMap((category) => [word(category), eventId])];
}

/** The flat list without the entries (of `stride` items) whose first item is one of `keys`. */
function withoutEntries(list: readonly string[], keys: readonly string[], stride: number): readonly string[] {
  const kept: string[] = [];
  for (let i = 0; i < list.length; i += stride) if (!keys.includes(list[i] as string)) kept.push(...list.slice(i, i + stride));
  return kept;
}

function find(list: readonly (string | undefined)[], key: string, stride: number): number {
  for (let i = 0; i < list.length; i += stride) if (list[i] === key) return i;
  return -1;
}

const eventRef = (eventId: string | undefined) => (eventId === undefined ? undefined : { eventId });

/** The facts as the rules take them: a fresh copy, so nothing handed out changes as the replay goes on. */
export function factsOf(held: HeldFacts): SubjectFacts {
  const collected = new Map<string, HeldCategoryFacts>();
  for (let i = 0; i < held.collected.length; i += COLLECTED) {
    const category = held.collected[i] as string;
    const terms = held.terms?.get(category);
    collected.set(category, {
      eventId: held.collected[i + 1] as string,
      retainUntil: held.collected[i + 2] as string,
      retention: terms?.retention,
      collectedAt: terms?.collectedAt,
    });
  }
  const erasedCategories = new Map<string, string>();
  for (let i = 0; i < (held.erasedCategories ?? []).length; i += 2) erasedCategories.set(held.erasedCategories?.[i] as string, held.erasedCategories?.[i + 1] as string);
  const consents = new Map<string, { status: 'granted' | 'withdrawn'; eventId: string; expiresAt?: string | undefined }>();
  for (let i = 0; i < held.consents.length; i += CONSENT)
    consents.set(held.consents[i] as string, {
      status: held.consents[i + 1] as 'granted' | 'withdrawn',
      eventId: held.consents[i + 2] as string,
      expiresAt: held.consents[i + 3],
    });
  return {
    collected,
    consents,
    objections: held.objections ? [...held.objections] : [],
    ...(held.optOuts && { optOuts: new Map(held.optOuts) }),
    ...(held.objectionOverrides && { objectionOverrides: new Map(held.objectionOverrides) }),
    restriction: eventRef(held.restriction),
    erasureRequested: eventRef(held.erasureRequested),
    erased: eventRef(held.erased),
    erasedCategories: erasedCategories.size > 0 ? erasedCategories : undefined,
  };
}

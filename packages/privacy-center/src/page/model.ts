import {
  basisWords,
  copyWords,
  RECEIPT_EVENT_TYPES,
  retentionWords,
  type ConsentState,
  type Notice,
  type Policy,
  type RequestDeadline,
  type SubjectView,
  type TimelineItem,
} from '@custodian/core';

/** One purpose as she sees it: what it is for, what allows it, and what she may do about it. */
export interface CenterPurpose {
  readonly purpose: string;
  readonly description?: string | undefined;
  readonly legalBasis: string;
  readonly basis: string;
  /** Whether her data is held for it now. */
  readonly held: boolean;
  readonly consent?: ConsentState[string] | undefined;
  readonly canGrant: boolean;
  readonly canWithdraw: boolean;
  readonly canObject: boolean;
}

/** Her page, as data: what the HTML shows and the JSON API returns. Kinds of data, never values. */
export interface CenterPage {
  readonly subjectId: string;
  readonly generatedAt: string;
  readonly chain: { readonly ok: boolean; readonly checked: number; readonly brokenAtEventId?: string | undefined; readonly explanation?: string | undefined };
  readonly data: readonly { readonly category: string; readonly source: string; readonly purposes: readonly string[]; readonly collectedAt: string; readonly kept: string }[];
  readonly purposes: readonly CenterPurpose[];
  /** The notice a consent given here is given under. */
  readonly notice: Notice;
  readonly timeline: readonly TimelineItem[];
  readonly recipients: readonly {
    readonly id: string;
    readonly name?: string | undefined;
    readonly country?: string | undefined;
    readonly categories: readonly string[];
    readonly purposes: readonly string[];
    readonly copy: string;
    readonly erasure: string;
  }[];
  readonly erasure: { readonly requestedAt?: string | undefined; readonly erased: boolean; readonly erasedAt?: string | undefined };
  readonly restricted: boolean;
  readonly openRequests: readonly RequestDeadline[];
  /** Her acts a receipt can be given for, each with where to download it when the ledger is signed. */
  readonly receipts: {
    readonly available: boolean;
    readonly acts: readonly { readonly eventId: string; readonly eventType: string; readonly at: string; readonly what: string; readonly url?: string | undefined }[];
  };
  /** The latest checkpoint the company signed, and how many of her events its tree holds; absent when the ledger is not signed. */
  readonly checkpoint?: CheckpointCoverage | undefined;
  /** The form token of this page: each action takes one, once. */
  readonly csrfToken: string;
}

/**
 * Which signed checkpoint her history stands in. The page is the company's word; the proof is
 * hers to check without it: the signed note (downloadable) and a receipt per act, each an
 * inclusion proof against a checkpoint that any RFC 6962 tool verifies with the public key.
 */
export interface CheckpointCoverage {
  readonly origin: string;
  readonly size: number;
  /** The tree's root, base64, as the checkpoint's third line. */
  readonly root: string;
  /** Her events in the tree that checkpoint signed, of all her events. */
  readonly covered: number;
  readonly of: number;
  /** Where the signed note downloads. */
  readonly url: string;
}

export interface PageContext {
  readonly subjectId: string;
  readonly now: Date;
  readonly policy: Policy;
  readonly notice: Notice;
  readonly receiptsAvailable: boolean;
  readonly receiptUrl: (eventId: string) => string;
  readonly csrfToken: string;
  /** How many of these event ids the latest signed checkpoint covers; absent when the ledger is not signed. */
  readonly checkpoint?: ((eventIds: readonly string[]) => CheckpointCoverage | undefined) | undefined;
}

const RECEIPTED: ReadonlySet<string> = new Set(RECEIPT_EVENT_TYPES);

/** Her page from her view; a subject the ledger holds nothing about has an empty one, with her choices still offered. */
export function pageOf(view: SubjectView | undefined, context: PageContext): CenterPage {
  const overview = view?.overview;
  const erased = overview?.erased ?? false;
  return {
    subjectId: context.subjectId,
    generatedAt: context.now.toISOString(),
    chain: { ok: view?.chain.ok ?? true, checked: view?.chain.checked ?? 0, brokenAtEventId: view?.chain.broken?.eventId, explanation: view?.chain.broken?.explanation },
    data: (overview?.categories ?? []).map((held) => ({
      category: held.category,
      source: held.source,
      purposes: held.purposes,
      collectedAt: held.collectedAt,
      kept: erased ? 'erased' : retentionWords(held.retention, held.retainUntil),
    })),
    purposes: purposesOf(view, context.policy),
    notice: context.notice,
    timeline: view?.items ?? [],
    recipients: (overview?.recipients ?? []).map((r) => ({
      id: r.id,
      name: r.name,
      country: r.country,
      categories: r.categories,
      purposes: r.purposes,
      copy: copyWords(r),
      erasure: r.erasure,
    })),
    erasure: { requestedAt: overview?.erasureRequestedAt, erased, erasedAt: overview?.erasedAt },
    restricted: isRestricted(view?.items ?? []),
    openRequests: overview?.openRequests ?? [],
    receipts: {
      available: context.receiptsAvailable,
      acts: (view?.items ?? [])
        .filter((item) => RECEIPTED.has(item.eventType))
        .map((item) => ({
          eventId: item.eventId,
          eventType: item.eventType,
          at: item.at,
          what: item.what,
          url: context.receiptsAvailable ? context.receiptUrl(item.eventId) : undefined,
        })),
    },
    checkpoint: context.checkpoint?.((view?.items ?? []).map((item) => item.eventId)),
    csrfToken: context.csrfToken,
  };
}

function purposesOf(view: SubjectView | undefined, policy: Policy): CenterPurpose[] {
  const held = new Set(view?.inventory.categories.flatMap((category) => category.purposes) ?? []);
  return [...policy.purposes]
    .filter(([purpose, rule]) => held.has(purpose) || rule.legalBasis === 'consent')
    .map(([purpose, rule]) => {
      const consent = view?.consents[purpose];
      const isConsent = rule.legalBasis === 'consent';
      return {
        purpose,
        description: rule.description,
        legalBasis: rule.legalBasis,
        basis: basisWords(rule.legalBasis),
        held: held.has(purpose),
        consent,
        canGrant: isConsent && consent?.status !== 'granted',
        canWithdraw: isConsent && consent?.status === 'granted',
        canObject: rule.legalBasis === 'legitimate_interests' || rule.legalBasis === 'public_task' || rule.directMarketing === true,
      };
    });
}

/** Whether processing stands restricted: her last restriction was not lifted. */
function isRestricted(items: readonly TimelineItem[]): boolean {
  const last = items.filter((item) => item.kind === 'restricted' || item.kind === 'restriction-lifted').at(-1);
  return last?.kind === 'restricted';
}

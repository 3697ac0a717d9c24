import { Notice, parseOrThrow, z, type Checkpointer, type Ledger } from '@custodian/core';

export interface PrivacyCenterOptions {
  readonly ledger: Ledger;
  /** At least 32 bytes, kept secret: links, session cookies and form tokens are signed with it. */
  readonly secret: string | Uint8Array;
  /** The host's own session: her subject id when she is signed in to the host's service. */
  readonly identify?: (request: Request) => string | undefined | Promise<string | undefined>;
  /** The privacy notice a consent given in the center is given under. */
  readonly notice: Notice;
  /** Where the center is mounted: `/privacy`; default the root. */
  readonly basePath?: string;
  /** The service's name on her page. */
  readonly title?: string;
  /** How long a session opened by a link lasts; default 30 minutes. */
  readonly sessionTtlMs?: number;
  /** How long a form token stays good; default 1 hour (and never past its session). */
  readonly csrfTtlMs?: number;
  /** The signer of the ledger's checkpoints: with it, each of her acts has a receipt to download, proven once a checkpoint covers it. */
  readonly checkpointer?: Pick<Checkpointer, 'latest' | 'log'>;
  readonly now?: () => Date;
  /** Told of each unexpected failure, which she sees as a 500 without detail. */
  readonly onError?: (error: unknown) => void;
  /**
   * Her streams kept between visits, checked by the last record of each (see the README):
   * default 1,000 customers, each read and checked again in full after 60 seconds; `false`
   * reads and checks her whole stream at every visit.
   */
  readonly subjectCache?: false | { readonly maxEntries?: number; readonly maxAgeMs?: number };
}

const Settings = z.strictObject({
  secret: z.union([z.string(), z.instanceof(Uint8Array)]).refine((secret) => Buffer.byteLength(secret) >= 32, 'must be at least 32 bytes'),
  notice: Notice,
  basePath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path such as /privacy, without a trailing slash')
    .default(''),
  title: z.string().min(1).max(200).default('our service'),
  sessionTtlMs: z
    .number()
    .int()
    .min(1_000)
    .default(30 * 60_000),
  csrfTtlMs: z
    .number()
    .int()
    .min(1_000)
    .default(60 * 60_000),
  subjectCache: z
    .strictObject({
      maxEntries: z.number().int().min(1).max(10_000_000).default(1_000),
      maxAgeMs: z.number().int().min(1).default(60_000),
    })
    .default({ maxEntries: 1_000, maxAgeMs: 60_000 }),
});

export type Settings = Omit<z.output<typeof Settings>, 'subjectCache'> & {
  readonly secret: Buffer;
  readonly subjectCache: z.output<typeof Settings>['subjectCache'] | false;
};

/** The options' plain values, checked: a short secret or a malformed base path stops the host at start-up. */
export function settingsOf(options: PrivacyCenterOptions): Settings {
  const { secret, notice, basePath, title, sessionTtlMs, csrfTtlMs, subjectCache } = options;
  // `false` is taken before the schema, so a wrong field of the object is named as such.
  const checked = { secret, notice, basePath, title, sessionTtlMs, csrfTtlMs, subjectCache: subjectCache === false ? undefined : subjectCache };
  const settings = parseOrThrow(Settings, checked, 'createPrivacyCenter');
  return { ...settings, secret: Buffer.from(settings.secret), subjectCache: subjectCache === false ? false : settings.subjectCache };
}

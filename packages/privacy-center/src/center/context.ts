import type { Ledger } from '@custodian/core';
import type { CodeGate, CsrfGuard, Sealer } from '../auth';
import type { RenderContext } from '../page';
import type { PrivacyCenterOptions } from './options';
import type { Settings } from './options';
import type { SubjectCache } from './subject-cache';

/** What the center's routes share, made once by `createPrivacyCenter`. */
export interface CenterContext {
  readonly settings: Settings;
  readonly ledger: Ledger;
  readonly sealer: Sealer;
  readonly csrf: CsrfGuard;
  /** The codes of links that ask for one, and their wrong attempts. */
  readonly codes: CodeGate;
  readonly render: RenderContext;
  readonly receiptUrl: (eventId: string) => string;
  readonly checkpointer: PrivacyCenterOptions['checkpointer'];
  /** Her streams, read and checked, kept between visits unless the host turned it off. */
  readonly subjects: SubjectCache;
}

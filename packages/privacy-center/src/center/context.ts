import type { Ledger } from '@custodian/core';
import type { CsrfGuard, Sealer } from '../auth';
import type { RenderContext } from '../page';
import type { PrivacyCenterOptions } from './options';
import type { Settings } from './options';

/** What the center's routes share, made once by `createPrivacyCenter`. */
export interface CenterContext {
  readonly settings: Settings;
  readonly ledger: Ledger;
  readonly sealer: Sealer;
  readonly csrf: CsrfGuard;
  readonly render: RenderContext;
  readonly receiptUrl: (eventId: string) => string;
  readonly checkpointer: PrivacyCenterOptions['checkpointer'];
}

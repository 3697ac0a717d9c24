export { applyToProjection, foldProjection, type Projection } from './projection';
export { consentProjection, consentStateAt, type ConsentRecord, type ConsentState, type ConsentStatus } from './consent-state';
export { historyProjection, type HistoryEntry } from './history';
export { inventoryProjection, type HeldCategory, type Inventory, type RecipientCopy } from './inventory';
export { recipientsProjection, type RecipientEntry, type RecipientReceipt } from './recipients';
export { createReadSide, type ReadOptions, type ReadSide } from './read-side';
export { recordedBy, type AsOf } from './as-of';

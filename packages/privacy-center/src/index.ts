// The privacy center: where a customer sees what a company holds about her and why, every
// use and share of her data, and exercises her rights, each an event of the ledger with its
// receipt. A handler on the standard fetch Request/Response; `nodeListener` mounts it on node:http.
export { createPrivacyCenter, type CodeLink, type PrivacyCenter, type PrivacyCenterOptions } from './center';
export { nodeListener, toFetchRequest, writeResponse, type FetchHandler, type ToFetchRequestOptions } from './http';
export type { CenterPage, CenterPurpose, CheckpointCoverage } from './page';
export {
  ActionRefusedError,
  BadFieldError,
  CodeExpiredError,
  CodeLockedError,
  CodeUsedError,
  CodeWrongError,
  CsrfError,
  InternalError,
  InvalidTokenError,
  LinkExpiredError,
  MethodNotAllowedError,
  NoCheckpointError,
  NoReceiptError,
  NotSignedInError,
  PrivacyCenterError,
  ReceiptsUnavailableError,
  RouteNotFoundError,
  UnknownPurposeError,
  type CsrfProblem,
} from './errors';

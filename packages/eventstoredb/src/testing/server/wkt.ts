import type { Status } from '@eventstore/db-client/generated/status_pb';
import type { BatchAppendReq } from '@eventstore/db-client/generated/streams_pb';

// google-protobuf's well-known types have no typings reachable from here (the client
// packages bring their own), so their constructors are typed from the generated
// messages that carry them.
type AnyMessage = NonNullable<ReturnType<Status['getDetails']>>;
type EmptyMessage = NonNullable<ReturnType<BatchAppendReq.Options['getNoStream']>>;

/* eslint-disable @typescript-eslint/no-require-imports */
export const { Any } = require('google-protobuf/google/protobuf/any_pb') as { Any: new () => AnyMessage };
export const { Empty } = require('google-protobuf/google/protobuf/empty_pb') as { Empty: new () => EmptyMessage };

import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { DeleteReq, DeleteResp, TombstoneReq, TombstoneResp } from '@eventstore/db-client/generated/streams_pb';
import type { EventLog, Expected, WriteOutcome } from './log';
import { expectedFrom, streamDeletedError, streamNameOf, wrongExpectedVersionError } from './wire';

/** Streams.Delete: a soft delete, which later appends can undo. */
export function handleDelete(log: EventLog) {
  return (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void => {
    const options = call.request.getOptions() ?? new DeleteReq.Options();
    const stream = streamNameOf(options.getStreamIdentifier());
    const cases = DeleteReq.Options.ExpectedStreamRevisionCase;
    const expected = expectedFrom(options.getExpectedStreamRevisionCase(), { revision: cases.REVISION, noStream: cases.NO_STREAM, streamExists: cases.STREAM_EXISTS }, () =>
      options.getRevision(),
    );
    answer(log.softDelete(stream, expected), stream, expected, callback, (commit) =>
      new DeleteResp().setPosition(new DeleteResp.Position().setCommitPosition(commit).setPreparePosition(commit)),
    );
  };
}

/** Streams.Tombstone: a hard delete; the stream can never be written again. */
export function handleTombstone(log: EventLog) {
  return (call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>): void => {
    const options = call.request.getOptions() ?? new TombstoneReq.Options();
    const stream = streamNameOf(options.getStreamIdentifier());
    const cases = TombstoneReq.Options.ExpectedStreamRevisionCase;
    const expected = expectedFrom(options.getExpectedStreamRevisionCase(), { revision: cases.REVISION, noStream: cases.NO_STREAM, streamExists: cases.STREAM_EXISTS }, () =>
      options.getRevision(),
    );
    answer(log.tombstone(stream, expected), stream, expected, callback, (commit) =>
      new TombstoneResp().setPosition(new TombstoneResp.Position().setCommitPosition(commit).setPreparePosition(commit)),
    );
  };
}

function answer<R>(outcome: WriteOutcome, stream: string, expected: Expected, callback: sendUnaryData<R>, success: (commit: string) => R): void {
  if (outcome.ok) callback(null, success(outcome.position.toString()));
  else if (outcome.reason === 'stream-deleted') callback(streamDeletedError(stream));
  else callback(wrongExpectedVersionError(stream, expected, outcome.current));
}

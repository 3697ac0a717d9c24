// The head a child writer chains its next event to, as the ledger finds it: the stream's last
// revision and hash, checked against the record's bytes and its stream. Shared by the writers
// of the crash and write-lock tests.
'use strict';
const { GENESIS_HASH, checkRecord } = require('@custodian/core');
const { streamMember } = require('@custodian/core/store-kit');

async function streamHead(store, stream) {
  try {
    for await (const last of store.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
      const check = checkRecord(last.data, streamMember(stream));
      if (!check.ok) throw new Error(`${stream}@${last.revision} is ${check.reason}`);
      return { revision: last.revision, hash: check.hash };
    }
  } catch (error) {
    if (error.code !== 'STREAM_NOT_FOUND') throw error;
  }
  return { revision: 'no_stream', hash: GENESIS_HASH };
}

module.exports = { streamHead };

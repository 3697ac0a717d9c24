export { canonicalJson } from './canonical-json';
export { GENESIS_HASH, checkRecord, sealRecord, type RecordCheck } from './chain';

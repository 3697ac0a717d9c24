// The questions auditors ask across subjects: everything one actor did, everything one
// recipient received, each in a time range, read from the whole log in one pass and told in
// the subject view's words.
export { actorTrail, recipientTrail, type TrailEntry, type TrailOptions } from './trail';
export { registryWords } from './words';

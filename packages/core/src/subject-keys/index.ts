export { categoryKeyId, valueKeyId, subjectKeyId, textKeyId, type KeyRef } from './key-ids';
export { openHeldValues, type HeldValue } from './open-values';

/**
 * `@custodian/core/testing`: raw access to an InMemoryEventStore's stored bytes, for tests
 * that play an attacker with the storage (tampering, copying streams, forging records). It
 * is no method of the store, so nothing an application holds can overwrite its history.
 */
export { insertRaw, overwriteRaw, rawRecords } from './store';

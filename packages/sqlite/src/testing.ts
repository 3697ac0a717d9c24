/**
 * `@custodian/sqlite/testing`: raw access to a SQLite store's stored bytes, for tests that
 * play an attacker with write access to the file. It is no method of the store, so nothing
 * an application holds can overwrite its history through it.
 */
export { overwriteRaw, rawRecords } from './sqlite-event-store';

/** `@custodian/postgres/test-support`: a fresh PostgreSQL database for the tests of the other workspace packages (never built or published). */
export { startTestDatabase, useTestDatabase, type TestDatabase } from './postgres';

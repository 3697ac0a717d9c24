/** What broke, as a pg error says it: the server's SQLSTATE, or the socket's code, or the driver's words for a dropped connection. */
export function failureReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

// Class 08 is "connection exception"; 57P01-57P03 are the server shutting down or ending the
// backend (pg_terminate_backend); the rest are the socket's and the driver's own words.
const LOST_STATES = /^(08...|57P0[1-3])$/;
const LOST_SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'ECONNABORTED']);
const LOST_WORDS = /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i;

/** Whether an error means the connection or the server went away (the statement's outcome is then unknown), not that the SQL failed. */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (LOST_STATES.test(code) || LOST_SOCKET.has(code))) return true;
  return error instanceof Error && LOST_WORDS.test(error.message);
}

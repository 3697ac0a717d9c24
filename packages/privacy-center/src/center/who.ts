import { cookieValue, openSession, SESSION_COOKIE, type Sealer, type Session } from '../auth';

/** Who is asking: the host's signed-in customer, or else the one a session cookie of ours names. */
export async function whoIsAsking(
  request: Request,
  deps: { sealer: Sealer; identify?: ((request: Request) => string | undefined | Promise<string | undefined>) | undefined; now: Date; csrfTtlMs: number },
): Promise<Session> {
  const hosted = await deps.identify?.(request);
  // The host's session is the host's to keep; form tokens are bound to her subject id there.
  if (hosted !== undefined) return { subjectId: hosted, sessionId: `host:${hosted}`, expiresAt: deps.now.getTime() + deps.csrfTtlMs };
  return openSession(deps.sealer, cookieValue(request.headers.get('cookie'), SESSION_COOKIE), deps.now);
}

export { createSealer, type Sealer, type TokenKind } from './signed';
export { LinkRequest, openLink, signLink } from './link';
export { cookieValue, newSession, openSession, SESSION_COOKIE, sessionCookie, type Session } from './session';
export { createCsrfGuard, type CsrfGuard } from './csrf';

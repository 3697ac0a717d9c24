export { createSealer, type Sealer, type TokenKind } from './signed';
export { LinkRequest, openLink, signCodeLink, signLink, type OpenedLink } from './link';
export { CODE_ATTEMPTS, CODE_TTL_MS, createCodeGate, type CodeCheck, type CodeGate } from './code';
export { cookieValue, newSession, openSession, SESSION_COOKIE, sessionCookie, type Session } from './session';
export { createCsrfGuard, type CsrfGuard } from './csrf';

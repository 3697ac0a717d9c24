import { parseOrThrow } from '@custodian/core';
import { createCodeGate, createCsrfGuard, createSealer, LinkRequest, signCodeLink, signLink } from '../auth';
import type { CenterContext } from './context';
import { errorResponse, publicError } from './errors';
import { actionRoute, checkpointRoute, pageRoute, receiptRoute } from './handlers';
import { linkRoute } from './link-route';
import { settingsOf, type PrivacyCenterOptions } from './options';
import { routeOf } from './routes';
import { createSubjectCache } from './subject-cache';
import { whoIsAsking } from './who';

export interface PrivacyCenter {
  /** Answers one request of the center's routes: her page, a link, an action, a receipt. Never throws. */
  handle(request: Request): Promise<Response>;
  /** The path of a link that opens her page until `expiresAt`, to send to her alone. */
  issueLink(request: { readonly subjectId: string; readonly expiresAt: Date }): string;
  /**
   * A link that opens her page only with the 6-digit `code` returned beside it, which the host
   * sends her by a second channel (SMS, or email when the link goes by SMS). The code is never
   * in the link; it is good for 10 minutes from now (`codeExpiresAt`), whatever the link's own
   * expiry, and 3 wrong ones kill the link.
   */
  issueCodeLink(request: { readonly subjectId: string; readonly expiresAt: Date }): CodeLink;
}

export interface CodeLink {
  /** The path of the link, as `issueLink` gives it. */
  readonly link: string;
  /** Six digits, to send her by another channel than the link. */
  readonly code: string;
  readonly codeExpiresAt: Date;
}

/** The customer's own page and its JSON API, on the standard fetch `Request` and `Response`. */
export function createPrivacyCenter(options: PrivacyCenterOptions): PrivacyCenter {
  const settings = settingsOf(options);
  const { ledger, identify, checkpointer, onError } = options;
  const now = options.now ?? (() => new Date());
  const sealer = createSealer(settings.secret);
  const href = (path: string) => `${settings.basePath}${path}`;
  const center: CenterContext = {
    settings,
    ledger,
    sealer,
    csrf: createCsrfGuard(sealer, settings.csrfTtlMs),
    codes: createCodeGate(settings.secret),
    render: { title: settings.title, href },
    receiptUrl: (eventId) => href(`/receipts/${eventId}`),
    checkpointer,
    subjects: createSubjectCache(ledger.store, settings.subjectCache),
  };

  async function route(request: Request): Promise<Response> {
    const found = routeOf(request, settings.basePath);
    const at = now();
    if (found.name === 'link') return linkRoute(center, request, found.token, at);
    if (found.name === 'checkpoint') return checkpointRoute(center);
    const session = await whoIsAsking(request, { sealer, identify, now: at, csrfTtlMs: settings.csrfTtlMs });
    if (found.name === 'page') return pageRoute(center, request, session, at);
    if (found.name === 'receipt') return receiptRoute(center, session, found.eventId);
    return actionRoute(center, request, found.action, session, at);
  }

  return {
    async handle(request) {
      try {
        return await route(request);
      } catch (error) {
        return errorResponse(request, publicError(error, onError), center.render);
      }
    },
    issueLink(request) {
      return href(`/link/${signLink(sealer, parseOrThrow(LinkRequest, request, 'issueLink'))}`);
    },
    issueCodeLink(request) {
      const { token, code, codeExpiresAt } = signCodeLink(sealer, center.codes, parseOrThrow(LinkRequest, request, 'issueCodeLink'), now());
      return { link: href(`/link/${token}`), code, codeExpiresAt };
    },
  };
}

import { CommandRefusedError, type AccessRequestResult, type Actor, type CustodianEvent, type Ledger, type Notice } from '@custodian/core';
import { ActionRefusedError, UnknownPurposeError } from '../errors';
import type { ActionForm, ActionName } from './forms';

/** What an action did: one event, said in words, or her export. */
export type ActionOutcome = { readonly kind: 'event'; readonly event: CustodianEvent; readonly what: string } | { readonly kind: 'export'; readonly result: AccessRequestResult };

export interface ActionContext {
  readonly ledger: Ledger;
  readonly subjectId: string;
  /** The notice a consent given here is given under. */
  readonly notice: Notice;
}

/** She acts herself: a subject, on her own stream, with no role, as the ledger's subject rights expect. */
const herself = (subjectId: string): Actor => ({ id: subjectId, kind: 'subject', roles: [] });

function checkPurpose(ledger: Ledger, purpose: string, consent: boolean): void {
  const rule = ledger.policy.purposes.get(purpose);
  if (!rule) throw new UnknownPurposeError('unknown');
  if (consent && rule.legalBasis !== 'consent') throw new UnknownPurposeError('not_consent');
}

const done = (event: CustodianEvent, what: string): ActionOutcome => ({ kind: 'event', event, what });

type Perform<A extends ActionName> = (form: ActionForm<A>, context: ActionContext & { readonly actor: Actor }) => Promise<ActionOutcome>;

const ACTIONS: { readonly [A in ActionName]: Perform<A> } = {
  async grant({ purpose }, { ledger, subjectId, actor, notice }) {
    checkPurpose(ledger, purpose, true);
    return done(await ledger.grantConsent({ subjectId, actor, purpose, notice, method: 'web-form' }), `You gave your consent to ${purpose}.`);
  },
  async withdraw({ purpose }, { ledger, subjectId, actor }) {
    checkPurpose(ledger, purpose, true);
    return done(await ledger.withdrawConsent({ subjectId, actor, purpose, method: 'web-form' }), `You withdrew your consent to ${purpose}.`);
  },
  async object({ purpose }, { ledger, subjectId, actor }) {
    if (purpose === undefined) return done(await ledger.object({ subjectId, actor }), 'You objected to all processing you may object to.');
    checkPurpose(ledger, purpose, false);
    return done(await ledger.object({ subjectId, actor, purposes: [purpose] }), `You objected to ${purpose}.`);
  },
  async restrict(_form, { ledger, subjectId, actor }) {
    return done(await ledger.restrict({ subjectId, actor }), 'You put all processing of your data on hold.');
  },
  async erasure(_form, { ledger, subjectId, actor }) {
    return done(await ledger.requestErasure({ subjectId, actor }), 'You asked for your data to be erased.');
  },
  async export({ right }, { ledger, subjectId, actor }) {
    return { kind: 'export', result: await ledger.requestAccess({ subjectId, actor, right: right ?? 'access' }) };
  },
};

/** Runs one action as one ledger command; a command her history refuses is a 409 in words. */
export async function runAction<A extends ActionName>(action: A, form: ActionForm<A>, context: ActionContext): Promise<ActionOutcome> {
  const perform: Perform<A> = ACTIONS[action];
  try {
    return await perform(form, { ...context, actor: herself(context.subjectId) });
  } catch (error) {
    if (error instanceof CommandRefusedError) throw new ActionRefusedError(error.reason, error.message);
    throw error;
  }
}

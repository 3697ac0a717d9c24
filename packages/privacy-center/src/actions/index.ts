export { ACTION_ROUTES, FORMS, parseForm, type ActionForm, type ActionName } from './forms';
export { runAction, type ActionContext, type ActionOutcome } from './run';

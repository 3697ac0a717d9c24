import { ACTION_ROUTES, type ActionName } from '../actions';
import { MethodNotAllowedError, RouteNotFoundError } from '../errors';

/** A route of the center; none takes a subject id: who she is comes from her session alone. */
export type Route =
  | { readonly name: 'page' }
  | { readonly name: 'link'; readonly token: string }
  | { readonly name: 'receipt'; readonly eventId: string }
  | { readonly name: 'checkpoint' }
  | { readonly name: 'action'; readonly action: ActionName };

const LINK = /^\/link\/([A-Za-z0-9_.-]{1,4096})$/;
const RECEIPT = /^\/receipts\/([A-Za-z0-9-]{1,64})$/;

/** The route a request names under the base path, refused as 404 or 405 before anything is read. */
export function routeOf(request: Request, basePath: string): Route {
  const path = new URL(request.url).pathname;
  if (path !== basePath && !path.startsWith(`${basePath}/`)) throw new RouteNotFoundError();
  const rest = path.slice(basePath.length) || '/';
  const get = (route: Route): Route => {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new MethodNotAllowedError('GET');
    return route;
  };
  if (rest === '/') return get({ name: 'page' });
  if (rest === '/checkpoint') return get({ name: 'checkpoint' });
  const link = LINK.exec(rest);
  if (link?.[1]) {
    // POST too: a link with a code takes the code on its own address.
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') throw new MethodNotAllowedError('GET, POST');
    return { name: 'link', token: link[1] };
  }
  const receipt = RECEIPT.exec(rest);
  if (receipt?.[1]) return get({ name: 'receipt', eventId: receipt[1] });
  const action = ACTION_ROUTES[rest];
  if (action === undefined || !Object.hasOwn(ACTION_ROUTES, rest)) throw new RouteNotFoundError();
  if (request.method !== 'POST') throw new MethodNotAllowedError('POST');
  return { name: 'action', action };
}

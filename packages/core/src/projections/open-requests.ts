import type { CustodianEvent } from '../events';
import { evolveOpenRequests, type OpenRequests } from '../requests';
import type { ReadModel } from './read-model';

const REQUEST_EVENTS: ReadonlySet<string> = new Set(['AccessRequestReceived', 'AccessRequestFulfilled', 'ErasureRequested', 'DataErased', 'RequestDeadlineExtended']);

/**
 * Each subject's open requests (access, portability, erasure) and their deadlines. Only the
 * events that open, close or extend a request touch a key, so a fold over the whole log
 * holds an entry for the subjects who asked for something, not for every customer.
 */
export const openRequestsProjection: ReadModel<OpenRequests> = {
  name: 'open_requests',
  initial: () => new Map(),
  keysOf: (event: CustodianEvent) => (event.subjectId !== undefined && REQUEST_EVENTS.has(event.type) ? [event.subjectId] : []),
  evolve: evolveOpenRequests,
};

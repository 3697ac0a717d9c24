// The application's own event types, recorded through the ledger beside Custodian's: their
// schemas, the upcasters that read an older version as the current one, and their errors.
export {
  defineApplicationEvents,
  type ApplicationCatalog,
  type ApplicationEvent,
  type ApplicationEvents,
  type ApplicationEventType,
  type ApplicationUpcasters,
  type ErasedApplicationEvent,
  type ReadApplicationEvent,
  type NoApplicationEvents,
} from './catalog';
export { ApplicationCatalogError, ApplicationEventUnreadableError, type ApplicationCatalogProblem, type ApplicationReadProblem } from './errors';

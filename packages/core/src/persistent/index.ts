export { appendLog, type AppendLog } from './append-log';
export { PersistentMap } from './persistent-map';

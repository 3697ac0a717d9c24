export { MOST_BODY_BYTES, readFields } from './body';
export { download, htmlResponse, jsonResponse, redirect, wantsJson } from './respond';
export { nodeListener, type FetchHandler } from './node-listener';

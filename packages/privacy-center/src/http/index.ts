export { MOST_BODY_BYTES, readFields } from './body';
export { download, htmlResponse, jsonResponse, redirect, wantsJson } from './respond';
export { nodeListener, writeResponse, type FetchHandler } from './node-listener';
export { toFetchRequest, type ToFetchRequestOptions } from './to-fetch-request';

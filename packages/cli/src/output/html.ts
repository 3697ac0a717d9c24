/** Text for HTML content and attribute values; control characters and bidi overrides are shown as escapes, as on a terminal. */
export { escapeHtml } from '@custodian/core';

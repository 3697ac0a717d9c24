import { showControls } from './terminal';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content and attribute values; control characters and bidi overrides are shown as escapes, as on a terminal. */
export const escapeHtml = (text: string): string => showControls(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

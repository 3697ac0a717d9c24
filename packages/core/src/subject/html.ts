// Text from the ledger is written by services and people (a recipient's name, an actor id, a
// purpose's description): on an HTML page it is shown, never obeyed.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** C0 controls, DEL, C1 controls, and the Unicode bidirectional marks, embeddings, overrides and isolates. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const shown = (c: string): string => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

const MARKUP = /[&<>"']/g;
// Most of a page's texts need nothing: one test of each, and only those that do are rewritten.
const ANY = /[&<>"'\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Text for HTML content and attribute values: markup characters as entities, control characters and bidi overrides as escapes. */
export const escapeHtml = (text: string): string => (ANY.test(text) ? text.replace(CONTROLS, shown).replace(MARKUP, (c) => ENTITIES[c] ?? c) : text);

/**
 * Text from the ledger is written by services, and a terminal obeys what it is sent: an
 * actor id holding `\x1b[2J\x1b[1;1HChain intact` would clear the auditor's screen and
 * paint a verdict, a bidirectional override would show characters out of order. So every
 * plain-text output shows these as escapes: C0 controls, DEL, C1 controls, and the Unicode
 * bidirectional marks, embeddings, overrides and isolates.
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The same, less the line feed: for whole lines of output, whose own line breaks stay.
const CONTROLS_BUT_LINE_FEED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escaped = (c: string): string => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

/** One value from the ledger, control characters shown as escapes (`\x1b`, `\n`, `\u202e`). */
export const showControls = (text: string): string => text.replace(CONTROLS, escaped);

/** Output as written, its line breaks kept: the last guard before the terminal. */
export const showControlsInLines = (text: string): string => text.replace(CONTROLS_BUT_LINE_FEED, escaped);

/** The same characters inside JSON text, as `\u` escapes: the same JSON value, nothing a terminal obeys. */
export const escapeControlsInJson = (json: string): string => json.replace(CONTROLS, (c) => (c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

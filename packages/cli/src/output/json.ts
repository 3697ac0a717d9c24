import { escapeControlsInJson } from './terminal';

/**
 * JSON for machines: positions and revisions are bigints, written as decimal strings so no
 * digit is lost. JSON.stringify escapes C0 controls but not DEL, C1 or bidi overrides, so
 * those become `\u` escapes too: the same value, safe to print on a terminal.
 */
export function toJson(value: unknown): string {
  return `${escapeControlsInJson(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2))}\n`;
}

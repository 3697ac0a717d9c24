/** JSON for machines: positions and revisions are bigints, written as decimal strings so no digit is lost. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

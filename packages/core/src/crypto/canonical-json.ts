/** Quoted keys (`"key":`), cached: events reuse a few dozen keys. Bounded, so odd input cannot grow it forever. */
const quotedKeys = new Map<string, string>();
/** Strings JSON.stringify leaves as they are: printable ASCII without `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members
 * left out. The same value always gives the same bytes, so a hash over it is stable.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no non-finite numbers');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return JSON.stringify(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // As JSON.stringify does: an item JSON cannot hold (undefined, a function) is null, so the text stays JSON.
      out += (canonicalJson(value[i]) as string | undefined) ?? 'null';
    }
    return `${out}]`;
  }
  return objectJson(value, undefined);
}

/** The canonical JSON of an object without its top-level members named in `leaveOut`. */
export function canonicalJsonWithout(value: object, leaveOut: ReadonlySet<string>): string {
  return objectJson(value, leaveOut);
}

function objectJson(value: object, leaveOut: ReadonlySet<string> | undefined): string {
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || leaveOut?.has(key)) continue;
    let quoted = quotedKeys.get(key);
    if (quoted === undefined) {
      quoted = `${JSON.stringify(key)}:`;
      if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
    }
    out += (first ? quoted : `,${quoted}`) + canonicalJson(member);
    first = false;
  }
  return `${out}}`;
}

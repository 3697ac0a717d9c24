/**
 * Upcasters turn the `data` of an older schema version into the next one. They run
 * when an event is read; the stored record is never rewritten.
 */
export type Upcaster = (data: unknown) => unknown;

/** `{ [type]: { [fromVersion]: upcaster to fromVersion + 1 } }` */
export type Upcasters = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

export function upcast(upcasters: Upcasters, type: string, fromVersion: number, toVersion: number, data: unknown): unknown {
  let current = data;
  for (let version = fromVersion; version < toVersion; version++) {
    const step = upcasters[type]?.[version];
    if (!step) throw new Error(`no upcaster for ${type} from schema version ${version} to ${version + 1}`);
    current = step(current);
  }
  return current;
}

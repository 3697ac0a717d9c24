import { describe, expect, it } from '@jest/globals';
import { appendLog, type AppendLog } from './append-log';
import { PersistentMap } from './persistent-map';

/** A small deterministic generator, so a failure names the step that broke. */
function lcg(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

describe('PersistentMap', () => {
  it('answers every version as a copied Map would, whichever version is set or read next, deep histories included', () => {
    const next = lcg(7);
    const versions: PersistentMap<string, number>[] = [PersistentMap.of()];
    const models: Map<string, number>[] = [new Map()];
    for (let step = 0; step < 3_000; step++) {
      // Mostly the newest version (a fold), sometimes an old one (a checkpoint, a failed batch).
      const from = next(10) < 8 ? versions.length - 1 : next(versions.length);
      const key = `k-${next(200)}`;
      versions.push((versions[from] as PersistentMap<string, number>).set(key, step));
      models.push(new Map(models[from]).set(key, step));
      if (step % 50 === 0) {
        const probe = next(versions.length);
        expect([...(versions[probe] as PersistentMap<string, number>)]).toEqual([...(models[probe] as Map<string, number>)]);
      }
    }
    versions.forEach((version, i) => {
      const model = models[i] as Map<string, number>;
      expect(version.size).toBe(model.size);
      expect([...version.keys()]).toEqual([...model.keys()]);
      expect([...version.values()]).toEqual([...model.values()]);
      expect(version.get('k-3')).toBe(model.get('k-3'));
      expect(version.has('k-4')).toBe(model.has('k-4'));
    });
  });

  it('iterates a copy: reading another version while iterating one changes nothing that is iterated', () => {
    const a = PersistentMap.of([['x', 1]]).set('y', 2);
    const b = a.set('z', 3);
    const seen: [string, number][] = [];
    a.forEach((value, key) => {
      expect(b.get('z')).toBe(3);
      seen.push([key, value]);
    });
    expect(seen).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
  });
});

describe('appendLog', () => {
  it('keeps every version as it was: appending to an older one branches and leaves the newer one alone', () => {
    const next = lcg(11);
    const logs: AppendLog<number>[] = [appendLog()];
    const models: number[][] = [[]];
    for (let step = 0; step < 2_000; step++) {
      const from = next(10) < 8 ? logs.length - 1 : next(logs.length);
      logs.push((logs[from] as AppendLog<number>).append(step));
      models.push([...(models[from] as number[]), step]);
    }
    logs.forEach((log, i) => {
      expect(log.length).toBe((models[i] as number[]).length);
      expect(log.toArray()).toEqual(models[i]);
    });
    const given = [1, 2];
    appendLog(given).append(3);
    expect(given).toEqual([1, 2]);
  });
});

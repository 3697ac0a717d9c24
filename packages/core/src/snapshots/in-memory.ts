import { validateSnapshotArguments, type SnapshotStore } from './port';

/** Snapshots in this process's memory: they outlive a ledger (a restart of it), not the process. */
export function createInMemorySnapshotStore(): SnapshotStore {
  const snapshots = new Map<string, Uint8Array>();
  return {
    load(stream) {
      return Promise.resolve().then(() => {
        validateSnapshotArguments('load', stream);
        const held = snapshots.get(stream);
        return held && new Uint8Array(held);
      });
    },
    save(stream, snapshot) {
      return Promise.resolve().then(() => {
        validateSnapshotArguments('save', stream, snapshot);
        snapshots.set(stream, new Uint8Array(snapshot));
      });
    },
    clear() {
      snapshots.clear();
      return Promise.resolve();
    },
  };
}

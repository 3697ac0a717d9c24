// A process sharing a key folder with the test: it loads the store from the sources and,
// for each subject the test names on stdin (`<subjectId> any|key`), keeps creating and
// reading its key until told the next one. It acknowledges a subject once it finished an
// operation on it (`any`) or obtained its key (`key`); at the end of stdin it prints what
// it saw as one JSON line.
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs', moduleResolution: 'node' } });
const { createInterface } = require('node:readline');
const { createFileKeyStore } = require('../file-key-store');

const [directory, masterHex] = process.argv.slice(2);
// A broken store (a mutant under test) may never settle or may spin: the child must not
// outlive the test. It stops on its own well past the test's time limit, and soon after its
// parent is gone (stdin closed) even if its loops never finish.
const exitSoon = (ms, why) =>
  setTimeout(() => {
    process.stderr.write(`key-race-child: ${why}\n`);
    process.exit(3);
  }, ms).unref();
exitSoon(320_000, 'ran past its deadline');
const store = createFileKeyStore({ directory, masterKey: Buffer.from(masterHex, 'hex') });
const seen = { keys: {}, errors: [], refused: 0, ops: 0 };
let target;
let stopped = false;
/** Operations finished per subject. */
const done = new Set();
/** Subjects whose key this process obtained. */
const keyed = new Set();

async function hammer() {
  while (!stopped) {
    const subjectId = target;
    if (subjectId === undefined) {
      await new Promise((r) => setImmediate(r));
      continue;
    }
    try {
      const key = await (seen.ops % 3 === 2 ? store.get(subjectId) : store.getOrCreate(subjectId));
      if (key) {
        (seen.keys[subjectId] ??= {})[Buffer.from(key).toString('hex')] = true;
        keyed.add(subjectId);
      }
    } catch (error) {
      if (error.code === 'KEY_DESTROYED') seen.refused++;
      else seen.errors.push({ name: error.name, code: error.code, message: error.message });
    }
    seen.ops++;
    done.add(subjectId);
    // A turn of the event loop per operation: an operation that settles without I/O must not starve stdin and the timers.
    await new Promise((r) => setImmediate(r));
  }
}

const loops = Array.from({ length: 4 }, hammer);
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const [subjectId, mode] = line.split(' ');
    target = subjectId;
    const waitFor = mode === 'key' ? keyed : done;
    const tick = () => (waitFor.has(subjectId) ? process.stdout.write(`at ${subjectId}\n`) : setImmediate(tick));
    tick();
  })
  .on('close', async () => {
    stopped = true;
    exitSoon(10_000, 'its loops did not stop after stdin closed');
    await Promise.all(loops);
    process.stdout.write(`${JSON.stringify({ ...seen, keys: Object.fromEntries(Object.entries(seen.keys).map(([s, k]) => [s, Object.keys(k)])) })}\n`);
  });
process.stdout.write('ready\n');

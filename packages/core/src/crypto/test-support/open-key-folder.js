// Opens the key folder named on the command line and prints, as one JSON line, the code
// and facts of the error the first operation meets, or {} if it met none.
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs', moduleResolution: 'node' } });
const { createFileKeyStore } = require('../file-key-store');

createFileKeyStore({ directory: process.argv[2], masterKey: Buffer.alloc(32, 1) })
  .get('s-1')
  .then(
    () => ({}),
    (error) => ({ code: error.code, directory: error.directory, mode: error.mode, reason: error.reason }),
  )
  .then((outcome) => process.stdout.write(`${JSON.stringify(outcome)}\n`));

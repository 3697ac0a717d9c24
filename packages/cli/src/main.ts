#!/usr/bin/env node
import { run } from './run';

// A reader that stops early (`custodian stats | head`) closes the pipe: stop quietly, as
// other command-line tools do, rather than die with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// Set the exit code rather than exit(): a large --json output is still being flushed to a pipe.
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`custodian: ${String(error)}\n`);
    process.exitCode = 3;
  },
);

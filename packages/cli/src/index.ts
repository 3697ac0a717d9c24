export { run } from './run';
export { processIo, type CliIo } from './io';
export { EXIT } from './commands';

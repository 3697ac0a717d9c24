// Preloaded into the node that runs a doc snippet in a folder of its own: the snippet
// imports the workspace packages by name, and gets their TypeScript sources, as jest's
// moduleNameMapper gives them to the tests (the mapping comes from jest.config.ts).
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const mappings = JSON.parse(process.env.CUSTODIAN_DOC_MODULES ?? '[]').map(([pattern, target]) => [new RegExp(pattern), target]);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const mapped = mappings.find(([pattern]) => pattern.test(request));
  return resolve.call(this, mapped ? request.replace(mapped[0], mapped[1]) : request, ...rest);
};

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true, inlineSources: true };
require.extensions['.ts'] = (module, filename) => {
  module._compile(ts.transpileModule(readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions }).outputText, filename);
};

import { describe, expect, it } from '@jest/globals';
import { asModule, readPage } from './snippets';

const page = (...lines: string[]) => readPage('page.md', lines.join('\n'));

describe('reading the snippets of a page', () => {
  it('runs a ts block by default, skips one marked no-run, and pairs an output block with the block above it', () => {
    const { snippets, problems } = page(
      '# T',
      '```ts',
      'console.log(1);',
      '```',
      'It prints:',
      '```output',
      '1',
      '```',
      '```ts no-run',
      'interface A {}',
      '```',
      '```sh',
      'ls',
      '```',
    );
    expect(problems).toEqual([]);
    expect(snippets.map(({ where, runs, output, code }) => ({ where, runs, output, code }))).toEqual([
      { where: 'page.md:2', runs: true, output: '1', code: 'console.log(1);' },
      { where: 'page.md:9', runs: false, output: undefined, code: 'interface A {}' },
    ]);
  });

  it('names an unknown marker, an output block with nothing to belong to, a second one, one under a no-run block, and an unclosed fence', () => {
    expect(page('```ts norun', 'x', '```').problems).toEqual(['page.md:1: unknown marker norun (known: no-run)']);
    expect(page('```output', '1', '```').problems).toEqual(['page.md:1: an output block with no ts block above it']);
    expect(page('```ts', 'x', '```', '```output', '1', '```', '```output', '2', '```').problems).toEqual(['page.md:7: a second output block for page.md:1']);
    expect(page('```ts no-run', 'x', '```', '```output', '1', '```').problems).toEqual(['page.md:4: an output block under page.md:1, which is marked no-run']);
    expect(page('text', '```ts', 'x').problems).toEqual(['page.md:2: a fenced block is never closed']);
  });

  it('keeps the page’s line numbers in the module it writes', () => {
    const [snippet] = page('a', 'b', '```ts', 'const x = 1;', '```').snippets;
    expect(snippet && asModule(snippet).split('\n')[3]).toBe('const x = 1;');
  });
});

/**
 * The fenced blocks of a markdown page that the snippet test runs. A ```ts block runs by
 * default; ```ts no-run marks one that is not meant to (a type signature, a fragment).
 * An ```output block is what the closest ```ts block above it prints, exactly.
 */

export const TS_LANGUAGES = new Set(['ts', 'typescript']);
export const KNOWN_MARKERS = new Set(['no-run']);

export interface Snippet {
  /** `docs/policy.md:182`: the page and the line of the opening fence. */
  readonly where: string;
  /** The line of the opening fence, 1-based; the code starts on the next line. */
  readonly line: number;
  readonly code: string;
  readonly markers: readonly string[];
  readonly runs: boolean;
  /** What the page says it prints, when an ```output block follows it. */
  readonly output?: string | undefined;
}

export interface Page {
  readonly snippets: readonly Snippet[];
  /** Things on the page the test cannot make sense of, each with its line. */
  readonly problems: readonly string[];
}

interface Fence {
  readonly line: number;
  readonly language: string;
  readonly words: readonly string[];
  readonly body: string;
}

function fences(markdown: string): { fences: Fence[]; unclosed?: number } {
  const lines = markdown.split(/\r?\n/);
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const [language = '', ...words] = (open[1] ?? '').trim().split(/\s+/).filter(Boolean);
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    if (i >= lines.length) return { fences: found, unclosed: start + 1 };
    found.push({ line: start + 1, language, words, body: body.join('\n') });
  }
  return { fences: found };
}

export function readPage(name: string, markdown: string): Page {
  const { fences: all, unclosed } = fences(markdown);
  const problems: string[] = unclosed === undefined ? [] : [`${name}:${unclosed}: a fenced block is never closed`];
  const snippets: (Snippet & { output?: string })[] = [];
  let last: (typeof snippets)[number] | undefined;
  for (const fence of all) {
    const where = `${name}:${fence.line}`;
    if (TS_LANGUAGES.has(fence.language)) {
      const unknown = fence.words.filter((word) => !KNOWN_MARKERS.has(word));
      if (unknown.length > 0) problems.push(`${where}: unknown marker ${unknown.join(' ')} (known: ${[...KNOWN_MARKERS].join(', ')})`);
      last = { where, line: fence.line, code: fence.body, markers: fence.words, runs: !fence.words.includes('no-run') };
      snippets.push(last);
    } else if (fence.language === 'output') {
      if (!last) problems.push(`${where}: an output block with no ts block above it`);
      else if (!last.runs) problems.push(`${where}: an output block under ${last.where}, which is marked no-run`);
      else if (last.output !== undefined) problems.push(`${where}: a second output block for ${last.where}`);
      else last.output = fence.body;
    }
  }
  return { snippets, problems };
}

/**
 * The snippet as a TypeScript module whose line numbers are the page's: blank lines stand
 * for everything above the block, so a diagnostic or a stack frame names the page's line.
 * `export {}` makes a snippet without imports a module too, where top-level await is allowed.
 */
export function asModule(snippet: Snippet): string {
  return `${'\n'.repeat(snippet.line)}${snippet.code}\nexport {};\n`;
}

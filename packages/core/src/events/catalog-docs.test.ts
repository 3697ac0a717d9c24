import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, eventAreas, eventTypes, type EventType } from './catalog';

/**
 * docs/events.md is the event catalog for people. Its "Events by area" section holds one
 * table per lifecycle area, each row starting `| \`EventName\` | <schema version> |`. This
 * test keeps it honest: every event type of the code is listed once, at its current
 * schema version, under its own area, and nothing that is not an event type is listed.
 */

const DOC_PATH = join(__dirname, '../../../../docs/events.md');
const SECTION = '## Events by area';
const HEADER = ['event', 'schema version', 'fields', 'when it is written'];

interface DocRow {
  readonly name: string;
  readonly version: string;
  /** The area named by the closest `### Title (\`area\`)` heading above the row. */
  readonly area: string | undefined;
  readonly line: number;
}

interface DocCatalog {
  readonly rows: readonly DocRow[];
  /** Rows inside the section that are not a header, a separator or a well-formed event row. */
  readonly malformed: readonly string[];
  readonly headers: readonly string[][];
}

/** Splits a markdown table row on its unescaped pipes. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function readDocCatalog(markdown: string): DocCatalog {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === SECTION);
  if (start < 0) throw new Error(`docs/events.md has no "${SECTION}" section`);
  const rows: DocRow[] = [];
  const malformed: string[] = [];
  const headers: string[][] = [];
  let area: string | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('## ')) break;
    if (line.startsWith('### ')) {
      area = /\(`([a-z]+)`\)\s*$/.exec(line)?.[1];
      continue;
    }
    if (!line.startsWith('|')) continue;
    const [first = '', second = ''] = cells(line);
    if (/^\|(\s*:?-+:?\s*\|)+$/.test(line)) continue;
    if (first.toLowerCase() === 'event') {
      headers.push(cells(line).map((cell) => cell.toLowerCase()));
      continue;
    }
    const name = /^`([A-Za-z][A-Za-z0-9]*)`$/.exec(first)?.[1];
    if (name === undefined || !/^\d+$/.test(second)) {
      malformed.push(`line ${i + 1}: ${line.slice(0, 80)}`);
      continue;
    }
    rows.push({ name, version: second, area, line: i + 1 });
  }
  return { rows, malformed, headers };
}

const doc = readDocCatalog(readFileSync(DOC_PATH, 'utf8'));
const known = new Set<string>(eventTypes);
const areaOf = new Map<string, string>(Object.entries(eventAreas).flatMap(([area, types]) => types.map((type) => [type, area] as const)));

describe('docs/events.md', () => {
  it('has one table per lifecycle area, with the documented columns', () => {
    expect(doc.malformed).toEqual([]);
    expect(doc.headers.length).toBe(Object.keys(eventAreas).length);
    for (const header of doc.headers) expect(header).toEqual(HEADER);
  });

  it('lists every event type of the catalog', () => {
    const listed = new Set(doc.rows.map((row) => row.name));
    expect(eventTypes.filter((type) => !listed.has(type))).toEqual([]);
  });

  it('lists no event type that is not in the code', () => {
    expect(doc.rows.filter((row) => !known.has(row.name)).map((row) => `${row.name} (line ${row.line})`)).toEqual([]);
  });

  it('lists each event type once', () => {
    const seen = new Map<string, number>();
    for (const row of doc.rows) seen.set(row.name, (seen.get(row.name) ?? 0) + 1);
    expect([...seen].filter(([, count]) => count > 1).map(([name]) => name)).toEqual([]);
  });

  it('gives each event type its current schema version', () => {
    const wrong = doc.rows
      .filter((row) => known.has(row.name))
      .filter((row) => Number(row.version) !== catalog[row.name as EventType].schemaVersion)
      .map((row) => `${row.name}: documented ${row.version}, code ${catalog[row.name as EventType].schemaVersion}`);
    expect(wrong).toEqual([]);
  });

  it('lists each event type under its lifecycle area', () => {
    const misplaced = doc.rows
      .filter((row) => known.has(row.name) && row.area !== areaOf.get(row.name))
      .map((row) => `${row.name}: under ${row.area ?? '(no area heading)'}, belongs to ${areaOf.get(row.name)}`);
    expect(misplaced).toEqual([]);
  });
});

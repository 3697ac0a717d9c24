/**
 * Summarises a V8 .cpuprofile (as written by `node --cpu-prof`): the top functions by self
 * time, optionally only for the samples inside a time window (so a benchmark can profile
 * one phase of a run), plus the inclusive time of a few named functions.
 *
 *   node bench/dist/profile-summary.js /tmp/x.cpuprofile [fromUs toUs] [top]
 *
 * fromUs/toUs are microseconds on the profile's clock: V8's TimeTicks, which on Linux is
 * CLOCK_MONOTONIC, the clock of `process.hrtime.bigint()` (divide its nanoseconds by 1000).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  /** `name (file:line)` */
  readonly label: string;
  readonly selfMs: number;
  readonly selfShare: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  readonly samples: number;
  readonly top: readonly FunctionTime[];
  /** Self time grouped by where the code lives (a package, a core folder, node internals, GC...). */
  readonly byArea: readonly FunctionTime[];
  /** Inclusive time (self + callees, each sample counted once) of the functions asked for. */
  readonly inclusive: readonly FunctionTime[];
}

const WORKSPACE = path.resolve(__dirname, '..', '..');

function shortUrl(url: string): string {
  if (url === '') return '';
  let file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const pnpm = file.indexOf('/node_modules/.pnpm/');
  if (pnpm >= 0) {
    const rest = file.slice(pnpm + '/node_modules/.pnpm/'.length);
    const inner = rest.indexOf('/node_modules/');
    file = inner >= 0 ? rest.slice(inner + '/node_modules/'.length) : rest;
  } else if (file.startsWith(WORKSPACE)) file = file.slice(WORKSPACE.length + 1);
  return file;
}

/** Where a frame's code lives: `zod`, `uuid`, `core/ledger`, `node:internal`, `(garbage collector)`... */
function areaOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const core = /^packages\/core\/dist\/([^/]+)/.exec(url);
  if (core) return `core/${core[1]}`;
  if (url.startsWith('bench/')) return 'bench driver';
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)/.exec(url);
  return pkg ? (pkg[1] as string) : url;
}

function labelOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  const name = frame.functionName || '(anonymous)';
  return url ? `${name} (${url}:${frame.lineNumber + 1})` : name;
}

export function summariseProfile(profile: CpuProfile, options: { fromUs?: number; toUs?: number; top?: number; inclusiveOf?: readonly string[] } = {}): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const from = options.fromUs ?? Number.NEGATIVE_INFINITY;
  const to = options.toUs ?? Number.POSITIVE_INFINITY;
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const wanted = new Set(options.inclusiveOf ?? []);
  const inclusive = new Map<string, number>();
  let total = 0;
  let samples = 0;
  // Sample i is taken at t_i = startTime + sum(timeDeltas[0..i]); it stands for the time until the next one.
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] as number;
    const next = i + 1 < profile.samples.length ? t + (profile.timeDeltas[i + 1] as number) : profile.endTime;
    if (t < from || t >= to) continue;
    const weight = Math.max(0, next - t) / 1000;
    const node = byId.get(profile.samples[i] as number) as ProfileNode;
    if (node.callFrame.functionName === '(idle)') continue;
    total += weight;
    samples++;
    const label = labelOf(node.callFrame);
    self.set(label, (self.get(label) ?? 0) + weight);
    const where = areaOf(node.callFrame);
    area.set(where, (area.get(where) ?? 0) + weight);
    if (wanted.size > 0) {
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const name = (byId.get(id) as ProfileNode).callFrame.functionName;
        if (wanted.has(name) && !seen.has(name)) {
          seen.add(name);
          inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
        }
      }
    }
  }
  const rank = (map: Map<string, number>, limit = Number.POSITIVE_INFINITY): FunctionTime[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([label, ms]) => ({ label, selfMs: ms, selfShare: total > 0 ? ms / total : 0 }));
  return {
    sampledMs: total,
    samples,
    top: rank(self, options.top ?? 15),
    byArea: rank(area),
    inclusive: (options.inclusiveOf ?? []).map((name) => {
      const ms = inclusive.get(name) ?? 0;
      return { label: name, selfMs: ms, selfShare: total > 0 ? ms / total : 0 };
    }),
  };
}

export function loadProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Lines for a console: the top functions, the areas, and the inclusive times asked for. */
export function formatSummary(summary: ProfileSummary, perOp?: { count: number; unit: string }): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const ms = (v: number) => `${v.toFixed(1).padStart(8)} ms`;
  const each = (v: number) => (perOp ? `${((v * 1000) / perOp.count).toFixed(2).padStart(7)} µs/${perOp.unit}` : '');
  const lines: string[] = [];
  lines.push(`  ${summary.samples} samples, ${summary.sampledMs.toFixed(0)} ms sampled`);
  lines.push('');
  lines.push(`  Top ${summary.top.length} functions by self time:`);
  summary.top.forEach((f, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${pct(f.selfShare)} ${ms(f.selfMs)} ${each(f.selfMs)}  ${f.label}`));
  lines.push('');
  lines.push('  Self time by area:');
  for (const f of summary.byArea) if (f.selfShare >= 0.002) lines.push(`       ${pct(f.selfShare)} ${ms(f.selfMs)} ${each(f.selfMs)}  ${f.label}`);
  if (summary.inclusive.length > 0) {
    lines.push('');
    lines.push('  Inclusive time (self + callees, as sampled: an async function counts only until its first await) of the steps of a decision:');
    for (const f of summary.inclusive) if (f.selfMs > 0) lines.push(`       ${pct(f.selfShare)} ${ms(f.selfMs)} ${each(f.selfMs)}  ${f.label}`);
  }
  return lines;
}

if (require.main === module) {
  const [file, fromUs, toUs, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/dist/profile-summary.js <file.cpuprofile> [fromUs toUs] [top]');
    process.exit(2);
  }
  const summary = summariseProfile(loadProfile(file), {
    ...(fromUs !== undefined && { fromUs: Number(fromUs) }),
    ...(toUs !== undefined && { toUs: Number(toUs) }),
    top: top === undefined ? 15 : Number(top),
  });
  for (const line of formatSummary(summary)) console.log(line);
}

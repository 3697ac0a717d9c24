import { KINDS, type TimelineKind } from '@custodian/core';

/** One colour per kind; every item also carries its kind in words, so the report reads in grey print too. */
export const KIND_COLOURS: Readonly<Record<TimelineKind, string>> = {
  collected: '#2563eb',
  rectified: '#0e7490',
  consented: '#15803d',
  withdrawn: '#c2410c',
  objected: '#b45309',
  'opted-out': '#9a3412',
  restricted: '#7e22ce',
  'restriction-lifted': '#6d28d9',
  accessed: '#0f766e',
  used: '#4338ca',
  shared: '#a21caf',
  'share-revoked': '#86198f',
  refused: '#dc2626',
  'erasure-requested': '#475569',
  erased: '#1e293b',
  'erasure-confirmed': '#334155',
  'notice-owed': '#9d174d',
  'notice-confirmed': '#475569',
  'access-requested': '#0369a1',
  'access-fulfilled': '#0369a1',
  'deadline-extended': '#0369a1',
};

const kindRules = (Object.keys(KINDS) as TimelineKind[]).map((kind) => `[data-kind="${kind}"], [data-legend="${kind}"] { --kind: ${KIND_COLOURS[kind]}; }`).join('\n');

export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1f2933; --muted: #5b6672; --line: #d9dee4; --paper: #ffffff; --wash: #f4f6f8; --ok: #15803d; --bad: #b91c1c; }
* { box-sizing: border-box; }
html { background: var(--wash); }
body { margin: 0; padding: 32px 16px 48px; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: var(--ink); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { max-width: 900px; margin: 0 auto; background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 32px 40px 24px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
p { margin: 0; }
code, .tag { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 13px; }
.subtitle { color: var(--muted); }
.subtitle code { color: var(--ink); }
.chain { display: flex; gap: 10px; align-items: flex-start; margin-top: 16px; padding: 10px 14px; border-radius: 8px; border: 1px solid; }
.chain strong { display: block; }
.chain.ok { border-color: #bbe5c8; background: #f0faf3; }
.chain.ok strong { color: var(--ok); }
.chain.broken { border-color: #f3b8b8; background: #fdf2f2; }
.chain.broken strong { color: var(--bad); }
.chain .mark { font-weight: 700; font-size: 18px; line-height: 1.3; }
.overview { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card ul { list-style: none; margin: 0; padding: 0; }
.card li + li { margin-top: 6px; }
.card .none { color: var(--muted); }
.small { font-size: 13px; color: var(--muted); }
.status { font-weight: 600; }
.status-granted { color: var(--ok); }
.status-withdrawn, .status-expired, .status-overdue, .status-opted-out { color: #c2410c; }
.card.requests { margin-top: 12px; }
.legend { display: grid; grid-template-columns: repeat(2, 1fr); gap: 6px 24px; margin: 0; }
.legend div { display: flex; gap: 8px; align-items: baseline; }
.legend dt { flex: none; }
.legend dd { margin: 0; color: var(--muted); font-size: 13px; }
.chip { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 700; letter-spacing: .02em; text-transform: uppercase; color: #fff; background: var(--kind); white-space: nowrap; }
.timeline { list-style: none; margin: 0; padding: 0; position: relative; }
.timeline::before { content: ""; position: absolute; top: 6px; bottom: 6px; left: 123px; width: 2px; background: var(--line); }
.entry { position: relative; display: grid; grid-template-columns: 108px 1fr; gap: 0 32px; padding: 0 0 18px; break-inside: avoid; page-break-inside: avoid; }
.entry::before { content: ""; position: absolute; left: 117px; top: 6px; width: 10px; height: 10px; border-radius: 50%; background: var(--kind); border: 2px solid var(--paper); box-shadow: 0 0 0 2px var(--kind); }
.when { text-align: right; font-size: 13px; color: var(--muted); line-height: 1.35; padding-top: 1px; }
.when .day { display: block; color: var(--ink); font-weight: 600; }
.body { border: 1px solid var(--line); border-left: 4px solid var(--kind); border-radius: 6px; padding: 10px 14px; }
.what { font-weight: 600; margin: 6px 0 6px; }
.facts { display: grid; grid-template-columns: 84px 1fr; gap: 3px 10px; margin: 0; font-size: 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.tag { display: inline-block; background: var(--wash); border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; margin: 0 4px 2px 0; }
.detail { font-size: 13px; color: var(--muted); margin-top: 6px; }
.entry[data-kind="refused"] .body { background: #fffafa; }
.ref { font-size: 11px; color: #8a949e; margin-top: 6px; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
footer { margin-top: 28px; padding-top: 12px; border-top: 1px solid var(--line); font-size: 13px; color: var(--muted); }
footer p + p { margin-top: 6px; }
${kindRules}
@media (max-width: 700px) { .overview, .legend { grid-template-columns: 1fr; } main { padding: 20px; } }
@media print {
  @page { margin: 14mm; }
  html, body { background: #fff; padding: 0; font-size: 12.5px; }
  main { border: 0; padding: 0; max-width: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .card { break-inside: avoid; }
}
`;

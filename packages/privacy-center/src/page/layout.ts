import { escapeHtml as e } from '@custodian/core';

const CSS = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f9fafb; }
main { max-width: 50rem; margin: 0 auto; padding: 1.5rem; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 0; }
.small { color: #4b5563; font-size: .9rem; }
.tag { font-family: ui-monospace, monospace; background: #eef2ff; padding: 0 .3rem; border-radius: .25rem; }
.status { font-weight: 600; } .status-granted { color: #15803d; } .status-withdrawn, .status-expired, .status-opted-out, .status-overdue { color: #b91c1c; }
.ok { color: #15803d; } .broken { color: #b91c1c; }
form.inline { display: inline; } button { font: inherit; padding: .3rem .8rem; margin: .2rem .2rem .2rem 0; cursor: pointer; }
ol.timeline li { margin-bottom: .6rem; }
`;

/** A whole page: inline style, no script, nothing fetched from anywhere. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A form of one button that posts one action with the page's form token. */
export function actionForm(action: string, csrfToken: string, label: string, fields: Readonly<Record<string, string>> = {}): string {
  const hidden = Object.entries({ ...fields, csrf: csrfToken })
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join('');
  return `<form class="inline" method="post" action="${e(action)}">${hidden}<button type="submit">${e(label)}</button></form>`;
}

/** Whether she (or the host's own UI) asked for JSON rather than a page. */
export function wantsJson(request: Request): boolean {
  const accept = (request.headers.get('accept') ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Every page: no script, no request to anywhere else, never framed, never cached, never sent as a referrer (a link token may be in the address). */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export function htmlResponse(html: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(html, { status, headers: { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers } });
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, bigints), { status, headers: { ...PAGE_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** A JSON file to save: her export, a receipt. */
export function download(json: string, filename: string, headers: Record<string, string> = {}): Response {
  return new Response(json, {
    status: 200,
    headers: { ...PAGE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"`, ...headers },
  });
}

export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { ...PAGE_HEADERS, location, ...headers } });
}

const bigints = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** What `nodeListener` needs of a center: its handler. */
export interface FetchHandler {
  handle(request: Request): Promise<Response>;
}

const MOST_BODY_BYTES = 64 * 1024;

/** Adapts a fetch handler to `node:http`: `http.createServer(nodeListener(center))`. */
export function nodeListener(center: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(center, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Something went wrong on our side.');
    });
  };
}

async function serve(center: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const response = await center.handle(await toRequest(req));
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function toRequest(req: IncomingMessage): Promise<Request> {
  const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
  const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((one) => headers.append(name, one));
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: await readBody(req) });
}

/** The body, cut at a size no form of the center needs: the handler refuses what is too large. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MOST_BODY_BYTES) break;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { toFetchRequest } from './to-fetch-request';

/** What `nodeListener` needs of a center: its handler. */
export interface FetchHandler {
  handle(request: Request): Promise<Response>;
}

/**
 * Adapts a fetch handler to `node:http`: `http.createServer(nodeListener(center))`. It is also
 * Express middleware (`app.use('/privacy', nodeListener(center))`): it answers every request it
 * is given, and reads the mount path back from `req.originalUrl`.
 */
export function nodeListener(center: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    toFetchRequest(req)
      .then((request) => center.handle(request))
      .then((response) => writeResponse(res, response))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Something went wrong on our side.');
      });
  };
}

/** Writes a fetch `Response` to a node response: its status, headers (each cookie its own `Set-Cookie`) and body. */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}

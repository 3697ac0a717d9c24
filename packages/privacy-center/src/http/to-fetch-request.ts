import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** No form of the center comes near this: a body is cut here, and the handler refuses what is too large. */
const MOST_BODY_BYTES = 64 * 1024;

/** What Express adds to a request: the URL before a mount path was stripped from `url`. */
type MaybeMounted = IncomingMessage & { readonly originalUrl?: unknown };

export interface ToFetchRequestOptions {
  /**
   * The body already read by the host's framework (Fastify's parser, a raw-body middleware):
   * the stream has been consumed then, so it cannot be read again. Without it, the body is read from `req`.
   */
  readonly body?: Uint8Array | string | undefined;
}

/**
 * A node request as a fetch `Request`, its URL whole: Express strips the mount path from
 * `req.url` (`/privacy/link/…` arrives as `/link/…`) but keeps it in `req.originalUrl`, and the
 * center routes on the full path under its `basePath`, so the original URL is taken when there is one.
 */
export async function toFetchRequest(req: IncomingMessage, options: ToFetchRequestOptions = {}): Promise<Request> {
  const secure = (req.socket as Partial<TLSSocket> | null)?.encrypted === true;
  const original = (req as MaybeMounted).originalUrl;
  const path = typeof original === 'string' && original.startsWith('/') ? original : (req.url ?? '/');
  const url = new URL(path, `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((one) => headers.append(name, one));
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const body = options.body === undefined ? await readBody(req) : Buffer.from(options.body);
  return new Request(url, { method, headers, body: body.subarray(0, MOST_BODY_BYTES + 1) });
}

/** The body, cut past a size no form of the center needs. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    chunks.push(buffer);
    if (size > MOST_BODY_BYTES) break;
  }
  return Buffer.concat(chunks);
}

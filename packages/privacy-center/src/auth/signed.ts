import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from '@custodian/core';

// A signed token: `<payload>.<mac>`, both base64url; the payload is JSON, the mac the
// HMAC-SHA256 of `<kind>.<payload>` under the center's secret. The kind keeps a token of
// one use (a link) from passing for another (a session cookie).

export type TokenKind = 'link' | 'session' | 'csrf';

export type Opened<T> = { readonly ok: true; readonly payload: T } | { readonly ok: false };

export interface Sealer {
  sign(kind: TokenKind, payload: unknown): string;
  open<S extends z.ZodType>(kind: TokenKind, token: string, schema: S): Opened<z.output<S>>;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MOST_CHARS = 4_096;

export function createSealer(secret: Buffer): Sealer {
  const mac = (kind: TokenKind, payload: string) => createHmac('sha256', secret).update(`${kind}.${payload}`).digest();
  return {
    sign(kind, payload) {
      const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
      return `${body}.${mac(kind, body).toString('base64url')}`;
    },
    open(kind, token, schema) {
      if (token.length > MOST_CHARS) return { ok: false };
      const [body, signature, ...rest] = token.split('.');
      if (body === undefined || signature === undefined || rest.length > 0 || !BASE64URL.test(body) || !BASE64URL.test(signature)) return { ok: false };
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(kind, body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return { ok: false };
      }
      const parsed = schema.safeParse(json);
      return parsed.success ? { ok: true, payload: parsed.data } : { ok: false };
    },
  };
}

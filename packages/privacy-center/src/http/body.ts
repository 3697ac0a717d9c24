import { BadFieldError } from '../errors';

/** No form of the center comes near this; a larger body is refused before it is read. */
export const MOST_BODY_BYTES = 16 * 1024;

/** The fields of a POST: a form (urlencoded or multipart) or a JSON object of strings. An empty body has no fields. */
export async function readFields(request: Request): Promise<Record<string, string>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (!Number.isFinite(declared) || declared > MOST_BODY_BYTES) throw new BadFieldError('body', 'is too large');
  const text = await request.text();
  if (Buffer.byteLength(text, 'utf8') > MOST_BODY_BYTES) throw new BadFieldError('body', 'is too large');
  if (text.trim() === '') return {};
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return jsonFields(text);
  if (type === 'application/x-www-form-urlencoded') return formFields(new URLSearchParams(text).entries());
  if (type === 'multipart/form-data') return multipartFields(request, text);
  throw new BadFieldError('body', 'must be a form (application/x-www-form-urlencoded or multipart/form-data) or JSON');
}

function formFields(entries: Iterable<[string, string]>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (Object.hasOwn(fields, name)) throw new BadFieldError('body', 'gives a field more than once');
    fields[name] = value;
  }
  return fields;
}

function jsonFields(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadFieldError('body', 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadFieldError('body', 'must be a JSON object');
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) {
    if (typeof field !== 'string') throw new BadFieldError('body', 'must hold text values only');
    fields[name] = field;
  }
  return fields;
}

async function multipartFields(request: Request, text: string): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await new Response(text, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
  } catch {
    throw new BadFieldError('body', 'is not a well-formed multipart form');
  }
  const entries: [string, string][] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') throw new BadFieldError('body', 'must hold text values only, not files');
    entries.push([name, value]);
  }
  return formFields(entries);
}

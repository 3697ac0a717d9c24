import { IsoDuration } from '../events';

const parts = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Adds an ISO 8601 duration (`P2Y`, `P6M`, `P30D`, `PT12H`) to a date, in UTC calendar terms. */
export function addDuration(from: Date, duration: string): Date {
  IsoDuration.parse(duration);
  const [, y, mo, w, d, h, mi, s] = parts.exec(duration) ?? [];
  const n = (v: string | undefined) => (v ? Number(v) : 0);
  const out = new Date(from.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + n(y), out.getUTCMonth() + n(mo), out.getUTCDate() + n(w) * 7 + n(d));
  out.setUTCHours(out.getUTCHours() + n(h), out.getUTCMinutes() + n(mi), out.getUTCSeconds() + n(s));
  return out;
}

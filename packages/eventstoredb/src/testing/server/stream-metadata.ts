/** The parts of EventStoreDB stream metadata the test server honours. */
export interface StreamMetadata {
  /** Truncate before: events below this revision are gone (soft delete sets it past the end). */
  $tb?: number;
  /** Only the last `$maxCount` events can be read. */
  $maxCount?: number;
}

export function metadataStreamOf(stream: string): string {
  return `$$${stream}`;
}

export function streamMetadataOf(data: Uint8Array): StreamMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { $tb, $maxCount } = parsed as Record<string, unknown>;
  return {
    ...(isCount($tb) ? { $tb } : {}),
    ...(isCount($maxCount) && $maxCount > 0 ? { $maxCount } : {}),
  };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export interface Entry {
  readonly kind: string;
  readonly who: string;
  readonly why: string;
  /** Everything the entry says, as plain text. */
  readonly text: string;
}

/** The timeline entries of a report page (as written, or as Chromium rendered it), in document order. */
export function timelineEntries(html: string): Entry[] {
  return [...html.matchAll(/<li class="entry[^"]*" data-kind="([a-z-]+)"[^>]*>([\s\S]*?)<\/li>/g)].map((match) => {
    const body = match[2] ?? '';
    const field = (name: string) => plain(new RegExp(`<dd class="${name}">([\\s\\S]*?)</dd>`).exec(body)?.[1] ?? '');
    return { kind: match[1] ?? '', who: field('who'), why: field('why'), text: plain(body) };
  });
}

export const plain = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

import { describe, expect, it } from '@jest/globals';
import { escapeHtml } from './html';

describe('escapeHtml', () => {
  it('shows markup characters as entities', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });

  it('shows control characters and bidi overrides as escapes', () => {
    expect(escapeHtml('a\nb\x1b[2J\u202eevil\u2069')).toBe('a\\nb\\x1b[2J\\u202eevil\\u2069');
  });

  it('leaves plain text as it is', () => {
    expect(escapeHtml('Brightmail Agency GmbH, café')).toBe('Brightmail Agency GmbH, café');
  });
});

/** Descriptions are untrusted: markdown renders, HTML in it is text, only safe URLs are links. */
import { describe, expect, it } from 'vitest';
import { renderMarkdown, safeUrl } from '../../src/docs/markdown.js';

describe('descriptions as markdown', () => {
  it('renders markdown: emphasis, code, lists, tables, links', () => {
    expect(renderMarkdown('**Sum** of `quantity * unit_price`')).toBe('<p><strong>Sum</strong> of <code>quantity * unit_price</code></p>');
    expect(renderMarkdown('- a\n- b')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
    expect(renderMarkdown('| a | b |\n| - | - |\n| 1 | 2 |')).toContain('<table>');
    expect(renderMarkdown('[dashboard](https://metabase.example.com/d/1 "Daily")')).toBe('<p><a href="https://metabase.example.com/d/1" title="Daily" target="_blank" rel="noopener noreferrer">dashboard</a></p>');
    expect(renderMarkdown('   ')).toBe('');
  });

  it('shows HTML as text, never as markup', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(renderMarkdown('hi <img src=x onerror="alert(1)"> there')).toBe('<p>hi &lt;img src=x onerror=&quot;alert(1)&quot;&gt; there</p>');
    expect(renderMarkdown('<div onclick="x()">\n\n*a*\n\n</div>')).not.toMatch(/<div|onclick="/);
    expect(renderMarkdown('```\n<b>code</b>\n```')).toBe('<pre><code>&lt;b&gt;code&lt;/b&gt;\n</code></pre>');
  });

  it('keeps only http(s), mailto and relative URLs in links and images', () => {
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p>x</p>');
    expect(renderMarkdown('[x](JaVaScRiPt:alert(1))')).toBe('<p>x</p>');
    expect(renderMarkdown('![chart](data:image/svg+xml;base64,PHN2Zz4=)')).toBe('<p>chart</p>');
    expect(renderMarkdown('![chart](assets/chart.png)')).toBe('<p><img src="assets/chart.png" alt="chart"></p>');
    expect(safeUrl('java\tscript:alert(1)')).toBeUndefined();
    expect(safeUrl('//evil.example/x')).toBeUndefined();
    expect(safeUrl('mailto:team@example.com')).toBe('mailto:team@example.com');
    expect(safeUrl('#/node/model.shop.a')).toBe('#/node/model.shop.a');
  });
});

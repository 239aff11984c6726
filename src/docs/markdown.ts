import { Marked, type Tokens } from 'marked';

/** Text as HTML text: the five characters that could start markup are escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A URL a description may link to: http(s), mailto, a page anchor or a path
 * relative to the site (asset-paths). `javascript:`, `data:` and every other
 * scheme are refused; so are control characters that browsers strip before
 * reading the scheme (`java\tscript:`).
 */
export function safeUrl(href: string): string | undefined {
  const url = href.trim();
  if (/[\u0000-\u001f\u007f]/.test(url)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!scheme) return url.startsWith('//') ? undefined : url;
  return ['http', 'https', 'mailto'].includes(scheme[1].toLowerCase()) ? url : undefined;
}

/**
 * Descriptions are untrusted text (anyone who edits a YAML file writes them):
 * markdown is rendered with marked, but raw HTML in it is shown as text, never
 * as markup, and links and images keep only safe URLs. The site also forbids
 * inline scripts by its Content-Security-Policy.
 */
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const url = safeUrl(href);
      if (!url) return inner;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(url)}"${t} target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    image({ href, title, text }: Tokens.Image): string {
      const url = safeUrl(href);
      if (!url || url.startsWith('mailto:')) return escapeHtml(text);
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<img src="${escapeHtml(url)}" alt="${escapeHtml(text)}"${t}>`;
    },
  },
});

/** A description (markdown) as safe HTML. */
export function renderMarkdown(text: string): string {
  if (!text.trim()) return '';
  return (marked.parse(text) as string).trim();
}

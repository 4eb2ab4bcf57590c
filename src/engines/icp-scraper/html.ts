// HTML → structured text with cheerio. The text keeps the page's structure in a light markdown form
// the skills can analyse: `#`–`######` headings, `- ` list items, `> ` the meta description,
// `[image: alt]` for images with alt text (client logos are usually only that), `| `-joined table
// cells. Scripts, styles, navigation and forms are dropped; links are returned for the crawler.
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

export interface ParsedPage {
  title: string | null;
  description: string | null;
  siteName: string | null;
  /** Structured text (see the header comment). */
  text: string;
  /** Absolute http(s) URLs of the page's links, without fragments, in document order. */
  links: Array<{ url: string; text: string }>;
  /** `<meta name="robots" content="noindex|nofollow">`. */
  robots: { noindex: boolean; nofollow: boolean };
}

const DROP = 'script, style, noscript, template, svg, iframe, canvas, object, embed, form, select, button, nav, [role=navigation], [aria-hidden=true], dialog';
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'ul',
  'br',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'caption',
]);

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The text under a node without recursion (cheerio's .text() recurses and overflows on very deep trees). */
function flatText(root: AnyNode): string {
  const out: string[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'text') out.push((n as unknown as { data: string }).data);
    else if (n.type === 'tag' && !/^(script|style|noscript|template)$/i.test((n as Element).tagName)) {
      const children = (n as Element).children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
  return out.join(' ');
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// Elements whose end tag HTML lets authors omit: not counted, so unclosed <li>/<p> lists are no threat.
const OPTIONAL_CLOSE = new Set([
  'p',
  'li',
  'dt',
  'dd',
  'tr',
  'td',
  'th',
  'option',
  'optgroup',
  'thead',
  'tbody',
  'tfoot',
  'colgroup',
  'rp',
  'rt',
  'html',
  'head',
  'body',
]);
const MAX_NESTING = 800;
const MAX_TAGS = 50_000;

/**
 * Cuts hostile markup short before parsing: beyond MAX_NESTING open elements or MAX_TAGS tags the
 * rest of the document is dropped (real pages nest a few dozen levels and have a few thousand
 * tags). Without this, pathological nesting makes the parser and selectors take minutes of CPU.
 */
export function boundMarkup(html: string): string {
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g;
  let depth = 0;
  let tags = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (++tags > MAX_TAGS) return html.slice(0, m.index);
    const name = m[2].toLowerCase();
    if (OPTIONAL_CLOSE.has(name)) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID.has(name)) depth++;
    if (depth > MAX_NESTING) return html.slice(0, m.index);
  }
  return html;
}

export function parseHtml(rawHtml: string, pageUrl: string): ParsedPage {
  const html = boundMarkup(rawHtml);
  // htmlparser2 (not parse5): linear on hostile markup, where parse5 takes seconds on deep nesting.
  const $ = cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const title = clean($('title').first().text()) || null;
  const description = clean($('meta[name="description"]').attr('content') ?? $('meta[property="og:description"]').attr('content') ?? '') || null;
  const siteName = clean($('meta[property="og:site_name"]').attr('content') ?? '') || null;
  const robotsMeta = ($('meta[name="robots"]').attr('content') ?? '').toLowerCase();

  let base: URL;
  try {
    base = new URL($('base[href]').attr('href') ?? pageUrl, pageUrl);
  } catch {
    // A <base href> that is not a URL (TypeError): resolve links against the page.
    base = new URL(pageUrl);
  }
  const links: ParsedPage['links'] = [];
  $('a[href]').each((_i, el) => {
    const href = $(el).attr('href') ?? '';
    if (/^(mailto|tel|javascript|data):/i.test(href.trim())) return;
    try {
      const u = new URL(href, base);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
      u.hash = '';
      if (($(el).attr('rel') ?? '').toLowerCase().includes('nofollow')) return;
      links.push({ url: u.toString(), text: clean($(el).text()) });
    } catch {
      // unparseable href: skip it
    }
  });

  $(DROP).remove();
  const lines: string[] = [];
  if (description) lines.push(`> ${description}`);
  let inline = '';
  const flush = () => {
    const t = clean(inline);
    if (t) lines.push(t);
    inline = '';
  };

  // Deeply nested markup (hostile or broken pages) is flattened past this depth instead of recursing.
  const MAX_DEPTH = 400;
  let depth = 0;
  const walk = (node: AnyNode, listDepth: number): void => {
    if (depth > MAX_DEPTH) {
      inline += ` ${flatText(node)} `;
      return;
    }
    depth++;
    try {
      walkNode(node, listDepth);
    } finally {
      depth--;
    }
  };
  const walkNode = (node: AnyNode, listDepth: number): void => {
    if (node.type === 'text') {
      inline += (node as unknown as { data: string }).data;
      return;
    }
    if (node.type !== 'tag') return;
    const el = node as Element;
    const tag = el.tagName.toLowerCase();
    if (tag === 'img') {
      const alt = clean($(el).attr('alt') ?? '');
      if (alt) {
        flush();
        lines.push(`[image: ${alt}]`);
      }
      return;
    }
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const t = clean($(el).text());
      if (t) lines.push(`${'#'.repeat(Number(heading[1]))} ${t}`);
      // Images inside headings (logo headings) still matter.
      $(el)
        .find('img[alt]')
        .each((_i, img) => {
          const alt = clean($(img).attr('alt') ?? '');
          if (alt) lines.push(`[image: ${alt}]`);
        });
      return;
    }
    if (tag === 'li') {
      flush();
      const before = lines.length;
      for (const child of el.children) walk(child, listDepth + 1);
      flush();
      if (lines.length > before) lines[before] = `${'  '.repeat(listDepth)}- ${lines[before].trimStart()}`;
      return;
    }
    if (tag === 'tr') {
      flush();
      const cells = $(el)
        .children('td, th')
        .map((_i, c) => clean($(c).text()))
        .get()
        .filter(Boolean);
      if (cells.length) lines.push(cells.join(' | '));
      return;
    }
    const block = BLOCK.has(tag);
    if (block) flush();
    for (const child of el.children) walk(child, listDepth);
    if (block) flush();
    else inline += ' ';
  };
  const root = $('body').length ? $('body').get(0)! : $.root().get(0)!;
  for (const child of (root as Element).children ?? []) walk(child, 0);
  flush();

  // Collapse repeats of the same line in a row (carousels, duplicated mobile/desktop blocks).
  const text = lines.filter((l, i) => l !== lines[i - 1]).join('\n');
  return {
    title,
    description,
    siteName,
    text,
    links,
    robots: { noindex: /\bnoindex\b|\bnone\b/.test(robotsMeta), nofollow: /\bnofollow\b|\bnone\b/.test(robotsMeta) },
  };
}

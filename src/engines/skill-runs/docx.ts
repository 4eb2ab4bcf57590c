// An output's markdown as a Word document (.docx), since agencies hand copy to their clients in
// Word. markdown-it parses the markdown (CommonMark + tables) into tokens; the `docx` package writes
// the document. Covered: headings, paragraphs with bold/italic/code/links, bullet and numbered lists
// (nested), block quotes, code blocks, rules and tables. Raw HTML in the markdown is kept as text.
import MarkdownIt from 'markdown-it';
import {
  AlignmentType,
  BorderStyle,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ParagraphChild,
} from 'docx';

type Token = MarkdownIt.Token;

const md = new MarkdownIt({ html: false, linkify: true });

const HEADINGS = [
  HeadingLevel.HEADING_1,
  HeadingLevel.HEADING_2,
  HeadingLevel.HEADING_3,
  HeadingLevel.HEADING_4,
  HeadingLevel.HEADING_5,
  HeadingLevel.HEADING_6,
];
const ORDERED = 'aos-ordered';
const MONO = 'Consolas';

interface InlineStyle {
  bold?: boolean;
  italics?: boolean;
  mono?: boolean;
}

/** The runs of one inline token (its children), links as hyperlinks. */
function inlineRuns(token: Token | undefined, base: InlineStyle = {}): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  const style: InlineStyle = { ...base };
  let link: { href: string; runs: TextRun[] } | null = null;
  const push = (run: TextRun) => (link ? link.runs.push(run) : out.push(run));
  const text = (t: string, extra: InlineStyle = {}) => {
    const s = { ...style, ...extra };
    push(new TextRun({ text: t, bold: s.bold, italics: s.italics, ...(s.mono ? { font: MONO } : {}), ...(link ? { style: 'Hyperlink' } : {}) }));
  };
  for (const t of token?.children ?? []) {
    switch (t.type) {
      case 'text':
      case 'html_inline':
        text(t.content);
        break;
      case 'code_inline':
        text(t.content, { mono: true });
        break;
      case 'strong_open':
        style.bold = true;
        break;
      case 'strong_close':
        style.bold = base.bold;
        break;
      case 'em_open':
        style.italics = true;
        break;
      case 'em_close':
        style.italics = base.italics;
        break;
      case 'softbreak':
        text(' ');
        break;
      case 'hardbreak':
        push(new TextRun({ text: '', break: 1 }));
        break;
      case 'link_open':
        link = { href: String(t.attrGet('href') ?? ''), runs: [] };
        break;
      case 'link_close':
        if (link) {
          const { href, runs } = link;
          link = null;
          // Only web and mail links become hyperlinks; anything else stays plain text.
          out.push(...(/^(https?:|mailto:)/i.test(href) ? [new ExternalHyperlink({ link: href, children: runs })] : runs));
        }
        break;
      case 'image':
        text(`[image: ${t.content || String(t.attrGet('src') ?? '')}]`);
        break;
      default:
        if (t.content) text(t.content);
    }
  }
  return out;
}

interface ListFrame {
  ordered: boolean;
  instance: number;
}

/** Paragraphs and tables for the whole token stream. */
function blocks(tokens: Token[]): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  const lists: ListFrame[] = [];
  let quote = 0;
  let listInstances = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    switch (t.type) {
      case 'heading_open': {
        const level = Math.min(6, Number(t.tag.slice(1)) || 1);
        out.push(new Paragraph({ heading: HEADINGS[level - 1], children: inlineRuns(tokens[i + 1]) }));
        i += 2;
        break;
      }
      case 'bullet_list_open':
        lists.push({ ordered: false, instance: 0 });
        break;
      case 'ordered_list_open':
        lists.push({ ordered: true, instance: ++listInstances });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        break;
      case 'paragraph_open': {
        const inline = tokens[i + 1];
        const list = lists.at(-1);
        // Only the first paragraph of a list item carries the bullet/number (tight lists hide theirs).
        const firstInItem = list && tokens[i - 1]?.type === 'list_item_open';
        const level = Math.min(8, lists.length - 1);
        out.push(
          new Paragraph({
            children: inlineRuns(inline, quote ? { italics: true } : {}),
            ...(list && firstInItem ? (list.ordered ? { numbering: { reference: ORDERED, level, instance: list.instance } } : { bullet: { level } }) : {}),
            ...(list && !firstInItem ? { indent: { left: 720 * (level + 1) } } : {}),
            ...(quote ? { indent: { left: 720 * quote } } : {}),
          }),
        );
        i += 2;
        break;
      }
      case 'fence':
      case 'code_block': {
        const lines = t.content.replace(/\n$/, '').split('\n');
        out.push(new Paragraph({ children: lines.map((line, n) => new TextRun({ text: line, font: MONO, ...(n > 0 ? { break: 1 } : {}) })) }));
        break;
      }
      case 'hr':
        out.push(new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '999999', space: 1 } }, children: [] }));
        break;
      case 'table_open': {
        const rows: TableRow[] = [];
        let cells: TableCell[] = [];
        let header = false;
        for (i++; i < tokens.length && tokens[i].type !== 'table_close'; i++) {
          const c = tokens[i];
          if (c.type === 'thead_open') header = true;
          else if (c.type === 'thead_close') header = false;
          else if (c.type === 'tr_open') cells = [];
          else if (c.type === 'tr_close') rows.push(new TableRow({ ...(header ? { tableHeader: true } : {}), children: cells }));
          else if (c.type === 'th_open' || c.type === 'td_open') {
            cells.push(new TableCell({ children: [new Paragraph({ children: inlineRuns(tokens[i + 1], { bold: c.type === 'th_open' }) })] }));
            i += 2;
          }
        }
        if (rows.length) out.push(new Table({ rows, width: { size: 100, type: WidthType.PERCENTAGE } }));
        break;
      }
      case 'html_block':
        out.push(new Paragraph({ children: [new TextRun(t.content.trim())] }));
        break;
      default:
        break;
    }
  }
  return out;
}

/** The markdown as a .docx file (title in the document properties). */
export async function markdownToDocx(markdown: string, meta: { title: string; creator?: string }): Promise<Buffer> {
  const doc = new Document({
    title: meta.title,
    creator: meta.creator ?? 'Agency OS',
    numbering: {
      config: [
        {
          reference: ORDERED,
          levels: Array.from({ length: 9 }, (_, level) => ({
            level,
            format: LevelFormat.DECIMAL,
            text: `%${level + 1}.`,
            alignment: AlignmentType.START,
            style: { paragraph: { indent: { left: 720 * (level + 1), hanging: 360 } } },
          })),
        },
      ],
    },
    sections: [{ children: blocks(md.parse(markdown, {})) }],
  });
  return Packer.toBuffer(doc);
}

// CSV lead files through csv-parse (RFC 4180: quoted fields, doubled quotes, commas and line breaks
// inside quotes; CRLF, LF or CR line ends, a UTF-8 BOM). A file that is not well-formed CSV (an
// unterminated quote, a stray quote in a field) is refused whole with its line number; a row with
// more fields than the header is an error of that row, with its line and the column that has no name.
import { CsvError, parse } from 'csv-parse/sync';

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvRowIssue {
  /** Data row, from 1 (the header is not counted). */
  row: number;
  /** Line of the file where the row starts, from 1 (the header is line 1). */
  line: number;
  /** The column as the file names it (or its position when it has no header). */
  column: string;
  message: string;
}

export interface CsvRecords {
  /** Header → field name (as `key` maps it), for naming columns in errors. */
  columns: Map<string, string>;
  rows: Array<{ line: number; values: Record<string, string> }>;
  issues: CsvRowIssue[];
}

/** Rows as objects keyed by the header line, with headers mapped by `key`; blank rows skipped. */
export function csvRecords(text: string, key: (header: string) => string): CsvRecords {
  // One line end (LF) for the parser and the line numbers alike: files mix CRLF, LF and CR, and a
  // line break inside a quoted field is kept as LF.
  const lf = text.replace(/\r\n?/g, '\n');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(lf, {
      bom: true,
      trim: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      record_delimiter: '\n',
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>; // `info: true` changes the shape; the typings do not follow
  } catch (err) {
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number; column?: number };
      throw new CsvSyntaxError(`CSV is malformed at line ${e.lines ?? '?'}: ${err.message}`, e.lines ?? 0, e.column);
    }
    throw err;
  }
  const columns = new Map<string, string>();
  if (records.length === 0) return { columns, rows: [], issues: [] };

  const header = records[0].record;
  const keys = header.map((h) => key(h));
  const seen = new Map<string, string>();
  header.forEach((h, i) => {
    if (h === '') throw new CsvSyntaxError(`CSV header has an empty name in column ${i + 1}`, 1, i + 1);
    const other = seen.get(keys[i]);
    if (other !== undefined) throw new CsvSyntaxError(`CSV header names ${keys[i]} twice ("${other}" and "${h}")`, 1, i + 1);
    seen.set(keys[i], h);
    columns.set(keys[i], h);
  });

  // csv-parse reports the line a record ends on; a row starts on the first non-blank line after the
  // previous one (quoted line breaks make a row span lines).
  const lines = lf.replace(/^\uFEFF/, '').split('\n');
  const blank = (n: number) => /^[\s,]*$/.test(lines[n - 1] ?? '');
  let previousEnd = records[0].info.lines;
  const rows: CsvRecords['rows'] = [];
  const issues: CsvRowIssue[] = [];
  records.slice(1).forEach(({ record, info }, i) => {
    let line = previousEnd + 1;
    while (line < info.lines && blank(line)) line++;
    previousEnd = info.lines;
    const row = i + 1;
    if (record.length > header.length) {
      issues.push({ row, line, column: `column ${header.length + 1}`, message: `has ${record.length} fields; the header has ${header.length}` });
    }
    rows.push({ line, values: Object.fromEntries(keys.map((k, j) => [k, record[j] ?? '']).filter(([, v]) => v !== '')) });
  });
  return { columns, rows, issues };
}

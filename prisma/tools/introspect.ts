/**
 * Reads the structure a PostgreSQL schema actually has, in the same shape as
 * schema-model.ts derives from schema.prisma, so the two can be diffed.
 * Ordering follows Prisma's describer (tables, indexes and foreign keys by
 * name, columns by position), which decides the order of generated steps.
 */
import type { Client } from 'pg';
import type {
  ColumnDefault,
  DbColumn,
  DbEnum,
  DbForeignKey,
  DbIndex,
  DbStructure,
  DbTable,
  FkAction,
  Literal,
} from './schema-model';

/** Prisma's bookkeeping table; never part of the schema. */
export const MIGRATIONS_TABLE = '_prisma_migrations';

export async function introspectDatabase(client: Client, schema = 'public'): Promise<DbStructure> {
  const enums = await readEnums(client, schema);
  const enumNames = new Set(enums.map((e) => e.name));
  const tables = new Map<string, DbTable>();
  for (const name of await readTableNames(client, schema)) {
    tables.set(name, { name, columns: [], primaryKey: null, indexes: [], foreignKeys: [] });
  }
  await readColumns(client, schema, tables, enumNames);
  await readIndexes(client, schema, tables);
  await readForeignKeys(client, schema, tables);
  return { enums, tables: [...tables.values()] };
}

async function readEnums(client: Client, schema: string): Promise<DbEnum[]> {
  const { rows } = await client.query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value
       FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1
      ORDER BY t.typname, e.enumsortorder`,
    [schema],
  );
  const enums = new Map<string, DbEnum>();
  for (const row of rows) {
    const e = enums.get(row.name) ?? { name: row.name, values: [] };
    e.values.push(row.value);
    enums.set(row.name, e);
  }
  return [...enums.values()];
}

async function readTableNames(client: Client, schema: string): Promise<string[]> {
  // relname is of type `name`, which sorts bytewise like Prisma's describer.
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $2
      ORDER BY c.relname`,
    [schema, MIGRATIONS_TABLE],
  );
  return rows.map((r) => r.name);
}

interface ColumnRow {
  table_name: string;
  name: string;
  not_null: boolean;
  identity: string;
  formatted: string;
  is_array: boolean;
  base_type: string;
  base_typtype: string;
  default_expr: string | null;
}

async function readColumns(
  client: Client,
  schema: string,
  tables: Map<string, DbTable>,
  enumNames: Set<string>,
): Promise<void> {
  const { rows } = await client.query<ColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS name, a.attnotnull AS not_null,
            a.attidentity::text AS identity,
            format_type(a.atttypid, a.atttypmod) AS formatted,
            (t.typcategory = 'A') AS is_array,
            COALESCE(et.typname, t.typname) AS base_type,
            COALESCE(et.typtype, t.typtype)::text AS base_typtype,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  for (const row of rows) {
    const table = tables.get(row.table_name);
    if (!table) continue;
    const isEnum = row.base_typtype === 'e' && enumNames.has(row.base_type);
    const type = isEnum ? row.base_type : sqlTypeName(row.formatted.replace(/\[\]$/, ''));
    const column: DbColumn = {
      name: row.name,
      type,
      isEnum,
      isList: row.is_array,
      notNull: row.not_null && !row.is_array,
      autoincrement: false,
      default: null,
    };
    column.default = row.default_expr === null ? null : parseDefault(row.default_expr, column);
    column.autoincrement = row.identity !== '' || column.default?.kind === 'sequence';
    table.columns.push(column);
  }
}

interface IndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  algorithm: string;
  column_name: string | null;
  descending: boolean;
  opclass: string | null;
  opclass_is_default: boolean | null;
  is_partial: boolean;
}

async function readIndexes(client: Client, schema: string, tables: Map<string, DbTable>): Promise<void> {
  const { rows } = await client.query<IndexRow>(
    `SELECT t.relname AS table_name, i.relname AS index_name,
            ix.indisunique AS is_unique, ix.indisprimary AS is_primary, am.amname AS algorithm,
            a.attname AS column_name,
            (ix.indoption[k.ord - 1] & 1) = 1 AS descending,
            opc.opcname AS opclass, opc.opcdefault AS opclass_is_default,
            ix.indpred IS NOT NULL AS is_partial
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
       CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       LEFT JOIN pg_opclass opc ON opc.oid = ix.indclass[k.ord - 1]
      WHERE n.nspname = $1 AND t.relkind IN ('r', 'p') AND k.ord <= ix.indnkeyatts
      ORDER BY t.relname, i.relname, k.ord`,
    [schema],
  );
  const byName = new Map<string, { table: DbTable; index: DbIndex; primary: boolean }>();
  for (const row of rows) {
    const table = tables.get(row.table_name);
    if (!table) continue;
    let entry = byName.get(row.index_name);
    if (!entry) {
      entry = {
        table,
        primary: row.is_primary,
        index: {
          // A partial index is never what Prisma would create: keep it distinct.
          name: row.index_name,
          unique: row.is_unique,
          algorithm: sqlAlgorithm(row.algorithm, row.is_partial),
          columns: [],
        },
      };
      byName.set(row.index_name, entry);
      if (!row.is_primary) table.indexes.push(entry.index);
    }
    entry.index.columns.push({
      name: row.column_name ?? '(expression)',
      ...(row.descending ? { sort: 'DESC' as const } : {}),
      ...(row.opclass && !row.opclass_is_default ? { opclass: row.opclass } : {}),
    });
  }
  for (const { table, index, primary } of byName.values()) {
    if (primary) table.primaryKey = { name: index.name, columns: index.columns.map((c) => c.name) };
  }
}

/** BTREE, GIN, ...; a partial index gets a label no schema produces. */
function sqlAlgorithm(amname: string, partial: boolean): string {
  const upper = amname.toUpperCase();
  return partial ? `${upper} (partial)` : upper;
}

interface FkRow {
  name: string;
  table_name: string;
  ref_table: string;
  on_delete: string;
  on_update: string;
  columns: string[];
  ref_columns: string[];
}

const FK_ACTIONS: Record<string, FkAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

async function readForeignKeys(client: Client, schema: string, tables: Map<string, DbTable>): Promise<void> {
  const { rows } = await client.query<FkRow>(
    `SELECT con.conname AS name, t.relname AS table_name, rt.relname AS ref_table,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
            ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                   ORDER BY k.ord)::text[] AS columns,
            ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                   ORDER BY k.ord)::text[] AS ref_columns
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class rt ON rt.oid = con.confrelid
      WHERE con.contype = 'f' AND n.nspname = $1
      ORDER BY t.relname, con.conname`,
    [schema],
  );
  for (const row of rows) {
    const fk: DbForeignKey = {
      name: row.name,
      columns: row.columns,
      referencedTable: row.ref_table,
      referencedColumns: row.ref_columns,
      onDelete: FK_ACTIONS[row.on_delete] ?? 'NO ACTION',
      onUpdate: FK_ACTIONS[row.on_update] ?? 'NO ACTION',
    };
    tables.get(row.table_name)?.foreignKeys.push(fk);
  }
}

// ---------------------------------------------------------------- types

/** format_type() output -> Prisma's spelling (TEXT, VARCHAR(255), TIMESTAMP(3), ...). */
export function sqlTypeName(formatted: string): string {
  const m = /^([a-z ]+?)(?:\(([\d, ]+)\))?( with(?:out)? time zone)?$/.exec(formatted);
  if (!m) return formatted;
  const base = m[1] ?? '';
  const args = m[2] ? `(${m[2].replace(/\s+/g, '')})` : '';
  const withTz = m[3] === ' with time zone';
  switch (base) {
    case 'character varying':
      return `VARCHAR${args}`;
    case 'character':
    case 'bpchar':
      return `CHAR${args}`;
    case 'bit varying':
      return `VARBIT${args}`;
    case 'numeric':
      return `DECIMAL${args}`;
    case 'timestamp':
      return `${withTz ? 'TIMESTAMPTZ' : 'TIMESTAMP'}${args}`;
    case 'time':
      return `${withTz ? 'TIMETZ' : 'TIME'}${args}`;
    default:
      return `${base.toUpperCase()}${args}`;
  }
}

// ---------------------------------------------------------------- defaults

/**
 * Turns pg_get_expr() output back into the default Prisma would have written,
 * e.g. `'a'::text` -> 'a', `ARRAY['A'::"Role"]` -> [A], `nextval(...)` -> sequence.
 * Anything unrecognised is kept as a dbgenerated() expression.
 */
export function parseDefault(expr: string, column: Pick<DbColumn, 'type' | 'isEnum' | 'isList'>): ColumnDefault {
  const trimmed = expr.trim();
  const seq = /^nextval\('(.+)'::regclass\)$/i.exec(trimmed);
  if (seq) return { kind: 'sequence', name: (seq[1] ?? '').replace(/^"(.*)"$/, '$1') };
  if (/^(CURRENT_TIMESTAMP|now\(\))$/i.test(trimmed)) return { kind: 'now' };
  const literal = column.isList ? parseArrayLiteral(trimmed, column) : parseScalarLiteral(trimmed, column);
  return literal ? { kind: 'literal', value: literal } : { kind: 'dbgenerated', sql: trimmed };
}

type ColumnKind = Pick<DbColumn, 'type' | 'isEnum'>;

function literalFor(column: ColumnKind, text: string): Literal | null {
  if (column.isEnum) return { type: 'enum', value: text };
  const type = column.type.replace(/\(.*\)$/, '');
  switch (type) {
    case 'TEXT':
    case 'VARCHAR':
    case 'CHAR':
    case 'CITEXT':
    case 'UUID':
    case 'XML':
    case 'INET':
    case 'BIT':
    case 'VARBIT':
      return { type: 'string', value: text };
    case 'JSON':
    case 'JSONB':
      return { type: 'json', value: text };
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
    case 'DATE':
    case 'TIME':
    case 'TIMETZ':
      return { type: 'datetime', value: text };
    case 'BYTEA':
      return text.startsWith('\\x') ? { type: 'bytes', hex: text.slice(2).toLowerCase() } : null;
    case 'BOOLEAN':
      return /^(true|false)$/i.test(text) ? { type: 'boolean', value: text.toLowerCase() === 'true' } : null;
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
    case 'REAL':
    case 'DOUBLE PRECISION':
    case 'OID':
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? { type: 'number', value: text } : null;
    default:
      return null;
  }
}

/** A quoted literal, optionally cast: 'it''s'::text, 'a'::"Role", (-1), 1.5, true. */
function parseScalarLiteral(expr: string, column: ColumnKind): Literal | null {
  let text = expr.replace(/^\((.*)\)$/, '$1');
  const quoted = /^'((?:[^']|'')*)'(?:::.+)?$/s.exec(text);
  if (quoted) return literalFor(column, (quoted[1] ?? '').replace(/''/g, "'"));
  text = text.replace(/::[\w ."[\]]+$/, '').replace(/^\((.*)\)$/, '$1');
  if (/^(true|false)$/i.test(text) || /^-?[\d.]+([eE][-+]?\d+)?$/.test(text)) return literalFor(column, text);
  return null;
}

/** ARRAY['a'::text, 'b'::text], ARRAY[]::text[] or '{a,b}'::text[]. */
function parseArrayLiteral(expr: string, column: ColumnKind): Literal | null {
  const inner = arrayConstructorBody(expr);
  if (inner !== null) {
    const items: Literal[] = [];
    for (const part of splitTopLevel(inner)) {
      const item = parseScalarLiteral(part, column);
      if (!item) return null;
      items.push(item);
    }
    return { type: 'list', items };
  }
  const text = /^'((?:[^']|'')*)'(?:::.+)?$/s.exec(expr);
  if (!text) return null;
  const body = /^\{(.*)\}$/s.exec((text[1] ?? '').replace(/''/g, "'"));
  if (!body) return null;
  const items: Literal[] = [];
  for (const element of splitArrayText(body[1] ?? '')) {
    const item = literalFor(column, element);
    if (!item) return null;
    items.push(item);
  }
  return { type: 'list', items };
}

/** The inside of `ARRAY[...]` (optionally followed by a cast), or null. */
function arrayConstructorBody(expr: string): string | null {
  if (!expr.startsWith('ARRAY[')) return null;
  let depth = 0;
  let inQuote = false;
  for (let i = 5; i < expr.length; i++) {
    const ch = expr[i];
    if (inQuote) {
      if (ch === "'" && expr[i + 1] === "'") i++;
      else if (ch === "'") inQuote = false;
    } else if (ch === "'") inQuote = true;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) {
      const rest = expr.slice(i + 1);
      return rest === '' || rest.startsWith('::') ? expr.slice(6, i) : null;
    }
  }
  return null;
}

/** Splits on commas outside single quotes and parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inQuote) {
      if (ch === "'" && s[i + 1] === "'") i++;
      else if (ch === "'") inQuote = false;
    } else if (ch === "'") inQuote = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

/** Elements of PostgreSQL's array text format: a,"b c","d\"e". */
function splitArrayText(s: string): string[] {
  if (s === '') return [];
  const out: string[] = [];
  let current = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (inQuote) {
      if (ch === '\\') current += s[++i] ?? '';
      else if (ch === '"') inQuote = false;
      else current += ch;
    } else if (ch === '"') inQuote = true;
    else if (ch === ',') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

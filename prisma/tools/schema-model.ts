/**
 * The database structure a Prisma schema implies, derived the way Prisma's
 * migrate engine derives it (prisma-engines' sql_schema_calculator), so that
 * our own migrations match what `prisma migrate dev` would have written.
 *
 * The `DbStructure` types are shared with introspect.ts (what a database
 * actually has) and diff.ts (how to get from one to the other).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';

// ---------------------------------------------------------------- structure

export type FkAction = 'CASCADE' | 'RESTRICT' | 'NO ACTION' | 'SET NULL' | 'SET DEFAULT';
export type IndexAlgorithm = 'BTREE' | 'HASH' | 'GIST' | 'GIN' | 'SPGIST' | 'BRIN';

/** A constant default, typed the way Prisma compares them. */
export type Literal =
  | { type: 'string'; value: string }
  | { type: 'enum'; value: string }
  | { type: 'json'; value: string }
  | { type: 'datetime'; value: string }
  | { type: 'number'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'bytes'; hex: string }
  | { type: 'list'; items: Literal[] };

export type ColumnDefault =
  | { kind: 'now' }
  /** autoincrement(); `name` is the sequence's name when read from a database. */
  | { kind: 'sequence'; name?: string }
  | { kind: 'dbgenerated'; sql: string }
  | { kind: 'literal'; value: Literal };

export interface DbColumn {
  name: string;
  /** Prisma's SQL spelling of the (element) type, e.g. TEXT, VARCHAR(255),
   *  TIMESTAMP(3); for an enum column, the enum's name. */
  type: string;
  isEnum: boolean;
  /** Lists are arrays, which Prisma always leaves nullable. */
  isList: boolean;
  notNull: boolean;
  autoincrement: boolean;
  default: ColumnDefault | null;
  /** Schema side only: a default the Prisma client fills in (uuid(), cuid()…). */
  clientDefault?: boolean;
}

export interface IndexColumn {
  name: string;
  /** Only when given explicitly in the schema (Prisma then writes ASC/DESC). */
  sort?: 'ASC' | 'DESC';
  /** Operator class, e.g. jsonb_path_ops; absent when it is the type's default. */
  opclass?: string;
}

export interface DbIndex {
  name: string;
  unique: boolean;
  /** An IndexAlgorithm; databases may report others (e.g. partial indexes). */
  algorithm: string;
  columns: IndexColumn[];
}

export interface DbPrimaryKey {
  name: string;
  columns: string[];
}

export interface DbForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: FkAction;
  onUpdate: FkAction;
}

export interface DbTable {
  name: string;
  columns: DbColumn[];
  primaryKey: DbPrimaryKey | null;
  /** Unique and plain indexes, primary key excluded. */
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
}

export interface DbEnum {
  name: string;
  values: string[];
}

export interface DbStructure {
  enums: DbEnum[];
  tables: DbTable[];
}

// ---------------------------------------------------------------- naming

/** PostgreSQL's identifier limit, which Prisma's default names respect. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Cuts `s` to at most `bytes` UTF-8 bytes without splitting a character
 *  (Prisma's floor_char_boundary). */
function truncateBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  let end = bytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx).
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

// These mirror psl's ConstraintNames, including its `>=` comparisons.
export function primaryKeyName(table: string): string {
  const limit = MAX_IDENTIFIER_BYTES - 5;
  const base = Buffer.byteLength(table) >= limit ? truncateBytes(table, limit) : table;
  return `${base}_pkey`;
}

function indexNameWithSuffix(table: string, columns: string[], suffix: string): string {
  const joined = `${table}_${columns.join('_')}`;
  const limit = MAX_IDENTIFIER_BYTES - suffix.length;
  return `${Buffer.byteLength(joined) >= limit ? truncateBytes(joined, limit) : joined}${suffix}`;
}

export const uniqueIndexName = (table: string, columns: string[]): string =>
  indexNameWithSuffix(table, columns, '_key');
export const plainIndexName = (table: string, columns: string[]): string =>
  indexNameWithSuffix(table, columns, '_idx');
export const foreignKeyName = (table: string, columns: string[]): string =>
  indexNameWithSuffix(table, columns, '_fkey');

// ---------------------------------------------------------------- DMMF shapes

// Only the parts of Prisma's DMMF that we read.
interface DmmfDefaultFunction {
  name: string;
  args: unknown[];
}
type DmmfDefault = DmmfDefaultFunction | string | number | boolean | Array<string | number | boolean>;

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: DmmfDefault;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  schema: string | null;
  fields: DmmfField[];
}

interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}

interface DmmfIndexField {
  name: string;
  sortOrder?: 'asc' | 'desc';
  length?: number;
  operatorClass?: string | { raw: string };
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  algorithm?: string;
  where?: unknown;
  fields: DmmfIndexField[];
}

interface DmmfDatamodel {
  enums: DmmfEnum[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

/** The schema cannot be read, is invalid, or uses something this tool cannot express. */
export class SchemaModelError extends Error {}

// ---------------------------------------------------------------- entry points

/** Reads a schema.prisma file and returns the structure Prisma would create. */
export function readSchemaModel(schemaPath: string): DbStructure {
  let source: string;
  try {
    source = readFileSync(schemaPath, 'utf8');
  } catch {
    throw new SchemaModelError(`cannot read the Prisma schema at ${schemaPath}`);
  }
  return schemaModelFromSource(source, basename(schemaPath));
}

/** Same as readSchemaModel, for schema text. */
export function schemaModelFromSource(source: string, fileName = 'schema.prisma'): DbStructure {
  rejectUnsupportedSyntax(source);
  const datamodel = loadDmmf(source, fileName);
  return new StructureBuilder(datamodel, source).build();
}

function loadDmmf(source: string, fileName: string): DmmfDatamodel {
  let raw: string;
  try {
    // The wasm accepts either the schema text or [[fileName, text], ...].
    raw = get_dmmf(JSON.stringify({ prismaSchema: [[fileName, source]] }));
  } catch (err) {
    throw new SchemaModelError(`schema is invalid: ${wasmErrorMessage(err)}`);
  }
  return (JSON.parse(raw) as { datamodel: DmmfDatamodel }).datamodel;
}

/** The wasm throws a JSON string with Prisma's (ANSI-coloured) validation messages. */
function wasmErrorMessage(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // not JSON: use as is
  }
  // eslint-disable-next-line no-control-regex -- stripping terminal colour codes
  return text.replace(/\x1b\[[0-9;]*m/g, '').trim();
}

/** Features the DMMF silently drops or that we do not render. */
function rejectUnsupportedSyntax(source: string): void {
  const code = stripComments(source);
  const checks: [RegExp, string][] = [
    [/\bUnsupported\s*\(/, 'Unsupported("...") fields (they are missing from the DMMF)'],
    [/^\s*view\s+\w+\s*\{/m, 'views'],
    [/^\s*schemas\s*=/m, 'multiple database schemas (datasource `schemas`)'],
    [/^\s*extensions\s*=/m, 'PostgreSQL extensions (datasource `extensions`)'],
    [/@default\s*\(\s*sequence\s*\(/, '@default(sequence()) (CockroachDB only)'],
  ];
  for (const [pattern, what] of checks) {
    if (pattern.test(code)) throw new SchemaModelError(`schema uses ${what}, which this tool cannot express`);
  }
}

// ---------------------------------------------------------------- builder

const SCALAR_DEFAULT_TYPES: Record<string, string> = {
  String: 'TEXT',
  Int: 'INTEGER',
  BigInt: 'BIGINT',
  Float: 'DOUBLE PRECISION',
  Decimal: 'DECIMAL(65,30)',
  Boolean: 'BOOLEAN',
  DateTime: 'TIMESTAMP(3)',
  Json: 'JSONB',
  Bytes: 'BYTEA',
};

/** psl native type name -> SQL keyword (arguments are appended). */
const NATIVE_TYPES: Record<string, string> = {
  Text: 'TEXT',
  Char: 'CHAR',
  VarChar: 'VARCHAR',
  Bit: 'BIT',
  VarBit: 'VARBIT',
  Uuid: 'UUID',
  Xml: 'XML',
  Inet: 'INET',
  Citext: 'CITEXT',
  SmallInt: 'SMALLINT',
  Integer: 'INTEGER',
  BigInt: 'BIGINT',
  Oid: 'OID',
  Decimal: 'DECIMAL',
  Money: 'MONEY',
  Real: 'REAL',
  DoublePrecision: 'DOUBLE PRECISION',
  Timestamp: 'TIMESTAMP',
  Timestamptz: 'TIMESTAMPTZ',
  Date: 'DATE',
  Time: 'TIME',
  Timetz: 'TIMETZ',
  Boolean: 'BOOLEAN',
  Json: 'JSON',
  JsonB: 'JSONB',
  ByteA: 'BYTEA',
};

/** SQL keyword -> psl native type name, e.g. VARCHAR -> VarChar. */
export function nativeTypeNameFor(sqlKeyword: string): string | undefined {
  return Object.entries(NATIVE_TYPES).find(([, keyword]) => keyword === sqlKeyword)?.[0];
}

const REFERENTIAL_ACTIONS: Record<string, FkAction> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

class StructureBuilder {
  private readonly models = new Map<string, DmmfModel>();
  private readonly enums = new Map<string, DmmfEnum>();
  private readonly tables = new Map<string, DbTable>(); // by model name
  private readonly relationMaps: Map<string, string>;
  private readonly usesForeignKeys: boolean;

  constructor(
    private readonly dm: DmmfDatamodel,
    source: string,
  ) {
    for (const m of dm.models) this.models.set(m.name, m);
    for (const e of dm.enums) this.enums.set(e.name, e);
    this.relationMaps = relationConstraintNames(source);
    this.usesForeignKeys = !/^\s*relationMode\s*=\s*"prisma"/m.test(stripComments(source));
  }

  build(): DbStructure {
    const enums = this.dm.enums.map((e) => ({
      name: e.dbName ?? e.name,
      values: e.values.map((v) => v.dbName ?? v.name),
    }));
    for (const model of this.dm.models) {
      if (model.schema) throw new SchemaModelError(`model ${model.name} uses @@schema, which this tool cannot express`);
      this.tables.set(model.name, this.modelTable(model));
    }
    const joinTables: DbTable[] = [];
    // Prisma orders relations by the field that defines them, model by model.
    for (const model of this.dm.models) {
      for (const field of model.fields) {
        if (field.kind !== 'object') continue;
        if (field.relationFromFields?.length) {
          if (this.usesForeignKeys) this.tableOf(model).foreignKeys.push(this.foreignKey(model, field));
        } else {
          const join = this.joinTable(model, field);
          if (join) joinTables.push(join);
        }
      }
    }
    return { enums, tables: [...this.tables.values(), ...joinTables] };
  }

  private tableOf(model: DmmfModel): DbTable {
    const table = this.tables.get(model.name);
    if (!table) throw new Error(`internal: no table for model ${model.name}`);
    return table;
  }

  private modelTable(model: DmmfModel): DbTable {
    const tableName = model.dbName ?? model.name;
    const columns = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => this.column(f));
    const columnOf = (fieldName: string): string => {
      const field = model.fields.find((f) => f.name === fieldName);
      if (!field) throw new Error(`internal: field ${model.name}.${fieldName} not found`);
      return field.dbName ?? field.name;
    };

    let primaryKey: DbPrimaryKey | null = null;
    const indexes: DbIndex[] = [];
    // The DMMF lists indexes in Prisma's own order: @id/@@id, field @unique,
    // @@index, @@unique — the order migrate creates them in.
    for (const index of this.dm.indexes.filter((i) => i.model === model.name)) {
      if (index.where !== undefined) {
        throw new SchemaModelError(`a partial index on ${model.name} (where:), which this tool cannot express`);
      }
      const names = index.fields.map((f) => columnOf(f.name));
      if (index.type === 'id') {
        primaryKey = { name: index.dbName ?? primaryKeyName(tableName), columns: names };
        continue;
      }
      if (index.type === 'fulltext') throw new SchemaModelError(`@@fulltext on ${model.name} (MySQL only)`);
      const unique = index.type === 'unique';
      indexes.push({
        name: index.dbName ?? (unique ? uniqueIndexName : plainIndexName)(tableName, names),
        unique,
        algorithm: indexAlgorithm(index.algorithm),
        columns: index.fields.map((f, i) => indexColumn(f, names[i] ?? f.name, index.algorithm)),
      });
    }
    return { name: tableName, columns, primaryKey, indexes, foreignKeys: [] };
  }

  private column(field: DmmfField): DbColumn {
    const isEnum = field.kind === 'enum';
    const type = isEnum ? this.enumDbName(field.type) : this.scalarType(field);
    const fn = typeof field.default === 'object' && !Array.isArray(field.default) ? field.default : undefined;
    const autoincrement = fn?.name === 'autoincrement';
    const column: DbColumn = {
      name: field.dbName ?? field.name,
      type,
      isEnum,
      isList: field.isList,
      notNull: field.isRequired && !field.isList,
      autoincrement,
      default: this.columnDefault(field),
    };
    if (fn && column.default === null) column.clientDefault = true;
    return column;
  }

  private scalarType(field: DmmfField): string {
    if (field.nativeType) {
      const [name, args] = field.nativeType;
      const keyword = NATIVE_TYPES[name];
      if (!keyword) throw new SchemaModelError(`native type @db.${name} on field ${field.name}`);
      if (args.length === 0) return keyword;
      // Prisma writes DECIMAL(p,s) without a space after the comma.
      return `${keyword}(${args.join(',')})`;
    }
    const type = SCALAR_DEFAULT_TYPES[field.type];
    if (!type) throw new SchemaModelError(`field ${field.name} has type ${field.type}, which this tool cannot express`);
    return type;
  }

  private enumDbName(enumName: string): string {
    const e = this.enums.get(enumName);
    return e?.dbName ?? enumName;
  }

  private enumValueDbName(enumName: string, value: string): string {
    const e = this.enums.get(enumName);
    return e?.values.find((v) => v.name === value)?.dbName ?? value;
  }

  /** Mirrors the calculator: now/dbgenerated/autoincrement/constants become
   *  database defaults; uuid(), cuid(), nanoid()… live in the client only. */
  private columnDefault(field: DmmfField): ColumnDefault | null {
    const d = field.default;
    if (d === undefined) return null;
    if (typeof d === 'object' && !Array.isArray(d)) {
      switch (d.name) {
        case 'now':
          return { kind: 'now' };
        case 'autoincrement':
          return { kind: 'sequence' };
        case 'dbgenerated': {
          const sql = d.args[0];
          // dbgenerated() without an argument means "the database has some default".
          return typeof sql === 'string' ? { kind: 'dbgenerated', sql } : { kind: 'dbgenerated', sql: '' };
        }
        default:
          return null;
      }
    }
    const toLiteral = (v: string | number | boolean): Literal => this.literal(field, v);
    if (Array.isArray(d)) return { kind: 'literal', value: { type: 'list', items: d.map(toLiteral) } };
    return { kind: 'literal', value: toLiteral(d) };
  }

  private literal(field: DmmfField, v: string | number | boolean): Literal {
    if (field.kind === 'enum') return { type: 'enum', value: this.enumValueDbName(field.type, String(v)) };
    switch (field.type) {
      case 'Boolean':
        return { type: 'boolean', value: v === true || v === 'true' };
      case 'Int':
      case 'BigInt':
        return { type: 'number', value: String(v) };
      case 'Float':
      case 'Decimal':
        // Prisma keeps these as f64 and prints them the way Rust does.
        return { type: 'number', value: formatFloat(Number(v)) };
      case 'Json':
        return { type: 'json', value: String(v) };
      case 'DateTime':
        return { type: 'datetime', value: String(v) };
      case 'Bytes':
        return { type: 'bytes', hex: Buffer.from(String(v), 'base64').toString('hex') };
      default:
        return { type: 'string', value: String(v) };
    }
  }

  private foreignKey(model: DmmfModel, field: DmmfField): DbForeignKey {
    const table = this.tableOf(model);
    const target = this.models.get(field.type);
    if (!target) throw new Error(`internal: relation target ${field.type} not found`);
    const dbName = (m: DmmfModel, name: string): string => {
      const f = m.fields.find((x) => x.name === name);
      return f?.dbName ?? name;
    };
    const from = field.relationFromFields ?? [];
    const columns = from.map((n) => dbName(model, n));
    const anyRequired = from.some((n) => model.fields.find((f) => f.name === n)?.isRequired === true);
    // psl's default_on_delete_action: Restrict when the relation is required.
    const defaultOnDelete: FkAction = anyRequired || field.isRequired ? 'RESTRICT' : 'SET NULL';
    return {
      name: this.relationMaps.get(`${model.name}.${field.name}`) ?? foreignKeyName(table.name, columns),
      columns,
      referencedTable: target.dbName ?? target.name,
      referencedColumns: (field.relationToFields ?? []).map((n) => dbName(target, n)),
      onDelete: field.relationOnDelete ? referentialAction(field.relationOnDelete) : defaultOnDelete,
      onUpdate: field.relationOnUpdate ? referentialAction(field.relationOnUpdate) : 'CASCADE',
    };
  }

  /** Implicit many-to-many relation table `_Name` with columns A and B. */
  private joinTable(model: DmmfModel, field: DmmfField): DbTable | null {
    const other = this.models.get(field.type);
    if (!other || !field.isList) return null;
    const isSelf = other.name === model.name;
    const opposite = other.fields.find(
      (f) => f.kind === 'object' && f.relationName === field.relationName && (!isSelf || f.name !== field.name),
    );
    if (!opposite?.isList) return null;
    // Prisma creates it once, from model A: the smaller model name (field name for self-relations).
    if (model.name > other.name) return null;
    if (isSelf && field.name > opposite.name) return null;

    const name = [...`_${field.relationName ?? ''}`].slice(0, MAX_IDENTIFIER_BYTES).join('');
    const idColumn = (m: DmmfModel): DbColumn => {
      const table = this.tableOf(m);
      const pk = table.primaryKey;
      const col = pk?.columns.length === 1 ? table.columns.find((c) => c.name === pk.columns[0]) : undefined;
      if (!col) throw new SchemaModelError(`implicit many-to-many relation needs a single-field @id on ${m.name}`);
      return col;
    };
    const column = (colName: string, m: DmmfModel): DbColumn => {
      const id = idColumn(m);
      return { ...id, name: colName, notNull: true, autoincrement: false, default: null };
    };
    const fkAction: FkAction = 'CASCADE';
    // The join table's constraint names diverge from the usual convention on purpose.
    const maxBase = MAX_IDENTIFIER_BYTES - '_fkey'.length - 2;
    const fk = (letter: 'A' | 'B', m: DmmfModel, longer: boolean): DbForeignKey => ({
      name: `${longer ? name.slice(0, maxBase) : name}_${letter}_fkey`,
      columns: [letter],
      referencedTable: this.tableOf(m).name,
      referencedColumns: [idColumn(m).name],
      onDelete: fkAction,
      onUpdate: fkAction,
    });
    const cut = (suffix: string): string => [...name].slice(0, MAX_IDENTIFIER_BYTES - suffix.length).join('');
    return {
      name,
      columns: [column('A', model), column('B', other)],
      primaryKey: { name: `${cut('_AB_pkey')}_AB_pkey`, columns: ['A', 'B'] },
      indexes: [{ name: `${[...name].slice(0, MAX_IDENTIFIER_BYTES - 8).join('')}_B_index`, unique: false, algorithm: 'BTREE', columns: [{ name: 'B' }] }],
      foreignKeys: this.usesForeignKeys
        ? [fk('A', model, name.length > maxBase), fk('B', other, name.length >= maxBase)]
        : [],
    };
  }
}

/** Rust's `Display` for f64: shortest round-trip digits, never an exponent. */
export function formatFloat(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = '', int = '', frac = '', expText = '0'] = m;
  const digits = int + frac;
  const point = 1 + Number(expText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function referentialAction(action: string): FkAction {
  const mapped = REFERENTIAL_ACTIONS[action];
  if (!mapped) throw new SchemaModelError(`referential action ${action}`);
  return mapped;
}

function indexAlgorithm(algorithm: string | undefined): IndexAlgorithm {
  const upper = (algorithm ?? 'BTree').toUpperCase();
  const known: IndexAlgorithm[] = ['BTREE', 'HASH', 'GIST', 'GIN', 'SPGIST', 'BRIN'];
  const found = known.find((k) => k === upper);
  if (!found) throw new SchemaModelError(`index type ${algorithm ?? ''}`);
  return found;
}

/** psl operator classes that are their type's default; PostgreSQL does not
 *  report those, so we leave them out to compare equal. */
const DEFAULT_OPCLASSES = new Set([
  'JsonbOps',
  'ArrayOps',
  'TextOps',
  'BitMinMaxOps',
  'VarBitMinMaxOps',
  'BpcharMinMaxOps',
  'ByteaMinMaxOps',
  'DateMinMaxOps',
  'Float4MinMaxOps',
  'Float8MinMaxOps',
  'InetInclusionOps',
  'InetMinMaxOps',
  'Int2MinMaxOps',
  'Int4MinMaxOps',
  'Int8MinMaxOps',
  'NumericMinMaxOps',
  'OidMinMaxOps',
  'TextMinMaxOps',
  'TimestampMinMaxOps',
  'TimestampTzMinMaxOps',
  'TimeMinMaxOps',
  'TimeTzMinMaxOps',
  'UuidMinMaxOps',
]);

function indexColumn(field: DmmfIndexField, column: string, algorithm: string | undefined): IndexColumn {
  if (field.length !== undefined) throw new SchemaModelError('index `length` (MySQL/SQL Server only)');
  const out: IndexColumn = { name: column };
  if (field.sortOrder) out.sort = field.sortOrder === 'desc' ? 'DESC' : 'ASC';
  const opclass = field.operatorClass;
  if (typeof opclass === 'object') out.opclass = opclass.raw;
  else if (opclass && !(DEFAULT_OPCLASSES.has(opclass) || (opclass === 'InetOps' && algorithm === 'SpGist'))) {
    out.opclass = opclassSqlName(opclass);
  }
  return out;
}

/** psl's OperatorClass names -> PostgreSQL's, e.g. Int4MinMaxMultiOps -> int4_minmax_multi_ops. */
export function opclassSqlName(name: string): string {
  return name
    .replace(/MinMax/g, 'Minmax')
    .replace(/VarBit/g, 'Varbit')
    .replace(/TimestampTz/g, 'Timestamptz')
    .replace(/TimeTz/g, 'Timetz')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

// ---------------------------------------------------------------- raw text helpers

/** Removes // comments (outside string literals) so regexes see only code. */
function stripComments(source: string): string {
  return source
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === '\\' && inString) i++;
        else if (ch === '"') inString = !inString;
        else if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/**
 * `@relation(..., map: "name")` on relation fields, keyed "Model.field".
 * The DMMF omits foreign key constraint names, so they are read from the text.
 */
function relationConstraintNames(source: string): Map<string, string> {
  const names = new Map<string, string>();
  let model: string | null = null;
  for (const line of stripComments(source).split('\n')) {
    const open = /^\s*model\s+(\w+)\s*\{/.exec(line);
    if (open) {
      model = open[1] ?? null;
      continue;
    }
    if (/^\s*\}/.test(line)) {
      model = null;
      continue;
    }
    if (!model) continue;
    const field = /^\s*(\w+)\s/.exec(line)?.[1];
    const at = line.indexOf('@relation(');
    if (!field || at < 0) continue;
    const args = balancedArgs(line, at + '@relation'.length);
    const map = /\bmap\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(args)?.[1];
    if (map !== undefined) names.set(`${model}.${field}`, map);
  }
  return names;
}

/** The text inside the parentheses that open at `open`. */
function balancedArgs(line: string, open: number): string {
  let depth = 0;
  let inString = false;
  for (let i = open; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return line.slice(open + 1, i);
  }
  return line.slice(open + 1);
}

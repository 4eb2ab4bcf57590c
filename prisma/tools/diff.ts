/**
 * Compares the structure schema.prisma implies ("expected") with what a
 * database has ("actual"), and renders the DDL that turns actual into
 * expected the way Prisma's migrate engine does (prisma-engines'
 * sql_schema_differ + postgres renderer): same steps, same order, same
 * `-- CreateTable` headers and the same warnings block.
 *
 * One plan feeds both outputs, so "no differences" and "empty SQL" agree.
 */
import {
  nativeTypeNameFor,
  type ColumnDefault,
  type DbColumn,
  type DbEnum,
  type DbForeignKey,
  type DbIndex,
  type DbStructure,
  type DbTable,
  type Literal,
} from './schema-model';

// ---------------------------------------------------------------- public API

/** Human-readable differences; empty when the database matches the schema. */
export function diffStructures(expected: DbStructure, actual: DbStructure): string[] {
  const plan = planMigration(expected, actual);
  const created = new Set(plan.steps.flatMap((s) => (s.kind === 'CreateTable' ? [s.table.name] : [])));
  return plan.steps.flatMap((step) => describeStep(step, created));
}

/** PostgreSQL DDL turning `actual` into `expected`, formatted like a Prisma
 *  migration.sql (warnings block included); empty string when equal. */
export function sqlForDiff(expected: DbStructure, actual: DbStructure): string {
  const plan = planMigration(expected, actual);
  let script = '';
  const notes = [...plan.warnings, ...plan.unexecutable];
  if (notes.length > 0) script += `/*\n  Warnings:\n\n${notes.map((n) => `  - ${n}\n`).join('')}\n*/\n`;
  let first = true;
  for (const step of plan.steps) {
    const statements = renderStep(step, plan);
    if (statements.length === 0) continue;
    if (!first) script += '\n';
    first = false;
    script += `-- ${step.kind}\n${statements.map((s) => `${s};\n`).join('')}`;
  }
  return first ? '' : script;
}

// ---------------------------------------------------------------- plan

type Key = number[];

type TableChange =
  | { kind: 'DropPrimaryKey' }
  | { kind: 'RenamePrimaryKey' }
  | { kind: 'DropColumn'; column: DbColumn }
  | { kind: 'AddColumn'; column: DbColumn }
  | { kind: 'AlterColumn'; prev: DbColumn; next: DbColumn; changes: ColumnChanges }
  | { kind: 'DropAndRecreateColumn'; prev: DbColumn; next: DbColumn; changes: ColumnChanges }
  | { kind: 'AddPrimaryKey' };

type Step =
  | { kind: 'CreateEnum'; key: Key; enm: DbEnum }
  | { kind: 'AlterEnum'; key: Key; prev: DbEnum; next: DbEnum; added: string[]; dropped: string[] }
  | { kind: 'DropForeignKey'; key: Key; table: string; fk: DbForeignKey }
  | { kind: 'DropIndex'; key: Key; table: string; index: DbIndex }
  | { kind: 'AlterTable'; key: Key; prev: DbTable; next: DbTable; changes: TableChange[] }
  | { kind: 'DropTable'; key: Key; table: DbTable }
  | { kind: 'DropEnum'; key: Key; enm: DbEnum }
  | { kind: 'CreateTable'; key: Key; table: DbTable }
  | { kind: 'CreateIndex'; key: Key; table: string; index: DbIndex; existingTable: boolean }
  | { kind: 'RenameForeignKey'; key: Key; table: string; from: string; to: string }
  | { kind: 'AddForeignKey'; key: Key; table: string; fk: DbForeignKey }
  | { kind: 'RenameIndex'; key: Key; table: string; from: string; to: string };

/** Prisma sorts steps by this variant order first, then by schema ids. */
const STEP_ORDER: Step['kind'][] = [
  'CreateEnum',
  'AlterEnum',
  'DropForeignKey',
  'DropIndex',
  'AlterTable',
  'DropTable',
  'DropEnum',
  'CreateTable',
  'CreateIndex',
  'RenameForeignKey',
  'AddForeignKey',
  'RenameIndex',
];

interface Plan {
  steps: Step[];
  warnings: string[];
  unexecutable: string[];
  expected: DbStructure;
  actual: DbStructure;
}

interface TablePair {
  prev: DbTable;
  next: DbTable;
  prevIdx: number;
  nextIdx: number;
}

function planMigration(expected: DbStructure, actual: DbStructure): Plan {
  const steps: Step[] = [];
  const nextTables = new Map(expected.tables.map((t, i) => [t.name, i]));
  const prevTables = new Map(actual.tables.map((t, i) => [t.name, i]));
  const pairs: TablePair[] = [];
  actual.tables.forEach((prev, prevIdx) => {
    const nextIdx = nextTables.get(prev.name);
    const next = nextIdx === undefined ? undefined : expected.tables[nextIdx];
    if (next && nextIdx !== undefined) pairs.push({ prev, next, prevIdx, nextIdx });
  });

  expected.tables.forEach((table, nextIdx) => {
    if (prevTables.has(table.name)) return;
    steps.push({ kind: 'CreateTable', key: [nextIdx], table });
    table.indexes.forEach((index, i) =>
      steps.push({ kind: 'CreateIndex', key: [0, 0, nextIdx, i], table: table.name, index, existingTable: false }),
    );
    table.foreignKeys.forEach((fk, i) => steps.push({ kind: 'AddForeignKey', key: [nextIdx, i], table: table.name, fk }));
  });
  actual.tables.forEach((table, prevIdx) => {
    if (nextTables.has(table.name)) return;
    steps.push({ kind: 'DropTable', key: [prevIdx], table });
    table.foreignKeys.forEach((fk, i) => steps.push({ kind: 'DropForeignKey', key: [prevIdx, i], table: table.name, fk }));
  });
  for (const pair of pairs) pushTablePairSteps(pair, steps);
  pushEnumSteps(expected, actual, steps);

  steps.sort(compareSteps);
  const plan: Plan = { steps, warnings: [], unexecutable: [], expected, actual };
  collectWarnings(plan);
  return plan;
}

function compareSteps(a: Step, b: Step): number {
  const byKind = STEP_ORDER.indexOf(a.kind) - STEP_ORDER.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
    const d = (a.key[i] ?? -1) - (b.key[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function pushEnumSteps(expected: DbStructure, actual: DbStructure, steps: Step[]): void {
  expected.enums.forEach((enm, nextIdx) => {
    const prevIdx = actual.enums.findIndex((e) => e.name === enm.name);
    const prev = actual.enums[prevIdx];
    if (!prev) {
      steps.push({ kind: 'CreateEnum', key: [nextIdx], enm });
      return;
    }
    const added = enm.values.filter((v) => !prev.values.includes(v));
    const dropped = prev.values.filter((v) => !enm.values.includes(v));
    if (added.length > 0 || dropped.length > 0) {
      steps.push({ kind: 'AlterEnum', key: [prevIdx, nextIdx], prev, next: enm, added, dropped });
    }
  });
  actual.enums.forEach((enm, prevIdx) => {
    if (!expected.enums.some((e) => e.name === enm.name)) steps.push({ kind: 'DropEnum', key: [prevIdx], enm });
  });
}

interface ColumnPair {
  prev: DbColumn;
  next: DbColumn;
  changes: ColumnChanges;
}

/** Steps for a table that exists on both sides (tables are matched by name). */
function pushTablePairSteps(pair: TablePair, steps: Step[]): void {
  const columnPairs: ColumnPair[] = pair.prev.columns.flatMap((p) => {
    const n = pair.next.columns.find((c) => c.name === p.name);
    return n ? [{ prev: p, next: n, changes: columnChanges(p, n) }] : [];
  });
  pushForeignKeySteps(pair, columnPairs, steps);
  pushIndexSteps(pair, columnPairs, steps);
  const changes = tableChanges(pair, columnPairs);
  if (changes.length > 0) steps.push({ kind: 'AlterTable', key: [pair.prevIdx, pair.nextIdx], prev: pair.prev, next: pair.next, changes });
}

/** Foreign keys are matched on shape; when only the name differs they are renamed. */
function pushForeignKeySteps({ prev, next, prevIdx, nextIdx }: TablePair, columnPairs: ColumnPair[], steps: Step[]): void {
  const typeChanged = (name: string): boolean => columnPairs.some((c) => c.prev.name === name && c.changes.type);
  const fkMatches = (a: DbForeignKey, b: DbForeignKey): boolean =>
    a.referencedTable === b.referencedTable &&
    sameList(a.referencedColumns, b.referencedColumns) &&
    sameList(a.columns, b.columns) &&
    a.onDelete === b.onDelete &&
    a.onUpdate === b.onUpdate &&
    a.columns.every((col) => !typeChanged(col) && fkArityOk(prev, next, col));
  next.foreignKeys.forEach((fk, i) => {
    if (!prev.foreignKeys.some((p) => fkMatches(p, fk))) steps.push({ kind: 'AddForeignKey', key: [nextIdx, i], table: next.name, fk });
  });
  prev.foreignKeys.forEach((fk, i) => {
    if (!next.foreignKeys.some((n) => fkMatches(fk, n))) steps.push({ kind: 'DropForeignKey', key: [prevIdx, i], table: prev.name, fk });
  });
  // Prisma never renames the foreign keys of implicit many-to-many tables (their names changed once).
  const isJoinTable = (t: DbTable): boolean => t.columns.length === 2 && t.columns.every((c) => c.name === 'A' || c.name === 'B');
  const used = new Set<number>();
  prev.foreignKeys.forEach((fk, i) => {
    const j = next.foreignKeys.findIndex((n, k) => !used.has(k) && fkMatches(fk, n));
    const match = next.foreignKeys[j];
    if (!match) return;
    used.add(j);
    if (fk.name !== match.name && !(isJoinTable(prev) && isJoinTable(next))) {
      steps.push({ kind: 'RenameForeignKey', key: [prevIdx, i, nextIdx, j], table: prev.name, from: fk.name, to: match.name });
    }
  });
}

/** Indexes are matched on columns, uniqueness and algorithm; when only the name differs they are renamed. */
function pushIndexSteps({ prev, next, prevIdx, nextIdx }: TablePair, columnPairs: ColumnPair[], steps: Step[]): void {
  next.indexes.forEach((index, i) => {
    if (!prev.indexes.some((p) => indexesMatch(p, index))) {
      steps.push({ kind: 'CreateIndex', key: [1, prevIdx, nextIdx, i], table: next.name, index, existingTable: true });
    }
  });
  prev.indexes.forEach((index, i) => {
    if (!next.indexes.some((n) => indexesMatch(index, n))) steps.push({ kind: 'DropIndex', key: [prevIdx, i], table: prev.name, index });
  });
  prev.indexes.forEach((index, i) => {
    const names = index.columns.map((c) => c.name);
    const twins = prev.indexes.filter((o) => o.unique === index.unique && sameList(o.columns.map((c) => c.name), names));
    if (twins.length !== 1) return; // renaming among look-alikes is ambiguous; Prisma skips it too
    const j = next.indexes.findIndex((n) => indexesMatch(index, n));
    const match = next.indexes[j];
    if (match && match.name !== index.name) {
      steps.push({ kind: 'RenameIndex', key: [prevIdx, i, nextIdx, j], table: prev.name, from: index.name, to: match.name });
    }
  });
  // Dropping a column drops its indexes: recreate those on recreated columns.
  const recreated = new Set(columnPairs.filter((c) => c.changes.typeChange === 'notCastable').map((c) => c.next.name));
  next.indexes.forEach((index, i) => {
    const kept = prev.indexes.some((p) => indexesMatch(p, index));
    if (kept && index.columns.some((c) => recreated.has(c.name))) {
      steps.push({ kind: 'CreateIndex', key: [1, prevIdx, nextIdx, i, 1], table: next.name, index, existingTable: true });
    }
  });
}

/** The clauses of one ALTER TABLE, in Prisma's order. */
function tableChanges({ prev, next }: TablePair, columnPairs: ColumnPair[]): TableChange[] {
  const changes: TableChange[] = [];
  const pkChanged = primaryKeyChanged(prev, next, columnPairs);
  if ((prev.primaryKey && !next.primaryKey) || pkChanged) changes.push({ kind: 'DropPrimaryKey' });
  if (prev.primaryKey && next.primaryKey && prev.primaryKey.name !== next.primaryKey.name && !pkChanged) {
    changes.push({ kind: 'RenamePrimaryKey' });
  }
  for (const column of prev.columns) {
    if (!next.columns.some((c) => c.name === column.name)) changes.push({ kind: 'DropColumn', column });
  }
  for (const column of next.columns) {
    if (!prev.columns.some((c) => c.name === column.name)) changes.push({ kind: 'AddColumn', column });
  }
  for (const pair of columnPairs) {
    if (!pair.changes.any) continue;
    const kind = pair.changes.typeChange === 'notCastable' ? 'DropAndRecreateColumn' : 'AlterColumn';
    changes.push({ kind, prev: pair.prev, next: pair.next, changes: pair.changes });
  }
  if ((!prev.primaryKey && next.primaryKey) || pkChanged) changes.push({ kind: 'AddPrimaryKey' });
  return changes;
}

function fkArityOk(prev: DbTable, next: DbTable, column: string): boolean {
  const a = prev.columns.find((c) => c.name === column);
  const b = next.columns.find((c) => c.name === column);
  if (!a || !b) return false;
  return arity(a) === arity(b) || (arity(a) === 'required' && arity(b) === 'nullable');
}

/** Same columns, but is any of them changing type? Then Prisma recreates the key. */
function primaryKeyChanged(prev: DbTable, next: DbTable, columnPairs: ColumnPair[]): boolean {
  const a = prev.primaryKey;
  const b = next.primaryKey;
  if (!a || !b) return false;
  if (!sameList(a.columns, b.columns)) return true;
  return columnPairs.some((c) => a.columns.includes(c.prev.name) && c.changes.type);
}

function indexesMatch(a: DbIndex, b: DbIndex): boolean {
  return (
    a.unique === b.unique &&
    a.algorithm === b.algorithm &&
    a.columns.length === b.columns.length &&
    a.columns.every((col, i) => {
      const other = b.columns[i];
      return (
        other !== undefined &&
        col.name === other.name &&
        (col.sort ?? 'ASC') === (other.sort ?? 'ASC') &&
        (col.opclass ?? '') === (other.opclass ?? '')
      );
    })
  );
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

// ---------------------------------------------------------------- columns

type Arity = 'required' | 'nullable' | 'list';
const arity = (c: DbColumn): Arity => (c.isList ? 'list' : c.notNull ? 'required' : 'nullable');

type CastKind = 'safe' | 'risky' | 'notCastable';

interface ColumnChanges {
  any: boolean;
  arity: boolean;
  default: boolean;
  type: boolean;
  autoincrement: boolean;
  typeChange: CastKind | null;
}

function columnChanges(prev: DbColumn, next: DbColumn): ColumnChanges {
  const typeChange = columnTypeChange(prev, next);
  const c = {
    arity: arity(prev) !== arity(next),
    type: typeChange !== null,
    default: !defaultsMatch(prev, next),
    autoincrement: prev.autoincrement !== next.autoincrement,
  };
  return { ...c, any: c.arity || c.type || c.default || c.autoincrement, typeChange };
}

interface ParsedType {
  name: string;
  args: number[];
}

function parseType(type: string): ParsedType {
  const m = /^(.*?)(?:\(([\d,\s]+)\))?$/.exec(type);
  return { name: m?.[1] ?? type, args: (m?.[2] ?? '').split(',').filter((x) => x.trim() !== '').map(Number) };
}

/** postgres_column_type_change: how (and whether) PostgreSQL can convert. */
function columnTypeChange(prev: DbColumn, next: DbColumn): CastKind | null {
  if (prev.isEnum || next.isEnum) return prev.isEnum && next.isEnum && prev.type === next.type ? null : 'notCastable';
  const to = parseType(next.type);
  if (prev.isList && !next.isList) {
    if (to.name === 'TEXT' || (to.name === 'VARCHAR' && to.args.length === 0)) return 'safe';
    if (to.name === 'VARCHAR' || to.name === 'CHAR') return 'risky';
    return 'notCastable';
  }
  if (!prev.isList && next.isList) return 'notCastable';
  return nativeTypeChange(parseType(prev.type), to);
}

const TIME_TYPES = new Set(['TIMESTAMP', 'TIMESTAMPTZ', 'TIME', 'TIMETZ']);
const INT_LIMITS: Record<string, { digits: number; chars: number }> = {
  SMALLINT: { digits: 3, chars: 4 },
  INTEGER: { digits: 10, chars: 11 },
  BIGINT: { digits: 19, chars: 20 },
};

/** A condensed transcription of postgres_native_type_change_riskyness. */
function nativeTypeChange(from: ParsedType, to: ParsedType): CastKind | null {
  const sameArgs = sameList(from.args.map(String), to.args.map(String));
  if (from.name === to.name && sameArgs) return null;
  // No precision means "any": Prisma does not migrate TIMESTAMP <-> TIMESTAMP(3).
  if (from.name === to.name && TIME_TYPES.has(from.name) && (from.args.length === 0 || to.args.length === 0)) return null;
  const len = to.args[0];
  const isString = to.name === 'TEXT' || to.name === 'VARCHAR' || to.name === 'CHAR';
  const textLike = to.name === 'TEXT' || (to.name === 'VARCHAR' && len === undefined);
  // Casting to a (VAR)CHAR that must hold `need` characters.
  const fits = (need: number): CastKind =>
    to.name === 'TEXT' ? 'safe' : len !== undefined ? (len < need ? 'risky' : 'safe') : to.name === 'CHAR' ? 'risky' : 'safe';
  const name = from.name;
  const ints = INT_LIMITS[name];
  if (ints) {
    const toInts = INT_LIMITS[to.name];
    if (toInts) return toInts.digits >= ints.digits ? 'safe' : 'risky';
    if (to.name === 'DECIMAL') {
      const [p, s] = to.args;
      return p !== undefined && s !== undefined && p - s < ints.digits ? 'risky' : 'safe';
    }
    if (to.name === 'REAL' || to.name === 'DOUBLE PRECISION') return 'safe';
    return isString ? fits(ints.chars) : 'notCastable';
  }
  switch (name) {
    case 'DECIMAL': {
      const [p, s] = from.args;
      const toInts = INT_LIMITS[to.name];
      if (toInts) return p === undefined || (s ?? 0) > 0 || p > toInts.digits - 1 ? 'risky' : 'safe';
      if (to.name === 'DECIMAL') {
        const [p2, s2] = to.args;
        if (p === undefined) return 'risky';
        if (p2 === undefined || s2 === undefined) return 'safe';
        return p - (s ?? 0) > p2 - s2 || (s ?? 0) > s2 ? 'risky' : 'safe';
      }
      if (to.name === 'REAL' || to.name === 'DOUBLE PRECISION') return 'risky';
      if (!isString) return 'notCastable';
      if (p === undefined) return len !== undefined ? 'risky' : fits(0);
      return fits(p + ((s ?? 0) > 0 ? 2 : 1));
    }
    case 'REAL':
    case 'DOUBLE PRECISION':
      if (INT_LIMITS[to.name] || to.name === 'DECIMAL') return 'risky';
      if (to.name === 'REAL') return name === 'REAL' ? 'safe' : 'risky';
      if (to.name === 'DOUBLE PRECISION') return 'safe';
      return isString ? fits(name === 'REAL' ? 47 : 317) : 'notCastable';
    case 'VARCHAR':
    case 'CHAR': {
      if (to.name === 'TEXT') return 'safe';
      if (to.name !== 'VARCHAR' && to.name !== 'CHAR') return 'notCastable';
      const old = from.args[0];
      // CHAR without a length is CHAR(1); VARCHAR without one is unlimited.
      if (old === undefined && name === 'CHAR') return 'safe';
      if (old === undefined) return len === undefined && to.name === 'VARCHAR' ? 'safe' : 'risky';
      if (len === undefined) return old === 1 || to.name === 'VARCHAR' ? 'safe' : 'risky';
      return old > len ? 'risky' : 'safe';
    }
    case 'TEXT':
      if (textLike || to.name === 'CITEXT') return 'safe';
      return to.name === 'VARCHAR' || to.name === 'CHAR' ? 'risky' : 'notCastable';
    case 'CITEXT':
      return to.name === 'TEXT' || to.name === 'VARCHAR' ? 'safe' : 'risky';
    case 'MONEY':
      return to.name === 'CITEXT' || to.name === 'TEXT' || to.name === 'VARCHAR' ? 'safe' : 'risky';
    case 'INET':
      return to.name === 'CITEXT' || to.name === 'TEXT' || to.name === 'VARCHAR' ? 'safe' : 'notCastable';
    case 'OID':
      return ['TEXT', 'VARCHAR', 'BIGINT', 'INTEGER'].includes(to.name) ? 'safe' : 'notCastable';
    case 'BYTEA':
      if (textLike) return 'safe';
      return (to.name === 'VARCHAR' || to.name === 'CHAR') && len !== undefined && len > 2 ? 'risky' : 'notCastable';
    case 'TIMESTAMP':
    case 'TIMESTAMPTZ':
    case 'DATE': {
      if (textLike) return 'safe';
      const minLen = name === 'TIMESTAMP' ? 22 : 27;
      if ((to.name === 'VARCHAR' || to.name === 'CHAR') && len !== undefined && len > minLen) return 'safe';
      if (name === 'DATE') return to.name === 'TIMESTAMP' || to.name === 'TIMESTAMPTZ' ? 'safe' : 'notCastable';
      return ['TIMESTAMP', 'TIMESTAMPTZ', 'DATE', 'TIME', 'TIMETZ'].includes(to.name) ? 'safe' : 'notCastable';
    }
    case 'TIME':
    case 'TIMETZ': {
      if (textLike) return 'safe';
      const minLen = name === 'TIME' ? 13 : 18;
      if ((to.name === 'VARCHAR' || to.name === 'CHAR') && len !== undefined && len > minLen) return 'safe';
      return to.name === 'TIMETZ' || (name === 'TIMETZ' && to.name === 'TIME') ? 'safe' : 'notCastable';
    }
    case 'BOOLEAN':
      if (to.name === 'TEXT' || to.name === 'VARCHAR') return 'safe';
      if (to.name === 'CHAR' && len !== undefined) return len > 4 ? 'safe' : len > 3 ? 'risky' : 'notCastable';
      return 'notCastable';
    case 'UUID':
      if (textLike) return 'safe';
      return (to.name === 'VARCHAR' || to.name === 'CHAR') && len !== undefined && len > 31 ? 'safe' : 'notCastable';
    case 'XML':
    case 'JSON':
    case 'JSONB':
      if (textLike || (name === 'JSON' && to.name === 'JSONB') || (name === 'JSONB' && to.name === 'JSON')) return 'safe';
      return to.name === 'VARCHAR' || to.name === 'CHAR' ? 'risky' : 'notCastable';
    case 'BIT':
    case 'VARBIT':
      // Simplified: Prisma also weighs the bit lengths here.
      if (textLike || to.name === 'VARBIT' || to.name === 'BIT') return to.name === 'BIT' ? 'risky' : 'safe';
      return isString ? 'risky' : 'notCastable';
    default:
      // Types Prisma has no name for: any change is a risky cast.
      return 'risky';
  }
}

// ---------------------------------------------------------------- defaults

type Kinded =
  | { k: 'none' }
  | { k: 'now' }
  | { k: 'sequence' }
  | { k: 'db'; sql: string }
  | { k: 'value'; v: Literal };

function kinded(d: ColumnDefault | null): Kinded {
  if (!d) return { k: 'none' };
  switch (d.kind) {
    case 'now':
      return { k: 'now' };
    case 'sequence':
      return { k: 'sequence' };
    case 'dbgenerated':
      return { k: 'db', sql: d.sql };
    case 'literal':
      return { k: 'value', v: d.value };
  }
}

const isDateTimeColumn = (c: DbColumn): boolean => /^(TIMESTAMP|TIMESTAMPTZ|DATE|TIME|TIMETZ)\b/.test(c.type) && !c.isEnum;

/** sql_schema_differ::column::defaults_match, arm by arm. */
function defaultsMatch(prevCol: DbColumn, nextCol: DbColumn): boolean {
  const prev = kinded(prevCol.default);
  const next = kinded(nextCol.default);
  const pv = prev.k === 'value' ? prev.v : null;
  const nv = next.k === 'value' ? next.v : null;
  if (((prev.k === 'db' && nv?.type === 'list') || (pv?.type === 'list' && next.k === 'db')) && (isDateTimeColumn(prevCol) || isDateTimeColumn(nextCol))) {
    return true;
  }
  if (pv && nv) return literalsMatch(pv, nv);
  if (pv?.type === 'datetime' || nv?.type === 'datetime') {
    if (next.k !== 'none' && prev.k !== 'none') return true;
  }
  if (pv) return next.k === 'sequence' || (next.k === 'db' && next.sql === '');
  if (prev.k === 'now') return next.k === 'now' || (next.k === 'db' && next.sql === '') || next.k === 'sequence';
  if (prev.k === 'db') {
    if (next.k === 'db') return next.sql === '' || prev.sql.toLowerCase() === next.sql.toLowerCase();
    return next.k === 'sequence';
  }
  if (prev.k === 'sequence') return next.k === 'none' || next.k === 'sequence' || (next.k === 'db' && next.sql === '');
  // prev is none
  return next.k === 'none' || next.k === 'sequence' || (next.k === 'db' && next.sql === '');
}

function literalsMatch(a: Literal, b: Literal): boolean {
  if (a.type === 'datetime' || b.type === 'datetime') return true; // Prisma cannot diff these either
  if (a.type === 'list' || b.type === 'list') {
    if (a.type !== 'list' || b.type !== 'list' || a.items.length !== b.items.length) return false;
    return a.items.every((item, i) => {
      const other = b.items[i];
      return other !== undefined && literalsMatch(item, other);
    });
  }
  if (a.type === 'json' || b.type === 'json') {
    if ((a.type !== 'json' && a.type !== 'string') || (b.type !== 'json' && b.type !== 'string')) return false;
    return jsonEqual(a.value, b.value);
  }
  if ((a.type === 'string' || a.type === 'enum') && (b.type === 'string' || b.type === 'enum')) return a.value === b.value;
  if (a.type === 'number' && b.type === 'number') return Number(a.value) === Number(b.value);
  if (a.type === 'boolean' && b.type === 'boolean') return a.value === b.value;
  if (a.type === 'bytes' && b.type === 'bytes') return a.hex.toLowerCase() === b.hex.toLowerCase();
  return false;
}

function jsonEqual(a: string, b: string): boolean {
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return true; // Prisma treats unparsable JSON defaults as equal
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- rendering

/** Quoted::postgres_ident (embedded quotes doubled, which Prisma does not need). */
const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const str = (value: string): string => `'${value.replace(/'/g, "''")}'`;

function columnType(c: DbColumn): string {
  if (c.isEnum) return `${q(c.type)}${c.isList ? '[]' : ''}`;
  let type = c.type;
  if (c.autoincrement) type = { SMALLINT: 'SMALLSERIAL', INTEGER: 'SERIAL', BIGINT: 'BIGSERIAL' }[type] ?? type;
  return `${type}${c.isList ? '[]' : ''}`;
}

/** The DEFAULT expression Prisma writes; '' when there is none to write. */
export function renderDefault(d: ColumnDefault | null, fullType: string): string {
  if (!d) return '';
  switch (d.kind) {
    case 'now':
      return 'CURRENT_TIMESTAMP';
    case 'sequence':
      return '';
    case 'dbgenerated':
      return d.sql;
    case 'literal':
      return renderLiteral(d.value, fullType);
  }
}

function renderLiteral(v: Literal, fullType: string): string {
  switch (v.type) {
    case 'string':
    case 'enum':
    case 'json':
      return str(v.value);
    case 'datetime':
      return str(postgresDateTime(v.value));
    case 'bytes':
      return `'\\x${v.hex}'`;
    case 'number':
      return v.value;
    case 'boolean':
      return String(v.value);
    case 'list':
      return `ARRAY[${v.items.map((i) => renderLiteral(i, fullType)).join(', ')}]::${fullType}`;
  }
}

/** chrono's DateTime<FixedOffset> Display, which Prisma uses for DateTime defaults. */
function postgresDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const iso = date.toISOString(); // 2020-01-01T00:00:00.000Z
  const fraction = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction} +00:00`;
}

/** sql_renderer::render_column, with its 4-space indentation (which is why
 *  Prisma migrations say `ADD COLUMN     "x"`). */
function renderColumn(c: DbColumn): string {
  const type = columnType(c);
  const nullability = c.isList ? '' : c.notNull ? ' NOT NULL' : '';
  const def = renderDefault(c.default, type);
  return `    ${q(c.name)} ${type}${nullability}${def === '' ? '' : ` DEFAULT ${def}`}`;
}

function renderCreateTable(t: DbTable): string {
  const columns = t.columns.map(renderColumn).join(',\n');
  const pk = t.primaryKey
    ? `,\n\n    CONSTRAINT ${q(t.primaryKey.name)} PRIMARY KEY (${t.primaryKey.columns.map(q).join(',')})`
    : '';
  return `CREATE TABLE ${q(t.name)} (\n${columns}${pk}\n)`;
}

function renderCreateIndex(table: string, index: DbIndex): string {
  const using = index.algorithm === 'BTREE' ? '' : ` USING ${index.algorithm} `;
  const cols = index.columns
    .map((c) => `${q(c.name)}${c.opclass ? ` ${c.opclass}` : ''}${c.sort ? ` ${c.sort}` : ''}`)
    .join(', ');
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} ON ${q(table)}${using}(${cols})`;
}

function renderAddForeignKey(table: string, fk: DbForeignKey): string {
  return (
    `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
    `REFERENCES ${q(fk.referencedTable)}(${fk.referencedColumns.map(q).join(', ')}) ` +
    `ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`
  );
}

function renderStep(step: Step, plan: Plan): string[] {
  switch (step.kind) {
    case 'CreateEnum':
      return [`CREATE TYPE ${q(step.enm.name)} AS ENUM (${step.enm.values.map(str).join(', ')})`];
    case 'AlterEnum':
      return renderAlterEnum(step, plan);
    case 'DropForeignKey':
      return [`ALTER TABLE ${q(step.table)} DROP CONSTRAINT ${q(step.fk.name)}`];
    case 'DropIndex':
      return [`DROP INDEX ${q(step.index.name)}`];
    case 'AlterTable':
      return renderAlterTable(step, plan);
    case 'DropTable':
      return [`DROP TABLE ${q(step.table.name)}`];
    case 'DropEnum':
      return [`DROP TYPE ${q(step.enm.name)}`];
    case 'CreateTable':
      return [renderCreateTable(step.table)];
    case 'CreateIndex':
      return [renderCreateIndex(step.table, step.index)];
    case 'RenameForeignKey':
      return [`ALTER TABLE ${q(step.table)} RENAME CONSTRAINT ${q(step.from)} TO ${q(step.to)}`];
    case 'AddForeignKey':
      return [renderAddForeignKey(step.table, step.fk)];
    case 'RenameIndex':
      return [`ALTER INDEX ${q(step.from)} RENAME TO ${q(step.to)}`];
  }
}

const MANY_ENUM_VALUES_WARNING = `-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.
`;

function renderAlterEnum(step: Extract<Step, { kind: 'AlterEnum' }>, plan: Plan): string[] {
  const { prev, next } = step;
  if (step.dropped.length === 0) {
    const stmts = step.added.map((v) => `ALTER TYPE ${q(prev.name)} ADD VALUE ${str(v)}`);
    if (stmts.length > 1) stmts[0] = `${MANY_ENUM_VALUES_WARNING}\n\n${stmts[0] ?? ''}`;
    return stmts;
  }
  // Values cannot be removed in place: build a new type and move columns over.
  const tmp = `${next.name}_new`;
  const old = `${prev.name}_old`;
  const usages = enumDefaultUsages(prev.name, next.name, plan);
  const stmts = ['BEGIN', `CREATE TYPE ${q(tmp)} AS ENUM (${next.values.map(str).join(', ')})`];
  for (const u of usages) stmts.push(`ALTER TABLE ${q(u.table)} ALTER COLUMN ${q(u.column.name)} DROP DEFAULT`);
  for (const table of plan.expected.tables) {
    // Prisma also lists columns that do not exist yet (new tables/columns),
    // which would make the script fail; only existing ones are converted.
    const existing = plan.actual.tables.find((t) => t.name === table.name);
    const exists = (col: DbColumn): boolean => existing?.columns.some((c) => c.name === col.name) === true;
    for (const c of table.columns.filter((col) => col.isEnum && col.type === next.name && exists(col))) {
      const arr = c.isList ? '[]' : '';
      stmts.push(`ALTER TABLE ${q(table.name)} ALTER COLUMN ${q(c.name)} TYPE ${q(tmp)}${arr} USING (${q(c.name)}::text::${q(tmp)}${arr})`);
    }
  }
  stmts.push(`ALTER TYPE ${q(prev.name)} RENAME TO ${q(old)}`, `ALTER TYPE ${q(tmp)} RENAME TO ${q(next.name)}`, `DROP TYPE ${q(old)}`);
  for (const u of usages) {
    if (!u.next?.default) continue;
    const def = renderDefault(u.next.default, columnType(u.next));
    stmts.push(`ALTER TABLE ${q(u.table)} ALTER COLUMN ${q(u.column.name)} SET DEFAULT ${def}`);
  }
  stmts.push('COMMIT');
  return stmts;
}

/** Columns of the old enum type that have a default (dropped before the swap),
 *  with the new column when its default must be put back afterwards. */
function enumDefaultUsages(prevEnum: string, nextEnum: string, plan: Plan): { table: string; column: DbColumn; next: DbColumn | null }[] {
  const usages: { table: string; column: DbColumn; next: DbColumn | null }[] = [];
  const uses = (c: DbColumn, e: string): boolean => c.isEnum && c.type === e && c.default !== null;
  for (const table of plan.actual.tables) {
    const nextTable = plan.expected.tables.find((t) => t.name === table.name);
    for (const column of table.columns.filter((c) => uses(c, prevEnum))) {
      const nextColumn = nextTable?.columns.find((c) => c.name === column.name) ?? null;
      usages.push({ table: table.name, column, next: nextColumn && uses(nextColumn, nextEnum) ? nextColumn : null });
    }
  }
  return usages;
}

function renderAlterTable(step: Extract<Step, { kind: 'AlterTable' }>, plan: Plan): string[] {
  const { prev, next } = step;
  const lines: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  for (const change of step.changes) {
    switch (change.kind) {
      case 'DropPrimaryKey':
        lines.push(`DROP CONSTRAINT ${q(prev.primaryKey?.name ?? '')}`);
        break;
      case 'RenamePrimaryKey':
        lines.push(`RENAME CONSTRAINT ${q(prev.primaryKey?.name ?? '')} TO ${q(next.primaryKey?.name ?? '')}`);
        break;
      case 'AddPrimaryKey':
        lines.push(`ADD CONSTRAINT ${q(next.primaryKey?.name ?? '')} PRIMARY KEY (${(next.primaryKey?.columns ?? []).map(q).join(', ')})`);
        break;
      case 'AddColumn':
        lines.push(`ADD COLUMN ${renderColumn(change.column)}`);
        break;
      case 'DropColumn':
        lines.push(`DROP COLUMN ${q(change.column.name)}`);
        break;
      case 'DropAndRecreateColumn':
        lines.push(`DROP COLUMN ${q(change.prev.name)}`, `ADD COLUMN ${renderColumn(change.next)}`);
        break;
      case 'AlterColumn':
        renderAlterColumn(prev.name, change, plan, { before, lines, after });
        break;
    }
  }
  if (lines.length === 0) return [];
  return [...before, `ALTER TABLE ${q(prev.name)} ${lines.join(',\n')}`, ...after];
}

/** expand_alter_column + render_alter_column: arity, default, sequence, then type. */
function renderAlterColumn(
  table: string,
  change: Extract<TableChange, { kind: 'AlterColumn' }>,
  plan: Plan,
  out: { before: string[]; lines: string[]; after: string[] },
): void {
  const { prev, next, changes } = change;
  const prefix = `ALTER COLUMN ${q(prev.name)}`;
  let setType = changes.type;
  const dropDefault = (): void => {
    out.lines.push(`${prefix} DROP DEFAULT`);
    const seq = prev.default?.kind === 'sequence' ? prev.default.name : undefined;
    const stillUsed = plan.expected.tables.some((t) =>
      t.columns.some((c) => c.default?.kind === 'sequence' && c.default.name === seq && !(t.name === table && c.name === next.name)),
    );
    if (seq && !stillUsed) out.after.push(`DROP SEQUENCE ${q(seq)}`);
  };
  if (changes.arity) {
    const [a, b] = [arity(prev), arity(next)];
    if (a === 'list' || b === 'list') setType = true;
    if (b === 'nullable' && a !== 'nullable') out.lines.push(`${prefix} DROP NOT NULL`);
    if (b === 'required') out.lines.push(`${prefix} SET NOT NULL`);
  }
  if (changes.default) {
    if (next.default) out.lines.push(`${prefix} SET DEFAULT ${renderDefault(next.default, columnType(next))}`);
    else dropDefault();
  }
  if (changes.autoincrement) {
    if (prev.autoincrement) dropDefault();
    else {
      // Imitates the sequence PostgreSQL creates for SERIAL.
      const seq = `${table}_${next.name}_seq`.toLowerCase();
      out.before.push(`CREATE SEQUENCE ${seq}`);
      out.lines.push(`${prefix} SET DEFAULT nextval(${str(seq)})`);
      out.after.push(`ALTER SEQUENCE ${seq} OWNED BY ${q(table)}.${q(next.name)}`);
    }
  }
  if (setType) out.lines.push(`${prefix} SET DATA TYPE ${columnType(next)}`);
}

// ---------------------------------------------------------------- warnings

/** The destructive change checker's messages, as written without row counts. */
function collectWarnings(plan: Plan): void {
  for (const step of plan.steps) {
    switch (step.kind) {
      case 'DropTable':
        plan.warnings.push(`You are about to drop the \`${step.table.name}\` table. If the table is not empty, all the data it contains will be lost.`);
        break;
      case 'AlterEnum':
        if (step.dropped.length > 0) {
          plan.warnings.push(`The values [${step.dropped.join(',')}] on the enum \`${step.prev.name}\` will be removed. If these variants are still used in the database, this will fail.`);
        }
        break;
      case 'CreateIndex':
        if (step.existingTable && step.index.unique) {
          const cols = step.index.columns.map((c) => c.name).join(',');
          plan.warnings.push(`A unique constraint covering the columns \`[${cols}]\` on the table \`${step.table}\` will be added. If there are existing duplicate values, this will fail.`);
        }
        break;
      case 'AlterTable':
        tableWarnings(step, plan);
        break;
      default:
        break;
    }
  }
}

function tableWarnings(step: Extract<Step, { kind: 'AlterTable' }>, plan: Plan): void {
  const table = step.prev.name;
  for (const change of step.changes) {
    switch (change.kind) {
      case 'DropPrimaryKey':
        plan.warnings.push(`The primary key for the \`${table}\` table will be changed. If it partially fails, the table could be left without primary key constraint.`);
        break;
      case 'DropColumn':
        plan.warnings.push(`You are about to drop the column \`${change.column.name}\` on the \`${table}\` table. All the data in the column will be lost.`);
        break;
      case 'AddColumn': {
        const c = change.column;
        if (!c.notNull || c.default !== null || c.autoincrement) break;
        plan.unexecutable.push(
          c.clientDefault
            ? `The required column \`${c.name}\` was added to the \`${table}\` table with a prisma-level default value. This is not possible if the table is not empty. Please add this column as optional, then populate it before making it required.`
            : `Added the required column \`${c.name}\` to the \`${table}\` table without a default value. This is not possible if the table is not empty.`,
        );
        break;
      }
      case 'DropAndRecreateColumn':
        if (change.changes.arity && arity(change.prev) === 'nullable' && arity(change.next) === 'required' && !change.next.default) {
          plan.unexecutable.push(`Added the required column \`${change.prev.name}\` to the \`${table}\` table without a default value. This is not possible if the table is not empty.`);
        } else if (arity(change.next) === 'required' && !change.next.default) {
          plan.unexecutable.push(`Changed the type of \`${change.prev.name}\` on the \`${table}\` table. No cast exists, the column would be dropped and recreated, which cannot be done if there is data, since the column is required.`);
        } else {
          plan.warnings.push(`The \`${change.next.name}\` column on the \`${table}\` table would be dropped and recreated. This will lead to data loss if there is data in the column.`);
        }
        break;
      case 'AlterColumn': {
        const { prev, next, changes } = change;
        if (changes.arity && arity(prev) === 'nullable' && arity(next) === 'required') {
          plan.unexecutable.push(`Made the column \`${next.name}\` on table \`${table}\` required. This step will fail if there are existing NULL values in that column.`);
        }
        if (changes.arity && arity(next) === 'list' && arity(prev) !== 'list') {
          plan.unexecutable.push(`Changed the column \`${next.name}\` on the \`${table}\` table from a scalar field to a list field. If there are non-null values in that column, this step will fail.`);
        }
        if (changes.typeChange === 'risky') {
          plan.warnings.push(`You are about to alter the column \`${next.name}\` on the \`${table}\` table. The data in that column could be lost. The data in that column will be cast from \`${pslTypeName(prev)}\` to \`${pslTypeName(next)}\`.`);
        }
        break;
      }
      default:
        break;
    }
  }
}

/** psl's native type spelling (VarChar(50)), which Prisma's warnings use. */
function pslTypeName(c: DbColumn): string {
  if (c.isEnum) return c.type;
  const { name, args } = parseType(c.type);
  const psl = nativeTypeNameFor(name) ?? name;
  return args.length > 0 ? `${psl}(${args.join(', ')})` : psl;
}

// ---------------------------------------------------------------- descriptions

function describeColumn(c: DbColumn): string {
  const type = columnType(c);
  const def = renderDefault(c.default, type);
  return `${type}${c.isList ? '' : c.notNull ? ' NOT NULL' : ' NULL'}${def ? ` DEFAULT ${def}` : ''}`;
}

const describeIndex = (i: DbIndex): string =>
  `${i.unique ? 'unique index' : 'index'} "${i.name}" on (${i.columns.map((c) => `${c.name}${c.sort ? ` ${c.sort}` : ''}`).join(', ')})${i.algorithm === 'BTREE' ? '' : ` using ${i.algorithm}`}`;

const describeFk = (fk: DbForeignKey): string =>
  `foreign key "${fk.name}" (${fk.columns.join(', ')}) -> ${fk.referencedTable}(${fk.referencedColumns.join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`;

function describeStep(step: Step, createdTables: Set<string>): string[] {
  switch (step.kind) {
    case 'CreateEnum':
      return [`missing enum "${step.enm.name}" (${step.enm.values.join(', ')})`];
    case 'DropEnum':
      return [`unexpected enum "${step.enm.name}"`];
    case 'AlterEnum':
      return [
        ...step.added.map((v) => `enum "${step.prev.name}": missing value "${v}"`),
        ...step.dropped.map((v) => `enum "${step.prev.name}": unexpected value "${v}"`),
      ];
    case 'CreateTable':
      return [`missing table "${step.table.name}"`];
    case 'DropTable':
      return [`unexpected table "${step.table.name}"`];
    case 'CreateIndex':
      return createdTables.has(step.table) ? [] : [`table "${step.table}": missing ${describeIndex(step.index)}`];
    case 'DropIndex':
      return [`table "${step.table}": unexpected ${describeIndex(step.index)}`];
    case 'RenameIndex':
      return [`table "${step.table}": index "${step.from}" should be named "${step.to}"`];
    case 'AddForeignKey':
      return createdTables.has(step.table) ? [] : [`table "${step.table}": missing ${describeFk(step.fk)}`];
    case 'DropForeignKey':
      return [`table "${step.table}": unexpected ${describeFk(step.fk)}`];
    case 'RenameForeignKey':
      return [`table "${step.table}": foreign key "${step.from}" should be named "${step.to}"`];
    case 'AlterTable':
      return step.changes.flatMap((change) => describeTableChange(step.prev, step.next, change));
  }
}

function describeTableChange(prev: DbTable, next: DbTable, change: TableChange): string[] {
  const t = `table "${prev.name}"`;
  const pk = (table: DbTable): string =>
    table.primaryKey ? `"${table.primaryKey.name}" (${table.primaryKey.columns.join(', ')})` : 'none';
  switch (change.kind) {
    case 'AddColumn':
      return [`${t}: missing column "${change.column.name}" ${describeColumn(change.column)}`];
    case 'DropColumn':
      return [`${t}: unexpected column "${change.column.name}"`];
    case 'DropPrimaryKey':
      return next.primaryKey ? [] : [`${t}: unexpected primary key ${pk(prev)}`];
    case 'AddPrimaryKey':
      return [prev.primaryKey ? `${t}: primary key is ${pk(prev)}, expected ${pk(next)}` : `${t}: missing primary key ${pk(next)}`];
    case 'RenamePrimaryKey':
      return [`${t}: primary key "${prev.primaryKey?.name ?? ''}" should be named "${next.primaryKey?.name ?? ''}"`];
    case 'AlterColumn':
    case 'DropAndRecreateColumn': {
      const { prev: a, next: b, changes } = change;
      const c = `${t}: column "${a.name}"`;
      const out: string[] = [];
      if (changes.type || (changes.arity && (a.isList || b.isList))) out.push(`${c} has type ${columnType({ ...a, autoincrement: false })}, expected ${columnType({ ...b, autoincrement: false })}`);
      if (changes.arity && !a.isList && !b.isList) out.push(`${c} is ${a.notNull ? 'NOT NULL' : 'nullable'}, expected ${b.notNull ? 'NOT NULL' : 'nullable'}`);
      if (changes.default) {
        const shown = (col: DbColumn): string => renderDefault(col.default, columnType(col)) || 'no default';
        out.push(`${c} has default ${shown(a)}, expected ${shown(b)}`);
      }
      if (changes.autoincrement) out.push(`${c} is ${a.autoincrement ? '' : 'not '}autoincrementing, expected ${b.autoincrement ? '' : 'not '}autoincrementing`);
      return out;
    }
  }
}

// Lead import: validation per row (row number and field on every error), dedupe by (client, email)
// within the file and against existing leads, suppressed contacts refused with a reason, and
// all-or-nothing unless the caller asks for a partial import.
import { z } from 'zod';
import type { Db, Lead } from '../db/client';
import { isIanaTimeZone } from '../shared/domain/time-zones';
import { findSuppressions, normalizeEmail } from './compliance/suppression';
import { parsePhone } from './compliance/phone';
import { countryCode } from './country';
import { ADDRESS_FIELDS, addressColumns, hasAddressInput, validatePostalAddress, type AddressField } from './postal-address';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const str = (max: number) => z.preprocess(blank, z.string().trim().max(max).optional());

/** Every field a lead is created or corrected with (create: LeadInputSchema; PATCH: LeadPatchSchema). */
export const LeadFieldsSchema = z
  .object({
    email: z.preprocess(blank, z.string().trim().email('must be an email address').max(254).optional()),
    firstName: str(100),
    lastName: str(100),
    title: str(200),
    // Shape only here: whether it is a number depends on the country (checked by importLeads).
    phone: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .max(40)
        .regex(/^\+?[\d\s().-]*\d[\d\s().-]*$/, 'must be a phone number')
        .optional(),
    ),
    linkedinUrl: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .max(500)
        .pipe(z.url({ protocol: /^https?$/, hostname: /^([a-z0-9-]+\.)*linkedin\.com$/i, message: 'must be an http(s) linkedin.com URL' }))
        .optional(),
    ),
    companyName: str(200),
    companyDomain: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain')
        .optional(),
    ),
    companyIndustry: str(100),
    companySize: z.preprocess(blank, z.coerce.number().int().min(1).max(10_000_000).optional()),
    country: z.preprocess(blank, countryCode.optional()),
    state: str(50),
    city: str(100),
    timeZone: z.preprocess(blank, z.string().refine(isIanaTimeZone, 'must be an IANA time zone').optional()),
    // Postal address for direct mail; shape here, per-country rules in postal-address.ts. City,
    // state and country default to the lead's own when the address leaves them out.
    addressLine1: str(200),
    addressLine2: str(200),
    addressCity: str(100),
    addressState: str(50),
    addressPostalCode: str(20),
    addressCountry: str(60),
  })
  .strict();

export const LeadInputSchema = LeadFieldsSchema.refine((l) => l.email || l.phone || l.linkedinUrl, {
  message: 'needs an email, phone or linkedinUrl',
  path: ['email'],
});

export type LeadInput = z.infer<typeof LeadInputSchema>;

export const MAX_IMPORT_ROWS = 10_000;

/** CSV headers → field names: `First Name`, `first_name` and `firstName` all mean firstName. */
export function leadFieldFromHeader(header: string): string {
  const compact = header.toLowerCase().replace(/[^a-z]/g, '');
  const known: Record<string, string> = {
    email: 'email',
    emailaddress: 'email',
    firstname: 'firstName',
    lastname: 'lastName',
    title: 'title',
    jobtitle: 'title',
    phone: 'phone',
    mobile: 'phone',
    phonenumber: 'phone',
    linkedin: 'linkedinUrl',
    linkedinurl: 'linkedinUrl',
    company: 'companyName',
    companyname: 'companyName',
    companydomain: 'companyDomain',
    domain: 'companyDomain',
    industry: 'companyIndustry',
    companyindustry: 'companyIndustry',
    companysize: 'companySize',
    employees: 'companySize',
    country: 'country',
    state: 'state',
    city: 'city',
    timezone: 'timeZone',
    address: 'addressLine1',
    address1: 'addressLine1',
    addressline1: 'addressLine1',
    street: 'addressLine1',
    streetaddress: 'addressLine1',
    address2: 'addressLine2',
    addressline2: 'addressLine2',
    addresscity: 'addressCity',
    suburb: 'addressCity',
    addressstate: 'addressState',
    postcode: 'addressPostalCode',
    postalcode: 'addressPostalCode',
    zip: 'addressPostalCode',
    zipcode: 'addressPostalCode',
    addresspostcode: 'addressPostalCode',
    addresspostalcode: 'addressPostalCode',
    addresscountry: 'addressCountry',
  };
  return known[compact] ?? header;
}

export interface RowError {
  row: number;
  field: string;
  message: string;
  /** CSV only: the line the row starts on and the column as the file names it. */
  line?: number;
  column?: string;
}

/** Where the rows came from, for CSV imports: each row's line, header names, and rows the parser refused. */
export interface ImportSource {
  lines: number[];
  columns: Map<string, string>;
  rowErrors: Array<{ row: number; line: number; column: string; message: string }>;
}

export interface ImportResult {
  imported: number;
  leadIds: string[];
  duplicates: { row: number; email: string; existingLeadId?: string }[];
  refused: { row: number; reason: string }[];
  errors: RowError[];
}

/** Rows are numbered from 1 as the caller sees them (data rows; a CSV header is not counted). */
export async function importLeads(db: Db, clientId: string, rows: unknown[], opts: { partial: boolean; source?: ImportSource }): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, leadIds: [], duplicates: [], refused: [], errors: [] };
  const valid: { row: number; lead: LeadInput }[] = [];
  const source = opts.source;
  const broken = new Set<number>();
  for (const e of source?.rowErrors ?? []) {
    broken.add(e.row);
    result.errors.push({ row: e.row, field: '(row)', message: e.message, line: e.line, column: e.column });
  }
  const rowError = (row: number, field: string, message: string): RowError =>
    source ? { row, field, message, line: source.lines[row - 1], column: source.columns.get(field.split('.')[0]) ?? field } : { row, field, message };
  // National phone numbers are read in the lead's country, else the client's.
  const clientCountry = (await db.client.findUnique({ where: { id: clientId }, select: { country: true } }))?.country;
  rows.forEach((raw, i) => {
    if (broken.has(i + 1)) return;
    const parsed = LeadInputSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) result.errors.push(rowError(i + 1, issue.path.join('.') || '(row)', issue.message));
      return;
    }
    const lead = parsed.data;
    if (lead.phone) {
      const phone = parsePhone(lead.phone, lead.country ?? clientCountry);
      if (!phone) {
        result.errors.push(rowError(i + 1, 'phone', `must be a phone number (national numbers are read as ${lead.country ?? clientCountry ?? 'AU'})`));
        return;
      }
      lead.phone = phone;
    }
    if (hasAddressInput(lead)) {
      const checked = validatePostalAddress(lead, lead);
      if (checked.issues) {
        for (const issue of checked.issues) result.errors.push(rowError(i + 1, issue.field, issue.message));
        return;
      }
      Object.assign(lead, addressColumns(checked.address), { addressSource: 'import' });
    }
    valid.push({ row: i + 1, lead });
  });

  const seen = new Map<string, number>();
  const existing = new Map(
    (
      await db.lead.findMany({
        where: { clientId, email: { in: valid.flatMap((v) => (v.lead.email ? [normalizeEmail(v.lead.email)] : [])) } },
        select: { id: true, email: true },
      })
    ).map((l) => [l.email!, l.id]),
  );
  const toInsert: { row: number; lead: LeadInput & { addressSource?: string } }[] = [];
  const hits = await findSuppressions(
    db,
    clientId,
    valid.map((v) => ({ email: v.lead.email, phone: v.lead.phone })),
  );
  for (const [i, v] of valid.entries()) {
    const email = v.lead.email ? normalizeEmail(v.lead.email) : undefined;
    if (email) {
      if (existing.has(email)) {
        result.duplicates.push({ row: v.row, email, existingLeadId: existing.get(email) });
        continue;
      }
      if (seen.has(email)) {
        result.duplicates.push({ row: v.row, email });
        continue;
      }
      seen.set(email, v.row);
    }
    const hit = hits[i];
    if (hit) {
      result.refused.push({ row: v.row, reason: `suppressed ${hit.kind} (${hit.reason})` });
      continue;
    }
    toInsert.push({ row: v.row, lead: { ...v.lead, email } });
  }
  if (result.errors.length > 0 && !opts.partial) return result;

  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < toInsert.length; i += 1000) {
        const chunk = toInsert.slice(i, i + 1000);
        const created = await tx.lead.createManyAndReturn({
          data: chunk.map((c) => ({ clientId, ...c.lead })),
          skipDuplicates: true,
          select: { id: true },
        });
        result.leadIds.push(...created.map((c) => c.id));
      }
      // 10,000 rows on a busy server can take longer than Prisma's 5 s default.
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  result.imported = result.leadIds.length;
  return result;
}

/** PATCH body: any lead field; null clears it (an address is replaced or cleared whole). */
export const LeadPatchSchema = z
  .object(
    Object.fromEntries(Object.entries(LeadFieldsSchema.shape).map(([k, v]) => [k, v.nullable()])) as unknown as {
      [K in keyof LeadInput]-?: z.ZodType<LeadInput[K] | null>;
    },
  )
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');
export type LeadPatch = Partial<{ [K in keyof LeadInput]: LeadInput[K] | null }>;

export type LeadUpdateResult =
  | { kind: 'updated'; before: Lead; lead: Lead; changed: string[] }
  | { kind: 'not_found' }
  | { kind: 'invalid'; issues: { field: string; message: string }[] }
  | { kind: 'duplicate'; existingLeadId: string }
  | { kind: 'suppressed'; reason: string };

/**
 * Corrects a lead: contact, company, location, time zone and postal address, with the checks an
 * import makes (phone read in the lead's country, address per country, no duplicate email within the
 * client, no suppressed contact). The lead keeps at least one way to reach it. Running sequences
 * read the row at every touch, so the next touch uses what is written here.
 */
export async function updateLead(db: Db, clientId: string, leadId: string, patch: LeadPatch): Promise<LeadUpdateResult> {
  const before = await db.lead.findFirst({ where: { id: leadId, clientId, deletedAt: null } });
  if (!before) return { kind: 'not_found' };
  const issues: { field: string; message: string }[] = [];
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) if (!(ADDRESS_FIELDS as readonly string[]).includes(k)) data[k] = v ?? null;
  if (typeof data.email === 'string') data.email = normalizeEmail(data.email);
  const merged = { ...before, ...data } as Lead;
  if (!merged.email && !merged.phone && !merged.linkedinUrl) issues.push({ field: 'email', message: 'needs an email, phone or linkedinUrl' });
  if (typeof patch.phone === 'string') {
    const clientCountry = (await db.client.findUnique({ where: { id: clientId }, select: { country: true } }))?.country;
    const phone = parsePhone(patch.phone, merged.country ?? clientCountry);
    if (!phone) issues.push({ field: 'phone', message: `must be a phone number (national numbers are read as ${merged.country ?? clientCountry ?? 'AU'})` });
    else data.phone = phone;
  }
  const addressGiven = ADDRESS_FIELDS.filter((f) => f in patch);
  if (addressGiven.length > 0) {
    const fields = Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, f in patch ? patch[f] : before[f]])) as Record<AddressField, string | null | undefined>;
    // Nulls in every address field sent (or nothing left): the whole address goes.
    if (addressGiven.every((f) => patch[f] === null) || !hasAddressInput(fields)) Object.assign(data, addressColumns(null), { addressSource: null });
    else {
      const checked = validatePostalAddress(fields, merged);
      if (checked.issues) issues.push(...checked.issues);
      else Object.assign(data, addressColumns(checked.address), { addressSource: 'manual' });
    }
  }
  if (issues.length > 0) return { kind: 'invalid', issues };

  if (typeof data.email === 'string' && data.email !== before.email) {
    const other = await db.lead.findFirst({ where: { clientId, email: data.email, id: { not: leadId } }, select: { id: true } });
    if (other) return { kind: 'duplicate', existingLeadId: other.id };
  }
  const newEmail = typeof data.email === 'string' && data.email !== before.email ? data.email : undefined;
  const newPhone = typeof data.phone === 'string' && data.phone !== before.phone ? data.phone : undefined;
  if (newEmail || newPhone) {
    const [hit] = await findSuppressions(db, clientId, [{ email: newEmail, phone: newPhone }]);
    if (hit) return { kind: 'suppressed', reason: `suppressed ${hit.kind} (${hit.reason})` };
  }
  const changed = Object.keys(data).filter((k) => (before as Record<string, unknown>)[k] !== data[k]);
  const lead = changed.length === 0 ? before : await db.lead.update({ where: { id: leadId }, data });
  return { kind: 'updated', before, lead, changed };
}

// Clients: GET/POST /api/v1/clients (the caller's clients, all for a platform admin; platform admins
// create a client and invite its owner) and, inside the tenant router, GET/PATCH/DELETE
// /api/v1/clients/:clientId and GET .../icp. Deleting is soft (owner); a platform admin restores it
// (admin-clients.ts). A deleted client's whole /clients/:clientId tree answers 404.
import { randomBytes } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { isIanaTimeZone } from '../../shared/domain/time-zones';
import { Prisma, type Client, type Db } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { addCredits, adjustBalanceTo } from '../../engines/credits';
import { aiDailyBudgetOf } from '../../engines/plans';
import { SendWindowSchema } from '../../engines/calendar/business-time';
import { COUNTRY_MESSAGE, isCountryCode } from '../../engines/country';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { ClientSchema, ClientWithRoleSchema, InvitationSchema, JobStatusSchema } from '../openapi/models';
import { anyJson, created, dateTime, noContent, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { likeLiteral, uuid } from '../validate';
import { inviteAndSend } from './invitations';
import { storedIcp } from '../../engines/icp';

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lowercase letters, digits and dashes (1-64)');
const timeZone = z.string().max(64).refine(isIanaTimeZone, 'must be an IANA time zone such as Australia/Sydney');
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, COUNTRY_MESSAGE)
  .refine(isCountryCode, COUNTRY_MESSAGE);
const optionalText = (max: number) => z.string().trim().min(1).max(max).nullable().optional();
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

// Fields a client's own admins may change.
const editable = {
  name: z.string().trim().min(1).max(200),
  permissionMode: z.enum(['autopilot', 'copilot', 'manual']),
  timeZone,
  country,
  state: optionalText(10),
  senderName: optionalText(200),
  senderEmail: z.email().max(320).nullable().optional(),
  postalAddress: optionalText(500),
  websiteUrl: httpUrl.nullable().optional(),
  /** Local sending hours and days for the client's leads; null: 08–18 Monday to Friday. */
  sendWindow: SendWindowSchema.nullable().optional(),
};
// Billing and limits: platform admins only.
const billing = {
  tier: z.enum(['ignition', 'velocity', 'dominance']),
  subscriptionStatus: z.enum(['trialing', 'active', 'past_due', 'paused', 'cancelled']),
  /** Sets the balance through one ledger adjustment of the difference (top-ups: /admin/clients/{id}/credits/top-ups). */
  creditsRemaining: z.number().int().min(0).max(100_000_000),
  /** The client's own daily AI budget; null follows the plan's. */
  aiDailyBudgetUsd: z.number().min(0).max(100_000).nullable(),
};
const BILLING_FIELDS = Object.keys(billing);

export const createClientBody = z
  .object({
    name: editable.name,
    slug: slug.optional(),
    owner: z.object({ email: z.email().max(320), name: z.string().trim().min(1).max(200).optional() }).strict(),
    permissionMode: editable.permissionMode.optional(),
    timeZone: timeZone.optional(),
    country: country.optional(),
    state: editable.state,
    senderName: editable.senderName,
    senderEmail: editable.senderEmail,
    postalAddress: editable.postalAddress,
    websiteUrl: editable.websiteUrl,
    sendWindow: editable.sendWindow,
    tier: billing.tier.optional(),
    subscriptionStatus: billing.subscriptionStatus.optional(),
    creditsRemaining: billing.creditsRemaining.optional(),
    aiDailyBudgetUsd: billing.aiDailyBudgetUsd.optional(),
  })
  .strict();

export const updateClientBody = z
  .object({
    name: editable.name.optional(),
    permissionMode: editable.permissionMode.optional(),
    timeZone: timeZone.optional(),
    country: country.optional(),
    state: editable.state,
    senderName: editable.senderName,
    senderEmail: editable.senderEmail,
    postalAddress: editable.postalAddress,
    websiteUrl: editable.websiteUrl,
    sendWindow: editable.sendWindow,
    tier: billing.tier.optional(),
    subscriptionStatus: billing.subscriptionStatus.optional(),
    creditsRemaining: billing.creditsRemaining.optional(),
    aiDailyBudgetUsd: billing.aiDailyBudgetUsd.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');

export const clientListQuery = pageQuery.extend({ q: z.string().trim().min(1).max(200).optional() }).strict();
export const clientParams = z.object({ clientId: uuid });

/** A client as the API shows it (the ICP has its own route). */
export function clientView(c: Client) {
  return {
    id: c.id,
    name: c.name,
    slug: c.slug,
    tier: c.tier,
    subscriptionStatus: c.subscriptionStatus,
    creditsRemaining: c.creditsRemaining,
    permissionMode: c.permissionMode,
    timeZone: c.timeZone,
    country: c.country,
    state: c.state,
    senderName: c.senderName,
    senderEmail: c.senderEmail,
    postalAddress: c.postalAddress,
    websiteUrl: c.websiteUrl,
    sendWindow: sendWindowOf(c),
    icpConfirmedAt: c.icpConfirmedAt,
    aiDailyBudgetUsd: aiDailyBudgetOf(c).usd,
    aiDailyBudgetSource: aiDailyBudgetOf(c).source,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    deletedAt: c.deletedAt,
  };
}

/** The stored window when it is a valid one (rows written before validation may not be). */
function sendWindowOf(c: Client) {
  const w = SendWindowSchema.safeParse(c.sendWindow);
  return w.success ? w.data : null;
}

/** A JSON column is cleared with Prisma.DbNull, not null. */
function withSendWindow<T extends { sendWindow?: z.infer<typeof SendWindowSchema> | null }>(input: T) {
  const { sendWindow, ...rest } = input;
  return { ...rest, ...(sendWindow === undefined ? {} : { sendWindow: sendWindow ?? Prisma.DbNull }) };
}

function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'client';
}

/**
 * Tenant routes answer 404 for a client that does not exist or is deleted (platform admins included:
 * they pass clientScope for any id, and a route must not run for a client that is not there).
 */
export function requireLiveClient(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const parsed = uuid.safeParse(req.params.clientId);
    const caller = req.caller;
    if (!parsed.success || !caller || (!caller.isPlatformAdmin && !caller.roles.has(parsed.data))) throw notFound('client');
    const live = await db.client.findFirst({ where: { id: parsed.data, deletedAt: null }, select: { id: true } });
    if (!live) throw notFound('client');
    next();
  };
}

async function load(db: Db, clientId: string): Promise<Client> {
  const c = await db.client.findFirst({ where: { id: clientId, deletedAt: null } });
  if (!c) throw notFound('client');
  return c;
}

/** The ICP's fields in answers (GET and PUT …/icp). */
export const icpFields = {
  industries: z.array(z.string()),
  companySizes: z.array(z.string()),
  titles: z.array(z.string()),
  locations: z.array(z.string()),
  painPoints: z.array(z.string()),
  valueProp: z.string().nullable(),
};
const IcpSchema = z.object({
  clientId: z.string(),
  confirmed: z.boolean(),
  confirmedAt: nullableDateTime,
  websiteUrl: z.string().nullable(),
  ...icpFields,
  alsWeights: anyJson,
  latestJob: z.object({ id: z.string(), status: JobStatusSchema, websiteUrl: z.string(), createdAt: dateTime, confirmedAt: nullableDateTime }).nullable(),
});
const clientWithRole = z.object({ client: ClientWithRoleSchema });

export const clientCollectionRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/clients',
    summary: 'Your clients (every client for a platform admin)',
    tag: 'clients',
    access: { kind: 'user' },
    query: clientListQuery,
    responses: { 200: ok(pageOf(ClientWithRoleSchema)) },
    handler: async ({ query: q, req, res, deps: { db } }) => {
      const caller = req.caller!;
      const rows = await db.client.findMany({
        where: {
          deletedAt: null,
          ...(caller.isPlatformAdmin ? {} : { memberships: { some: { userId: caller.userId, deletedAt: null } } }),
          ...(q.q
            ? { OR: [{ name: { contains: likeLiteral(q.q), mode: 'insensitive' as const } }, { slug: { contains: likeLiteral(q.q.toLowerCase()) } }] }
            : {}),
          AND: [cursorWhere(decodeCursor(q.cursor))],
        },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map((c) => ({ ...clientView(c), role: caller.roles.get(c.id) ?? null })), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/clients',
    summary: 'Create a client and invite its owner',
    description: 'The owner gets an emailed invitation (see `POST /api/v1/invitations/accept`) and is the owner once they accept it.',
    tag: 'clients',
    access: { kind: 'platform-admin' },
    body: createClientBody,
    responses: { 201: created(z.object({ client: ClientSchema, ownerInvitation: InvitationSchema })) },
    handler: async ({ body, req, res, deps }) => {
      const { db } = deps;
      const input = body();
      const { owner, slug: givenSlug, ...fields } = input;
      let clientSlug = givenSlug ?? slugify(input.name);
      const taken = await db.client.findUnique({ where: { slug: clientSlug }, select: { id: true } });
      if (taken && givenSlug) throw new HttpError(409, 'DUPLICATE_SLUG', 'a client with this slug already exists');
      if (taken) clientSlug = `${clientSlug}-${randomBytes(3).toString('hex')}`;
      const { creditsRemaining: opening, ...clientFields } = fields;
      let client = await db.client.create({ data: { ...withSendWindow(clientFields), slug: clientSlug } }).catch((err: unknown) => {
        // Two creations racing for one slug: the loser gets the same answer as a taken slug.
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
          throw new HttpError(409, 'DUPLICATE_SLUG', 'a client with this slug already exists');
        throw err;
      });
      // The owner is invited like anyone else: they accept with the emailed token (making their own key,
      // or with their existing account's key), so nobody here receives a credential of theirs.
      let invitation;
      try {
        invitation = await inviteAndSend(deps, req, { clientId: client.id, email: owner.email, role: 'owner', name: owner.name });
      } catch (err) {
        // The invitation could not be sent: leave no client behind that nobody can ever own.
        await db.client.delete({ where: { id: client.id } });
        throw err;
      }
      // Credits are never written directly: an opening balance is the ledger's first entry.
      if (opening) {
        await addCredits(db, {
          clientId: client.id,
          kind: 'adjustment',
          amount: opening,
          key: `adjustment:opening:${client.id}`,
          note: 'opening balance',
          actorUserId: req.caller!.userId,
        });
        client = await db.client.findUniqueOrThrow({ where: { id: client.id } });
      }
      await recordAudit(db, {
        clientId: client.id,
        ...actorOf(req),
        action: 'client.create',
        entityType: 'client',
        entityId: client.id,
        after: { ...clientView(client), ownerInvitationId: invitation.id },
      });
      res.status(201).json({ client: clientView(client), ownerInvitation: invitation });
    },
  }),
];

const CLIENT = '/api/v1/clients/{clientId}';

export const clientRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: CLIENT,
    summary: 'One client',
    tag: 'clients',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(clientWithRole) },
    handler: async ({ params: { clientId }, req, res, deps: { db } }) => {
      res.json({ client: { ...clientView(await load(db, clientId)), role: req.caller!.roles.get(clientId) ?? null } });
    },
  }),
  defineRoute({
    method: 'patch',
    path: CLIENT,
    summary: 'Change client settings (billing fields: platform admins only)',
    tag: 'clients',
    access: { kind: 'client', role: 'admin' },
    params: clientParams,
    body: updateClientBody,
    responses: { 200: ok(clientWithRole) },
    handler: async ({ params: { clientId }, body, req, res, deps: { db } }) => {
      const input = body();
      const billingChanges = BILLING_FIELDS.filter((f) => f in input);
      if (billingChanges.length && !req.caller!.isPlatformAdmin) {
        throw new HttpError(403, 'FORBIDDEN', `only a platform admin may change ${billingChanges.join(', ')}`);
      }
      const before = await load(db, clientId);
      const { creditsRemaining: target, ...fields } = input;
      // The balance moves only through the ledger: one adjustment of the difference.
      if (target !== undefined) await adjustBalanceTo(db, { clientId, target, actorUserId: req.caller!.userId });
      const after = await db.client.update({ where: { id: clientId }, data: withSendWindow(fields) });
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'client.update',
        entityType: 'client',
        entityId: clientId,
        before: clientView(before),
        after: clientView(after),
      });
      res.json({ client: { ...clientView(after), role: req.caller!.roles.get(clientId) ?? null } });
    },
  }),
  defineRoute({
    method: 'delete',
    path: CLIENT,
    summary: 'Soft-delete a client (a platform admin can restore it)',
    tag: 'clients',
    access: { kind: 'client', role: 'owner' },
    params: clientParams,
    responses: { 204: noContent },
    handler: async ({ params: { clientId }, req, res, deps: { db } }) => {
      const before = await load(db, clientId);
      const after = await db.client.update({ where: { id: clientId }, data: { deletedAt: new Date() } });
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'client.delete',
        entityType: 'client',
        entityId: clientId,
        before: clientView(before),
        after: clientView(after),
      });
      res.status(204).end();
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CLIENT}/icp`,
    summary: "The client's ideal customer profile (onboarding sets it; PUT edits it)",
    tag: 'clients',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(IcpSchema) },
    handler: async ({ params: { clientId }, res, deps: { db } }) => {
      const c = await load(db, clientId);
      const job = await db.onboardingJob.findFirst({
        where: { clientId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: { id: true, status: true, websiteUrl: true, createdAt: true, confirmedAt: true },
      });
      res.json({
        clientId,
        confirmed: c.icpConfirmedAt !== null,
        confirmedAt: c.icpConfirmedAt,
        websiteUrl: c.websiteUrl,
        ...storedIcp(c),
        alsWeights: c.alsWeights ?? null,
        latestJob: job,
      });
    },
  }),
];

/** GET/POST /api/v1/clients, mounted with exact paths (so /clients/:clientId/... is not authenticated twice). */
export function clientsCollectionRouter(deps: ApiDeps, authenticate: RequestHandler): Router {
  const r = Router();
  r.all('/clients', authenticate);
  r.use(routerFor(deps, '/api/v1', clientCollectionRoutes));
  return r;
}

/** GET/PATCH/DELETE /api/v1/clients/:clientId and GET .../icp, mounted inside the tenant router. */
export const clientRouter = (deps: ApiDeps) => routerFor(deps, CLIENT, clientRoutes);

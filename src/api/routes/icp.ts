// PUT /api/v1/clients/:clientId/icp — edit the client's ideal customer profile directly, without
// running ICP discovery (onboarding) again. The same limits as discovery's draft apply. By default
// the client's enriched, open leads are re-scored with it (enrichment workflows, which do no new
// lookups for leads already enriched); a lead whose tier changes gets the new tier's channels on
// the remaining touches of its running sequences.
import { z } from 'zod';
import type { Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { parseAlsWeights } from '../../engines/scorer';
import { IcpDraft } from '../../engines/skills/icp/pipeline';
import { startEnrichment } from '../../lifecycle/enrichment';
import { MAX_ENRICHMENT_LEADS } from '../../../workflows/definitions/enrichment';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { dateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';
import { storedIcp } from '../../engines/icp';
import { icpFields } from './clients';

const weight = z.number().finite().min(0).max(5);
export const IcpBody = z
  .object({
    industries: IcpDraft.shape.industries,
    companySizes: IcpDraft.shape.companySizes,
    titles: IcpDraft.shape.titles,
    locations: IcpDraft.shape.locations,
    /** Omitted: kept as they are. */
    painPoints: IcpDraft.shape.painPoints.optional(),
    valueProp: IcpDraft.shape.valueProp.nullable().optional(),
    /** Merged over the current weights, field by field. */
    alsWeights: z.strictObject({ dataQuality: weight, authority: weight, companyFit: weight, timing: weight, risk: weight }).partial().optional(),
    rescore: z.boolean().default(true),
  })
  .strict();

const IcpView = z.object({
  clientId: z.uuid(),
  confirmedAt: dateTime,
  ...icpFields,
  alsWeights: z.record(z.string(), z.number()),
});

// Leads whose score can change: enriched, not closed, not deleted.
const OPEN: Prisma.EnumLeadStatusFilter<'Lead'> = { notIn: ['bounced', 'unsubscribed', 'suppressed', 'converted', 'not_interested'] };

const ICP = '/api/v1/clients/{clientId}/icp';

export const icpRoutes: Route[] = [
  defineRoute({
    method: 'put',
    path: ICP,
    summary: "Edit the client's ICP without onboarding again (re-scores its leads)",
    description:
      'Replaces industries, company sizes, titles and locations; pain points and value proposition are kept when omitted; `alsWeights` is merged over the current weights. The ICP counts as confirmed from now. With `rescore` (default true) the enriched open leads are scored again in enrichment workflows (no new provider lookups), and a changed tier applies to the remaining touches of running sequences.',
    tag: 'onboarding',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    body: IcpBody,
    responses: {
      200: ok(z.object({ icp: IcpView, rescore: z.object({ leads: z.number().int(), workflowIds: z.array(z.string()) }) })),
    },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const { db } = deps;
      const b = body();
      const before = await db.client.findUniqueOrThrow({ where: { id: clientId } });
      const alsWeights = parseAlsWeights({ ...parseAlsWeights(before.alsWeights), ...b.alsWeights });
      const after = await db.client.update({
        where: { id: clientId },
        data: {
          icpIndustries: b.industries,
          icpCompanySizes: b.companySizes,
          icpTitles: b.titles,
          icpLocations: b.locations,
          ...(b.painPoints ? { icpPainPoints: b.painPoints } : {}),
          ...(b.valueProp !== undefined ? { icpValueProp: b.valueProp } : {}),
          alsWeights: alsWeights as Prisma.InputJsonValue,
          icpConfirmedAt: new Date(),
        },
      });
      const icp = {
        clientId,
        confirmedAt: after.icpConfirmedAt!.toISOString(),
        ...storedIcp(after),
        alsWeights,
      };
      const rescore = { leads: 0, workflowIds: [] as string[] };
      if (b.rescore) {
        const ids = (
          await db.lead.findMany({
            where: { clientId, deletedAt: null, enrichedAt: { not: null }, status: OPEN },
            select: { id: true },
            orderBy: { id: 'asc' },
          })
        ).map((l) => l.id);
        rescore.leads = ids.length;
        for (let i = 0; i < ids.length; i += MAX_ENRICHMENT_LEADS) {
          const started = await startEnrichment(deps.temporal, deps.taskQueue, { clientId, leadIds: ids.slice(i, i + MAX_ENRICHMENT_LEADS) });
          rescore.workflowIds.push(started.workflowId);
        }
      }
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'icp.updated',
        entityType: 'client',
        entityId: clientId,
        before: storedIcp(before),
        after: icp,
      });
      res.json({ icp, rescore });
    },
  }),
];

export const icpRouter = (deps: ApiDeps) => routerFor(deps, ICP, icpRoutes);

// Reporter: campaign and client metrics from the `activities` log (meetings from `meetings`), the command-centre KPIs and each
// client's health. Every metric counts distinct leads, so a lead opening an email five times is one
// "opened". Events that carry no touch number (opens, replies…) are attributed to the touch whose
// provider message id they carry, else to the lead's latest send before them.
import { Prisma, type Db } from '../db/client';

export const METRICS = ['sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced', 'unsubscribed', 'complained', 'meetings'] as const;
export type Metric = (typeof METRICS)[number];
export type Metrics = Record<Metric, number>;

const DAY_MS = 86_400_000;

export const emptyMetrics = (): Metrics => Object.fromEntries(METRICS.map((m) => [m, 0])) as Metrics;

// Which metrics an activity row counts towards. Meetings are not activities: they come from the
// meetings table (MEETING_EVENTS), so a meeting request that never became a booking is no meeting.
const METRIC_OF_ACTIVITY = Prisma.sql`
  unnest(CASE
    WHEN a.action IN ('sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced', 'unsubscribed', 'complained') THEN ARRAY[a.action]
    ELSE ARRAY[]::text[]
  END)`;

/** Meetings that count: booked (or moved, held, missed), not merely proposed or cancelled. */
const COUNTED_MEETINGS = Prisma.sql`('booked', 'rescheduled', 'no_show', 'completed')`;

/**
 * One row per counted meeting as a "meetings" event: its channel and touch are those of the reply
 * that proposed it, else of the lead's latest send (in the campaign) before it was recorded.
 */
const meetingEvents = (where: Prisma.Sql) => Prisma.sql`
  SELECT m."leadId", COALESCE(im.channel::text, s.channel::text) AS channel, 'meetings' AS metric, COALESCE(im."touchNumber", s."touchNumber") AS touch
  FROM meetings m
  LEFT JOIN inbound_messages im ON im.id = m."inboundMessageId"
  LEFT JOIN LATERAL (
    SELECT a.channel, a."touchNumber" FROM activities a
    WHERE a."leadId" = m."leadId" AND a.action = 'sent' AND (m."campaignId" IS NULL OR a."campaignId" = m."campaignId") AND a."createdAt" <= m."createdAt"
    ORDER BY a."createdAt" DESC LIMIT 1
  ) s ON true
  WHERE m.status IN ${COUNTED_MEETINGS} AND ${where}`;

interface GroupRow {
  channel: string | null;
  touch: number | null;
  metric: string;
  n: number;
  grp: number;
}

function addTo(target: Metrics, metric: string, n: number): void {
  if ((METRICS as readonly string[]).includes(metric)) target[metric as Metric] += n;
}

export interface CampaignReport {
  campaignId: string;
  totals: Metrics;
  rates: { deliveryRate: number | null; openRate: number | null; replyRate: number | null; bounceRate: number | null; meetingRate: number | null };
  byChannel: Array<{ channel: string } & Metrics>;
  byTouch: Array<{ touchNumber: number | null } & Metrics>;
  generatedAt: Date;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

export function ratesOf(t: Metrics): CampaignReport['rates'] {
  return {
    deliveryRate: ratio(t.delivered, t.sent),
    openRate: ratio(t.opened, t.sent),
    replyRate: ratio(t.replied, t.sent),
    bounceRate: ratio(t.bounced, t.sent),
    meetingRate: ratio(t.meetings, t.sent),
  };
}

/** Per channel, per touch and in total, for one campaign (all time). */
export async function campaignReport(db: Db, campaignId: string): Promise<CampaignReport> {
  const rows = await db.$queryRaw<GroupRow[]>`
    WITH sends AS (
      SELECT "leadId", "touchNumber", channel, "providerMessageId", "createdAt"
      FROM activities WHERE "campaignId" = ${campaignId} AND action = 'sent'
    ),
    events AS (
      SELECT a."leadId", a.channel::text AS channel, m.metric,
        COALESCE(
          a."touchNumber",
          (SELECT s."touchNumber" FROM sends s WHERE a."providerMessageId" IS NOT NULL AND s."providerMessageId" = a."providerMessageId" LIMIT 1),
          (SELECT s."touchNumber" FROM sends s WHERE s."leadId" = a."leadId" AND s."createdAt" <= a."createdAt" ORDER BY s."createdAt" DESC LIMIT 1)
        ) AS touch
      FROM activities a CROSS JOIN LATERAL ${METRIC_OF_ACTIVITY} AS m(metric)
      WHERE a."campaignId" = ${campaignId}
      UNION ALL
      SELECT "leadId", channel, metric, touch FROM (${meetingEvents(Prisma.sql`m."campaignId" = ${campaignId}`)}) mt
    )
    SELECT channel, touch, metric, COUNT(DISTINCT "leadId")::int AS n, GROUPING(channel, touch)::int AS grp
    FROM events
    GROUP BY GROUPING SETS ((channel, metric), (touch, metric), (metric))`;
  const totals = emptyMetrics();
  const channels = new Map<string, Metrics>();
  const touches = new Map<number | null, Metrics>();
  for (const r of rows) {
    // GROUPING bits: channel is the high bit, touch the low bit (1 = aggregated away).
    if (r.grp === 3) addTo(totals, r.metric, r.n);
    else if (r.grp === 1) {
      const key = r.channel ?? 'unknown';
      if (!channels.has(key)) channels.set(key, emptyMetrics());
      addTo(channels.get(key)!, r.metric, r.n);
    } else if (r.grp === 2) {
      if (!touches.has(r.touch)) touches.set(r.touch, emptyMetrics());
      addTo(touches.get(r.touch)!, r.metric, r.n);
    }
  }
  return {
    campaignId,
    totals,
    rates: ratesOf(totals),
    byChannel: [...channels].sort(([a], [b]) => a.localeCompare(b)).map(([channel, m]) => ({ channel, ...m })),
    // Touch order, with events we could not attribute (null) last.
    byTouch: [...touches].sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity)).map(([touchNumber, m]) => ({ touchNumber, ...m })),
    generatedAt: new Date(),
  };
}

export interface ClientOverview {
  clientId: string;
  from: Date;
  to: Date;
  days: number;
  leads: { total: number; byTier: Record<string, number>; byStatus: Record<string, number> };
  campaigns: { total: number; byStatus: Record<string, number> };
  activity: { totals: Metrics; rates: CampaignReport['rates']; byChannel: Array<{ channel: string } & Metrics> };
  aiSpendUsd: number;
  pendingApprovals: number;
  generatedAt: Date;
}

const countBy = <K extends string>(rows: Array<{ _count: { _all: number } } & Record<K, unknown>>, key: K, nullName = 'none') =>
  Object.fromEntries(rows.map((r) => [r[key] === null ? nullName : String(r[key]), r._count._all]));

/** One client's picture over the last `days` days (lead and campaign counts are current). */
export async function clientOverview(db: Db, clientId: string, days: number, now = new Date()): Promise<ClientOverview> {
  const from = new Date(now.getTime() - days * DAY_MS);
  const [byTier, byStatus, campaigns, activityRows, ai, pendingApprovals] = await Promise.all([
    db.lead.groupBy({ by: ['alsTier'], where: { clientId, deletedAt: null }, _count: { _all: true } }),
    db.lead.groupBy({ by: ['status'], where: { clientId, deletedAt: null }, _count: { _all: true } }),
    db.campaign.groupBy({ by: ['status'], where: { clientId, deletedAt: null }, _count: { _all: true } }),
    db.$queryRaw<GroupRow[]>`
      SELECT e.channel, NULL::int AS touch, e.metric, COUNT(DISTINCT e."leadId")::int AS n, GROUPING(e.channel)::int AS grp
      FROM (
        SELECT a."leadId", a.channel::text AS channel, m.metric
        FROM activities a CROSS JOIN LATERAL ${METRIC_OF_ACTIVITY} AS m(metric)
        WHERE a."clientId" = ${clientId} AND a."createdAt" >= ${from} AND a."createdAt" < ${now}
        UNION ALL
        SELECT mt."leadId", mt.channel, mt.metric FROM (${meetingEvents(Prisma.sql`m."clientId" = ${clientId} AND m."createdAt" >= ${from} AND m."createdAt" < ${now}`)}) mt
      ) e
      GROUP BY GROUPING SETS ((e.channel, e.metric), (e.metric))`,
    db.aiUsage.aggregate({ _sum: { costUsd: true }, where: { clientId, createdAt: { gte: from, lt: now } } }),
    db.approvalRequest.count({ where: { clientId, status: 'pending' } }),
  ]);
  const totals = emptyMetrics();
  const channels = new Map<string, Metrics>();
  for (const r of activityRows) {
    if (r.grp === 1) addTo(totals, r.metric, r.n);
    else {
      const key = r.channel ?? 'unknown';
      if (!channels.has(key)) channels.set(key, emptyMetrics());
      addTo(channels.get(key)!, r.metric, r.n);
    }
  }
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const tiers = countBy(byTier, 'alsTier', 'unscored');
  const campaignStatus = countBy(campaigns, 'status');
  return {
    clientId,
    from,
    to: now,
    days,
    leads: { total: sum(tiers), byTier: tiers, byStatus: countBy(byStatus, 'status') },
    campaigns: { total: sum(campaignStatus), byStatus: campaignStatus },
    activity: { totals, rates: ratesOf(totals), byChannel: [...channels].sort(([a], [b]) => a.localeCompare(b)).map(([channel, m]) => ({ channel, ...m })) },
    aiSpendUsd: Number(ai._sum.costUsd ?? 0),
    pendingApprovals,
    generatedAt: new Date(),
  };
}

/** The UTC day that contains `now`. */
function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export interface PlatformStats {
  day: string;
  clients: { total: number; active: number; deleted: number };
  activeCampaigns: number;
  leadsByTier: Record<string, number>;
  sendsToday: number;
  repliesToday: number;
  aiSpendTodayUsd: number;
  pendingApprovals: number;
  webhookInbox: { pending: number; failed: number; oldestPendingAt: Date | null };
  generatedAt: Date;
}

/** Command-centre KPIs across every client; "today" is the UTC day. */
export async function platformStats(db: Db, now = new Date()): Promise<PlatformStats> {
  const start = utcDayStart(now);
  const end = new Date(start.getTime() + DAY_MS);
  const today = { gte: start, lt: end };
  const [total, active, deleted, activeCampaigns, tiers, sends, replies, ai, pendingApprovals, inboxPending, inboxFailed, oldest] = await Promise.all([
    db.client.count({ where: { deletedAt: null } }),
    db.client.count({ where: { deletedAt: null, subscriptionStatus: { in: ['active', 'trialing'] } } }),
    db.client.count({ where: { deletedAt: { not: null } } }),
    db.campaign.count({ where: { status: 'active', deletedAt: null, client: { deletedAt: null } } }),
    db.lead.groupBy({ by: ['alsTier'], where: { deletedAt: null, client: { deletedAt: null } }, _count: { _all: true } }),
    db.activity.count({ where: { action: 'sent', createdAt: today } }),
    db.activity.count({ where: { action: 'replied', createdAt: today } }),
    db.aiUsage.aggregate({ _sum: { costUsd: true }, where: { createdAt: today } }),
    db.approvalRequest.count({ where: { status: 'pending' } }),
    db.webhookEvent.count({ where: { status: 'pending' } }),
    db.webhookEvent.count({ where: { status: 'failed' } }),
    db.webhookEvent.findFirst({ where: { status: 'pending' }, orderBy: { receivedAt: 'asc' }, select: { receivedAt: true } }),
  ]);
  return {
    day: start.toISOString().slice(0, 10),
    clients: { total, active, deleted },
    activeCampaigns,
    leadsByTier: countBy(tiers, 'alsTier', 'unscored'),
    sendsToday: sends,
    repliesToday: replies,
    aiSpendTodayUsd: Number(ai._sum.costUsd ?? 0),
    pendingApprovals,
    webhookInbox: { pending: inboxPending, failed: inboxFailed, oldestPendingAt: oldest?.receivedAt ?? null },
    generatedAt: new Date(),
  };
}

export type HealthLevel = 'healthy' | 'warning' | 'critical';

export interface ClientHealth {
  level: HealthLevel;
  reasons: string[];
  sent30d: number;
  bounced30d: number;
  bounceRate30d: number | null;
  lastSendAt: Date | null;
}

// Bounce rates above these put sender reputation at risk (the usual mailbox-provider guidance).
const BOUNCE_WARNING = 0.02;
const BOUNCE_CRITICAL = 0.05;
// Below this many sends a bounce rate says little.
const MIN_SENDS_FOR_RATE = 20;
const LOW_CREDITS = 100;

export function healthOf(
  c: { subscriptionStatus: string; creditsRemaining: number; deletedAt: Date | null },
  s: { sent: number; bounced: number; lastSendAt: Date | null },
): ClientHealth {
  const reasons: Array<[HealthLevel, string]> = [];
  const rate = s.sent > 0 ? Math.round((s.bounced / s.sent) * 10_000) / 10_000 : null;
  if (c.deletedAt) reasons.push(['critical', 'client is deleted']);
  if (['past_due', 'paused', 'cancelled'].includes(c.subscriptionStatus)) reasons.push(['critical', `subscription is ${c.subscriptionStatus}`]);
  if (c.creditsRemaining <= 0) reasons.push(['critical', 'no credits left']);
  else if (c.creditsRemaining < LOW_CREDITS) reasons.push(['warning', `${c.creditsRemaining} credits left`]);
  if (rate !== null && s.sent >= MIN_SENDS_FOR_RATE) {
    if (rate >= BOUNCE_CRITICAL) reasons.push(['critical', `bounce rate ${(rate * 100).toFixed(1)}% over 30 days`]);
    else if (rate >= BOUNCE_WARNING) reasons.push(['warning', `bounce rate ${(rate * 100).toFixed(1)}% over 30 days`]);
  }
  const level: HealthLevel = reasons.some(([l]) => l === 'critical') ? 'critical' : reasons.length ? 'warning' : 'healthy';
  return { level, reasons: reasons.map(([, r]) => r), sent30d: s.sent, bounced30d: s.bounced, bounceRate30d: rate, lastSendAt: s.lastSendAt };
}

/** Send and bounce counts over 30 days and the last send, for each of these clients. */
export async function sendStats(
  db: Db,
  clientIds: string[],
  now = new Date(),
): Promise<Map<string, { sent: number; bounced: number; lastSendAt: Date | null }>> {
  const out = new Map(clientIds.map((id) => [id, { sent: 0, bounced: 0, lastSendAt: null as Date | null }]));
  if (clientIds.length === 0) return out;
  const since = new Date(now.getTime() - 30 * DAY_MS);
  const rows = await db.$queryRaw<Array<{ clientId: string; sent: number; bounced: number; lastSendAt: Date | null }>>`
    SELECT "clientId",
      COUNT(*) FILTER (WHERE action = 'sent' AND "createdAt" >= ${since})::int AS sent,
      COUNT(*) FILTER (WHERE action = 'bounced' AND "createdAt" >= ${since})::int AS bounced,
      MAX("createdAt") FILTER (WHERE action = 'sent') AS "lastSendAt"
    FROM activities
    WHERE "clientId" IN (${Prisma.join(clientIds)}) AND action IN ('sent', 'bounced')
    GROUP BY "clientId"`;
  for (const r of rows) out.set(r.clientId, { sent: r.sent, bounced: r.bounced, lastSendAt: r.lastSendAt });
  return out;
}

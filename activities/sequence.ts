// Activities of leadSequenceWorkflow. Each wraps engine calls and is idempotent: retried attempts
// find what earlier attempts wrote (ledger, approval and enrolment rows keyed uniquely).
import { ApplicationFailure } from '@temporalio/activity';
import type { Channel, Lead, Client } from '../src/db/client';
import { type Prisma } from '../src/db/client';
import { loadTouchRows, validateTouch, type ComplianceEvidence, type TouchClient, type TouchLead, type TouchResource, type TouchThread } from '../src/engines/jit-validation';
import { isChannelAllowed, pickResource } from '../src/engines/allocator';
import { addBusinessDays, instantAt, localDate, nextSendWindow, SendWindowSchema } from '../src/engines/calendar/business-time';
import { DEFAULT_TEMPLATES, renderTouch, UnfilledMergeFieldError, type TouchTemplate } from '../src/engines/content/templates';
import { personaliseTouch } from '../src/engines/content/ai-personalise';
import { aiDepsFrom } from './ai';
import { complianceFooter, listUnsubscribeHeaders, withSmsOptOut } from '../src/engines/compliance/email-compliance';
import { signUnsubscribeToken } from '../src/engines/compliance/unsubscribe-token';
import { finalizeSent, markFailed, markSending, markSkipped, reserveSend, reserveSendWithSlot, sendKey } from '../src/engines/send-ledger';
import { releaseDailySlot, takeDailySlot } from '../src/engines/rate-limiter';
import { PermanentSendError, type ChannelName, type OutboundMessage } from '../src/integrations/channels';
import type { SequenceTouchPlan } from '../workflows/lead-sequence';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sequenceEndedSignal } from '../workflows/definitions/campaign';
import { workflowIds } from '../workflows/ids';
import type { ActivityDeps } from './deps';

export interface TouchContent {
  subject?: string;
  text: string;
}

export type PrepareResult =
  | { action: 'ready'; channel: ChannelName; kind: string; threadWith?: number; content: TouchContent; evidence: ComplianceEvidence }
  | { action: 'wait'; reason: string; until: string }
  | { action: 'skip'; reason: string }
  | { action: 'stop'; reason: string };

export type AttemptResult =
  | Exclude<PrepareResult, { action: 'skip' }>
  | { action: 'skip'; reason: string; channel?: ChannelName }
  | { action: 'sent'; channel: ChannelName; providerMessageId: string };

export type SendResultOut =
  | { status: 'sent'; providerMessageId: string; threadId?: string }
  | { status: 'wait'; reason: 'daily_cap'; until: string }
  | { status: 'skipped'; reason: string };

/** Rows one attempt has already read (prepareTouch's reads, so its send reads nothing again). */
interface Loaded {
  lead?: TouchLead;
  client?: TouchClient;
  /** The channel's active resources with their recent counters. */
  resources?: TouchResource[];
  /** The thread a follow-up replies to, when it has one. */
  thread?: TouchThread | null;
}

interface TouchRef {
  workflowId: string;
  clientId: string;
  campaignId: string;
  leadId: string;
  touch: number;
  channel: ChannelName;
}

function calendarFor(lead: Pick<Lead, 'timeZone' | 'country' | 'state'>, client: Pick<Client, 'timeZone' | 'country' | 'state' | 'sendWindow'>) {
  const window = client.sendWindow ? SendWindowSchema.safeParse(client.sendWindow) : undefined;
  return {
    timeZone: lead.timeZone ?? client.timeZone,
    country: lead.country ?? client.country,
    region: lead.country ? (lead.state ?? undefined) : (client.state ?? undefined),
    ...(window?.success ? { window: window.data } : {}),
  };
}

async function loadLeadAndClient(deps: ActivityDeps, leadId: string, clientId: string) {
  // One round trip for both rows (soft-deleted rows are returned, as findUnique returns them).
  const { lead, client } = await loadTouchRows(deps.db, { leadId, clientId, now: new Date() });
  if (!lead || !client) throw ApplicationFailure.nonRetryable(`lead ${leadId} or client ${clientId} not found`);
  return { lead, client };
}

/** Resources in the order a send tries them: most room left today first (ties: identifier, descending). */
function bySlotOrder(resources: TouchResource[], day: string) {
  return resources
    .map((c) => ({ ...c, usedToday: c.counts[day] ?? 0 }))
    .sort((x, y) => x.dailyLimit - x.usedToday - (y.dailyLimit - y.usedToday) || x.identifier.localeCompare(y.identifier))
    .reverse();
}

export function createSequenceActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function recordActivity(ref: TouchRef, action: string, extra: { providerMessageId?: string; threadId?: string; metadata?: Record<string, unknown> } = {}) {
    await db.activity.create({
      data: {
        clientId: ref.clientId,
        campaignId: ref.campaignId,
        leadId: ref.leadId,
        channel: ref.channel,
        action,
        touchNumber: ref.touch,
        providerMessageId: extra.providerMessageId,
        threadId: extra.threadId,
        metadata: (extra.metadata ?? {}) as Prisma.InputJsonValue,
      },
    });
  }

  /** Records a non-send outcome once per touch (the ledger row is the guard). */
  async function recordOutcomeOnce(ref: TouchRef, action: 'skipped' | 'drafted', reason: string, metadata: Record<string, unknown> = {}) {
    const key = sendKey(ref.workflowId, ref.touch);
    const row = await reserveSend(db, { idempotencyKey: key, clientId: ref.clientId, campaignId: ref.campaignId, leadId: ref.leadId, channel: ref.channel, touchNumber: ref.touch });
    if (row.state === 'skipped') return;
    await db.$transaction(async (tx) => {
      await markSkipped(tx, key, reason);
      await tx.activity.create({
        data: { clientId: ref.clientId, campaignId: ref.campaignId, leadId: ref.leadId, channel: ref.channel, action, touchNumber: ref.touch, metadata: { reason, ...metadata } as Prisma.InputJsonValue },
      });
    });
  }

  async function buildMessage(
    ref: TouchRef & { kind: string; content: TouchContent; threadWith?: number },
    lead: TouchLead,
    client: TouchClient,
    resource: string | null,
    thread?: TouchThread | null,
  ): Promise<OutboundMessage> {
    const key = sendKey(ref.workflowId, ref.touch);
    const senderName = client.senderName ?? client.name;
    const base = {
      channel: ref.channel,
      clientId: ref.clientId,
      idempotencyKey: key,
      metadata: { idempotency_key: key, client_id: ref.clientId, campaign_id: ref.campaignId, lead_id: ref.leadId, touch: String(ref.touch) },
    };
    const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ') || undefined;
    switch (ref.channel) {
      case 'email': {
        const token = signUnsubscribeToken(
          { clientId: ref.clientId, leadId: ref.leadId, campaignId: ref.campaignId, channel: 'email', issuedAt: Math.floor(Date.now() / 1000) },
          deps.signingSecret,
        );
        const unsubscribeUrl = `${deps.publicUrl.replace(/\/$/, '')}/u/${token}`;
        const headers: Record<string, string> = { ...listUnsubscribeHeaders(unsubscribeUrl) };
        let subject = ref.content.subject;
        if (ref.threadWith !== undefined) {
          // prepareTouch read the first message with its checks; read it here when it did not.
          const first = thread !== undefined ? thread : (await loadTouchRows(db, { clientId: ref.clientId, leadId: ref.leadId, now: new Date(), threadKey: sendKey(ref.workflowId, ref.threadWith) })).thread;
          if (first?.state === 'sent' && first.threadId) {
            headers['In-Reply-To'] = first.threadId;
            headers['References'] = first.threadId;
            const firstSubject = first.subject;
            if (!subject && firstSubject) subject = firstSubject.startsWith('Re: ') ? firstSubject : `Re: ${firstSubject}`;
          }
        }
        const footer = complianceFooter(
          { senderName, agencyName: client.name, postalAddress: client.postalAddress ?? 'Postal address on file' },
          unsubscribeUrl,
        );
        return {
          ...base,
          to: { name, email: lead.email ?? undefined },
          from: { name: senderName, email: client.senderEmail ?? `outreach@${resource ?? 'agency-os.local'}`, resource: resource ?? undefined },
          subject: subject ?? `A note from ${client.name}`,
          text: `${ref.content.text}\n${footer}`,
          headers,
        };
      }
      case 'sms':
        return { ...base, to: { name, phone: lead.phone ?? undefined }, from: { name: senderName, phone: resource ?? undefined, resource: resource ?? undefined }, text: withSmsOptOut(ref.content.text) };
      case 'voice':
        return { ...base, to: { name, phone: lead.phone ?? undefined }, from: { name: senderName, phone: resource ?? undefined, resource: resource ?? undefined }, text: ref.content.text };
      case 'linkedin':
        return { ...base, to: { name, linkedinUrl: lead.linkedinUrl ?? undefined }, from: { name: senderName, resource: resource ?? undefined }, text: ref.content.text };
      case 'mail': {
        const postalAddress = (lead.enrichment as { postalAddress?: string } | null)?.postalAddress;
        return { ...base, to: { name, postalAddress }, from: { name: senderName, resource: resource ?? undefined }, text: ref.content.text };
      }
    }
  }

  /** The campaign's generated copy for this touch kind, when it was launched from a template. */
  async function generatedTemplate(templateId: string | null, kind: string): Promise<TouchTemplate | undefined> {
    if (!templateId) return undefined;
    const row = await db.campaignTemplate.findUnique({ where: { id: templateId }, select: { messaging: true } });
    const templates = (row?.messaging as { templates?: Record<string, TouchTemplate> } | null)?.templates;
    const t = templates?.[kind];
    return t && typeof t.body === 'string' ? t : undefined;
  }

  /**
   * Validates a touch and renders its content. `loaded` receives the lead and client it read, so a
   * send in the same attempt does not read them again; with `sending` the capacity check is left
   * to the send's own slot reservation.
   */
  async function prepareTouch(
    a: { workflowId: string; clientId: string; campaignId: string; leadId: string; touch: SequenceTouchPlan; tier: string | null; now: string },
    loaded: Loaded = {},
    sending = false,
  ): Promise<PrepareResult> {
    const now = new Date(a.now);
    const tier = (a.tier ?? 'cold') as Parameters<typeof isChannelAllowed>[0];
    let channel = a.touch.channel;
    let kind = a.touch.kind;
    let threadWith = a.touch.threadWith;
    if (!isChannelAllowed(tier, channel)) {
      if (a.touch.fallback && isChannelAllowed(tier, a.touch.fallback.channel)) {
        channel = a.touch.fallback.channel;
        kind = a.touch.fallback.kind;
        threadWith = a.touch.fallback.threadWith;
      } else {
        return { action: 'skip', reason: `channel_not_allowed_for_tier:${a.tier ?? 'unscored'}` };
      }
    }
    const threadKey = channel === 'email' && threadWith !== undefined ? sendKey(a.workflowId, threadWith) : undefined;
    const jit = await validateTouch(db, deps.dncr, { clientId: a.clientId, campaignId: a.campaignId, leadId: a.leadId, channel: channel as Channel, now, threadKey });
    if (jit.action === 'stop') return { action: 'stop', reason: jit.reason };
    if (jit.action === 'skip') return { action: 'skip', reason: jit.reason };
    if (jit.action === 'wait') return { action: 'wait', reason: jit.reason, until: new Date(now.getTime() + jit.recheckAfterMs).toISOString() };
    const { lead, client } = jit;
    const cal = calendarFor(lead, client);
    const window = nextSendWindow(now, cal);
    if (window.reason) return { action: 'wait', reason: window.reason, until: window.at.toISOString() };

    loaded.lead = lead;
    loaded.client = client;
    loaded.resources = jit.resources;
    loaded.thread = jit.thread;
    const resources = jit.resources;
    if (resources.length === 0) return { action: 'skip', reason: `no_send_resource:${channel}` };
    if (!sending) {
      const day = localDate(now, cal.timeZone);
      const pick = pickResource(resources.map((r) => ({ ...r, usedToday: r.counts[day] ?? 0 })), channel);
      if (!pick) return { action: 'wait', reason: 'daily_cap', until: nextDayWindow(now, cal).toISOString() };
    }

    const template = (await generatedTemplate(jit.campaign.templateId, kind)) ?? DEFAULT_TEMPLATES[kind] ?? DEFAULT_TEMPLATES.email_intro;
    try {
      const rendered = renderTouch(template, {
        firstName: lead.firstName,
        lastName: lead.lastName,
        title: lead.title,
        companyName: lead.companyName,
        companyIndustry: lead.companyIndustry,
        city: lead.city,
        senderName: client.senderName ?? client.name,
        agencyName: client.name,
      });
      let content: TouchContent = { subject: rendered.subject, text: rendered.body };
      if (jit.campaign.aiPersonalisation) {
        // Claude rewrites the rendered copy for this lead (cached per lead and touch, spend-limited,
        // channel length rules); on any AI problem the rendered template is kept.
        const p = await personaliseTouch(
          { db, ai: aiDepsFrom(deps) },
          {
            clientId: a.clientId, campaignId: a.campaignId, leadId: a.leadId, touch: a.touch.number, channel, kind,
            rendered, agencyName: client.name, workflowId: a.workflowId,
            lead: { firstName: lead.firstName, title: lead.title, companyName: lead.companyName, companyIndustry: lead.companyIndustry, city: lead.city },
          },
        );
        content = { subject: p.subject ?? rendered.subject, text: p.body };
      }
      return { action: 'ready', channel, kind, threadWith, content, evidence: jit.evidence };
    } catch (err) {
      if (err instanceof UnfilledMergeFieldError) return { action: 'skip', reason: `unfilled_merge_field:${err.fields.join(',')}` };
      throw err;
    }
  }

  async function sendTouch(
    a: TouchRef & { kind: string; content: TouchContent; threadWith?: number; evidence: ComplianceEvidence; now: string },
    loaded: Loaded = {},
  ): Promise<SendResultOut> {
    const key = sendKey(a.workflowId, a.touch);
    const now = new Date(a.now);
    const ledgerKey = { idempotencyKey: key, clientId: a.clientId, campaignId: a.campaignId, leadId: a.leadId, channel: a.channel, touchNumber: a.touch };
    const { lead, client } = loaded.lead && loaded.client ? { lead: loaded.lead, client: loaded.client } : await loadLeadAndClient(deps, a.leadId, a.clientId);
    const cal = calendarFor(lead, client);
    const day = localDate(now, cal.timeZone);
    const provider = deps.channels[a.channel];
    // Built before anything is reserved, so a failure here never leaves a slot taken or a row `sending`;
    // the resource is filled in below once it is known.
    const message = await buildMessage(a, lead, client, null, loaded.thread);
    const useResource = (identifier: string) => {
      message.from.resource = identifier;
      if (a.channel === 'sms' || a.channel === 'voice') message.from.phone = identifier;
      if (a.channel === 'email' && !client.senderEmail) message.from.email = `outreach@${identifier}`;
    };

    // Reserve the ledger row and, in the same statement, take a slot of the resource with the most
    // room (then the next, if that one filled up meanwhile) and move the row to `sending`: a retry
    // finds the resource on its row and never takes a second slot for this send.
    const candidates = loaded.resources
      ? bySlotOrder(loaded.resources, day)
      : bySlotOrder((await loadTouchRows(db, { clientId: a.clientId, leadId: a.leadId, channel: a.channel, now })).resources, day);
    let { ledger, took } = await reserveSendWithSlot(db, ledgerKey, candidates[0] ? { resourceId: candidates[0].id, day, limit: candidates[0].dailyLimit } : null, { countAttempt: true, now: new Date() });
    for (let i = 1; !took && i < candidates.length && ledger.state === 'reserved' && !ledger.resourceId; i++) {
      ({ ledger, took } = await reserveSendWithSlot(db, ledgerKey, { resourceId: candidates[i].id, day, limit: candidates[i].dailyLimit }, { countAttempt: false, now: new Date() }));
    }
    if (ledger.state === 'sent') return { status: 'sent', providerMessageId: ledger.providerMessageId ?? '', threadId: ledger.threadId ?? undefined };
    if (ledger.state === 'skipped' || ledger.state === 'failed') return { status: 'skipped', reason: ledger.error ?? 'failed' };

    const finalize = async (providerMessageId: string, threadId: string | undefined, resourceId: string | null) => {
      await finalizeSent(db, {
        idempotencyKey: key,
        clientId: a.clientId,
        campaignId: a.campaignId,
        leadId: a.leadId,
        channel: a.channel,
        touchNumber: a.touch,
        providerMessageId,
        threadId,
        // Replies inbox (issue 15): the sent text is kept with its activity so a reply's thread reads
        // whole without the sandbox outbox (first 10,000 characters: a touch is far shorter).
        metadata: { kind: a.kind, subject: message.subject ?? null, body: message.text.slice(0, 10_000), resourceId, provider: provider.provider, sandbox: provider.sandbox, evidence: a.evidence },
        now: new Date(),
      });
      return { status: 'sent' as const, providerMessageId, threadId };
    };

    let resource: { id: string; identifier: string } | null = null;
    if (took) {
      resource = candidates.find((c) => c.id === ledger.resourceId) ?? null;
    } else if (ledger.resourceId) {
      // An earlier attempt took the slot: its resource, whatever it is now.
      resource = candidates.find((c) => c.id === ledger.resourceId) ?? (await db.sendResource.findUnique({ where: { id: ledger.resourceId } }));
    }
    if (resource) useResource(resource.identifier);

    if (ledger.state === 'sending' && !took) {
      // A previous attempt may have reached the provider: ask it before sending again.
      if (!provider.findSent) {
        await markFailed(db, key, 'unknown_outcome: the provider cannot confirm an interrupted send');
        await recordActivity(a, 'skipped', { metadata: { reason: 'unknown_outcome_after_interrupted_send' } });
        return { status: 'skipped', reason: 'unknown_outcome_after_interrupted_send' };
      }
      const found = await provider.findSent(message, ledger.reservedAt);
      if (found) return finalize(found.providerMessageId, found.threadId, ledger.resourceId);
    }

    if (!resource && (ledger.state === 'sending' || ledger.resourceId)) {
      // A row that names no usable resource (its row is gone): take a fresh slot, as a first send would.
      resource = await db.$transaction(async (tx) => {
        for (const c of bySlotOrder((await loadTouchRows(tx, { clientId: a.clientId, leadId: a.leadId, channel: a.channel, now })).resources, day)) {
          if (await takeDailySlot(tx, { resourceId: c.id, clientId: a.clientId, day, limit: c.dailyLimit })) {
            await tx.sendLedger.update({ where: { idempotencyKey: key }, data: { resourceId: c.id, state: 'sending' } });
            return c;
          }
        }
        return null;
      });
      if (resource) useResource(resource.identifier);
    } else if (resource && !took) {
      await markSending(db, key, resource.id);
    }
    if (!resource) return { status: 'wait', reason: 'daily_cap', until: nextDayWindow(now, cal).toISOString() };

    let result;
    try {
      result = await provider.send(message);
    } catch (err) {
      if (err instanceof PermanentSendError) {
        await releaseDailySlot(db, { resourceId: resource.id, day });
        await markFailed(db, key, err.message);
        await recordActivity(a, 'failed', { metadata: { reason: 'provider_rejected', error: err.message.slice(0, 300) } });
        return { status: 'skipped', reason: `provider_rejected: ${err.message.slice(0, 200)}` };
      }
      throw err; // retryable: Temporal retries; the ledger stays `sending`, so the retry asks first
    }
    deps.faults?.afterProviderSend?.(key);
    return finalize(result.providerMessageId, result.threadId, resource.id);
  }


  return {
    /** When each touch is due: business days from the start in the lead's calendar. */
    async planSchedule(a: { leadId: string; clientId: string; startedAt: string; days: number[] }): Promise<string[]> {
      const { lead, client } = await loadLeadAndClient(deps, a.leadId, a.clientId);
      const cal = calendarFor(lead, client);
      return a.days.map((day) => addBusinessDays(new Date(a.startedAt), day, cal).toISOString());
    },

    async resumeAfterOutOfOffice(a: { leadId: string; clientId: string; returnDate: string }): Promise<string> {
      const { lead, client } = await loadLeadAndClient(deps, a.leadId, a.clientId);
      const cal = calendarFor(lead, client);
      // Midnight starting the return day, local; one business day on, at that day's opening.
      const dayAfter = addBusinessDays(instantAt(a.returnDate, 0, 0, cal.timeZone), 1, cal);
      return nextSendWindow(dayAfter, cal).at.toISOString();
    },


    /**
     * One attempt at a touch: validate (JIT, tier, window, cap, content) and, when `send` is set
     * (autopilot, or content a human approved), send it. Skips are recorded here, with their reason.
     * One activity per attempt keeps a sequence's history short.
     */
    async attemptTouch(a: {
      workflowId: string;
      clientId: string;
      campaignId: string;
      leadId: string;
      touch: SequenceTouchPlan;
      tier: string | null;
      now: string;
      send: boolean;
      approvedContent?: TouchContent;
    }): Promise<AttemptResult> {
      const loaded: Loaded = {};
      const ready = await prepareTouch(a, loaded, a.send);
      const ref = { workflowId: a.workflowId, clientId: a.clientId, campaignId: a.campaignId, leadId: a.leadId, touch: a.touch.number };
      if (ready.action === 'skip') {
        await recordOutcomeOnce({ ...ref, channel: a.touch.channel }, 'skipped', ready.reason);
        return ready;
      }
      if (ready.action !== 'ready' || !a.send) return ready;
      const result = await sendTouch({
        ...ref,
        channel: ready.channel,
        kind: ready.kind,
        content: a.approvedContent ?? ready.content,
        threadWith: ready.threadWith,
        evidence: ready.evidence,
        now: a.now,
      }, loaded);
      if (result.status === 'sent') return { action: 'sent', channel: ready.channel, providerMessageId: result.providerMessageId };
      if (result.status === 'wait') return { action: 'wait', reason: result.reason, until: result.until };
      return { action: 'skip', reason: result.reason, channel: ready.channel };
    },

    async recordSkipped(a: TouchRef & { reason: string }): Promise<void> {
      await recordOutcomeOnce(a, 'skipped', a.reason);
    },

    async recordDraft(a: TouchRef & { content: TouchContent }): Promise<void> {
      await recordOutcomeOnce(a, 'drafted', 'manual_mode', { subject: a.content.subject ?? null, text: a.content.text });
    },

    async requestApproval(a: TouchRef & { content: TouchContent; expiresAt: string }): Promise<{ id: string; expiresAt: string }> {
      const row = await db.approvalRequest.upsert({
        where: { workflowId_touchNumber: { workflowId: a.workflowId, touchNumber: a.touch } },
        create: {
          clientId: a.clientId,
          campaignId: a.campaignId,
          leadId: a.leadId,
          workflowId: a.workflowId,
          touchNumber: a.touch,
          channel: a.channel,
          draft: a.content as unknown as Prisma.InputJsonValue,
          expiresAt: new Date(a.expiresAt),
        },
        update: {},
      });
      return { id: row.id, expiresAt: row.expiresAt.toISOString() };
    },

    async expireApproval(a: { approvalId: string }): Promise<void> {
      await db.approvalRequest.updateMany({ where: { id: a.approvalId, status: 'pending' }, data: { status: 'expired', decidedAt: new Date() } });
    },

    async finishSequence(a: { clientId: string; campaignId: string; leadId: string; outcome: string; reason: string | null }): Promise<void> {
      await db.campaignEnrollment.updateMany({
        where: { campaignId: a.campaignId, leadId: a.leadId, status: { in: ['pending', 'active', 'paused'] } },
        data: { status: a.outcome === 'completed' ? 'completed' : 'stopped', stopReason: a.reason, endedAt: new Date() },
      });
      try {
        await deps.temporal.workflow
          .getHandle(workflowIds.campaign(a.campaignId))
          .signal(sequenceEndedSignal, { version: 1, leadId: a.leadId, outcome: a.reason ?? 'completed' });
      } catch (err) {
        // The campaign has already ended (cancelled or completed): its counts are final.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}

/** The opening of the lead's next business day (caps count per local day). */
function nextDayWindow(now: Date, cal: ReturnType<typeof calendarFor>): Date {
  const tomorrow = addBusinessDays(now, 1, cal);
  return nextSendWindow(instantAt(localDate(tomorrow, cal.timeZone), 0, 0, cal.timeZone), cal).at;
}

export type SequenceActivities = ReturnType<typeof createSequenceActivities>;

// One attempt at a sequence touch: validate it (tier, JIT checks, send window, cap), render its
// content and, when asked to, send it through the send state machine (send.ts). Skips are recorded
// here with their reason, once per touch (the ledger row is the guard). The activity adapts this.
import type { Channel, Client, Db, Lead } from '../../db/client';
import { type Prisma } from '../../db/client';
import type { ChannelName, ChannelProvider, OutboundMessage } from '../../integrations/channels';
import type { DncrDriver } from '../../integrations/dncr/dncr';
import type { AiDeps } from '../ai/structured';
import { isChannelAllowed, pickResource } from '../allocator';
import { addBusinessDays, instantAt, localDate, nextSendWindow, SendWindowSchema } from '../calendar/business-time';
import { complianceFooter, listUnsubscribeHeaders, withSmsOptOut } from '../compliance/email-compliance';
import { signUnsubscribeToken } from '../compliance/unsubscribe-token';
import { hasPersonalizedCopy, personalizeTouch } from '../content/ai-personalise';
import { DEFAULT_TEMPLATES, renderTouch, UnfilledMergeFieldError, type TouchTemplate } from '../content/templates';
import {
  CHANNEL_NOT_IN_PLAN,
  loadTouchRows,
  NO_CREDITS_RECHECK_MS,
  validateTouch,
  type ComplianceEvidence,
  type TouchClient,
  type TouchLead,
  type TouchResource,
  type TouchThread,
} from '../jit-validation';
import { priceOf } from '../plans';
import { markSkipped, reserveSend, sendKey, type LedgerKey } from '../send-ledger';
import { executeSend, type SendFaults, type SlotCandidate } from './send';
import { sends } from '../../observability/metrics';
import { LETTER_PDF_METADATA } from '../../integrations/clicksend/mail-provider';
import { letterParty, prepareLetter, signedLetterUrl } from '../letters';
import { addressBlockLines, leadPostalAddress, type PostalAddress } from '../postal-address';
import { pinnedTouchCopy } from '../sequence-versions';

export interface OutboundDeps {
  db: Db;
  dncr: DncrDriver;
  channels: Record<ChannelName, ChannelProvider>;
  /** HMAC secret for unsubscribe tokens. */
  signingSecret: string;
  /** Base URL of this service as recipients reach it (unsubscribe links). */
  publicUrl: string;
  /** Claude for personalisation; read only when a campaign asks for it. */
  ai: () => AiDeps | null;
  faults?: SendFaults;
}

/** One touch of a sequence plan (the workflow's SequenceTouchPlan). */
export interface TouchPlan {
  number: number;
  day: number;
  channel: ChannelName;
  kind: string;
  threadWith?: number;
  fallback?: { channel: ChannelName; kind: string; threadWith?: number };
}

export interface TouchContent {
  subject?: string;
  text: string;
}

export type PrepareResult =
  | { action: 'ready'; channel: ChannelName; kind: string; threadWith?: number; content: TouchContent; evidence: ComplianceEvidence }
  | { action: 'wait'; reason: string; until: string }
  | { action: 'skip'; reason: string }
  | { action: 'stop'; reason: string }
  /** The campaign personalises with Claude and this touch's copy is not ready: run personalizeAttempt first. */
  | { action: 'personalise' };

export type AttemptResult =
  | Exclude<PrepareResult, { action: 'skip' }>
  | { action: 'skip'; reason: string; channel?: ChannelName }
  | { action: 'sent'; channel: ChannelName; providerMessageId: string };

export interface TouchRef {
  workflowId: string;
  clientId: string;
  campaignId: string;
  leadId: string;
  touch: number;
  channel: ChannelName;
}

export interface AttemptInput {
  workflowId: string;
  clientId: string;
  campaignId: string;
  leadId: string;
  touch: TouchPlan;
  tier: string | null;
  now: string;
  /** Send when ready (autopilot, or content a human approved); otherwise only validate and render. */
  send: boolean;
  approvedContent?: TouchContent;
  /**
   * The sequence version the lead is on: the touch is written from that version's copy. Unset in
   * attempts scheduled before versions existed, when every campaign was on version 1.
   */
  sequenceVersion?: number;
  /**
   * Where the Claude call of an AI-personalised campaign happens. `ask`: not in this attempt; a touch
   * whose copy is not cached yet answers `personalise`, and the workflow runs personalizeAttempt as
   * its own activity (its own timeout, so a slow model never times out a send). `cached`: that
   * activity has run; use its copy, or the rendered template when Claude gave none. Unset (histories
   * from before the 'ai-personalise-activity' patch): Claude is called inside the attempt.
   */
  ai?: 'ask' | 'cached';
}

/** Rows one attempt has already read (prepareTouch's reads, so its send reads nothing again). */
interface Loaded {
  lead?: TouchLead;
  client?: TouchClient;
  resources?: TouchResource[];
  thread?: TouchThread | null;
}

export type Calendar = ReturnType<typeof calendarFor>;

export function calendarFor(lead: Pick<Lead, 'timeZone' | 'country' | 'state'>, client: Pick<Client, 'timeZone' | 'country' | 'state' | 'sendWindow'>) {
  const window = client.sendWindow ? SendWindowSchema.safeParse(client.sendWindow) : undefined;
  return {
    timeZone: lead.timeZone ?? client.timeZone,
    country: lead.country ?? client.country,
    region: lead.country ? (lead.state ?? undefined) : (client.state ?? undefined),
    ...(window?.success ? { window: window.data } : {}),
  };
}

/** The opening of the lead's next business day (caps count per local day). */
export function nextDayWindow(now: Date, cal: Calendar): Date {
  const tomorrow = addBusinessDays(now, 1, cal);
  return nextSendWindow(instantAt(localDate(tomorrow, cal.timeZone), 0, 0, cal.timeZone), cal).at;
}

/** Resources in the order a send tries them: most room left today first (ties: identifier, descending). */
function bySlotOrder(resources: TouchResource[], day: string): SlotCandidate[] {
  return resources
    .map((c) => ({ ...c, usedToday: c.counts[day] ?? 0 }))
    .sort((x, y) => x.dailyLimit - x.usedToday - (y.dailyLimit - y.usedToday) || x.identifier.localeCompare(y.identifier))
    .reverse();
}

function ledgerKey(ref: TouchRef): LedgerKey {
  return {
    idempotencyKey: sendKey(ref.workflowId, ref.touch),
    clientId: ref.clientId,
    campaignId: ref.campaignId,
    leadId: ref.leadId,
    channel: ref.channel,
    touchNumber: ref.touch,
  };
}

/** Records a non-send outcome (skipped, drafted) once per touch: the ledger row is the guard. */
export async function recordOutcomeOnce(
  db: Db,
  ref: TouchRef,
  action: 'skipped' | 'drafted',
  reason: string,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const key = ledgerKey(ref);
  const row = await reserveSend(db, key);
  // Final already (skipped before, or sent by an earlier run of a restarted sequence): keep it.
  if (row.state !== 'reserved') return;
  await db.$transaction(async (tx) => {
    await markSkipped(tx, key.idempotencyKey, reason);
    await tx.activity.create({
      data: {
        clientId: ref.clientId,
        campaignId: ref.campaignId,
        leadId: ref.leadId,
        channel: ref.channel,
        action,
        touchNumber: ref.touch,
        metadata: { reason, ...metadata } as Prisma.InputJsonValue,
      },
    });
  });
  sends.inc({ channel: ref.channel, outcome: action });
}

/**
 * The copy a touch is written from: the lead's pinned sequence version's snapshot, so a later edit
 * never changes a planned touch. A campaign without version rows (written around createCampaign)
 * reads its template and the defaults live, as before versions.
 */
async function touchTemplate(db: Db, a: Pick<AttemptInput, 'campaignId' | 'touch' | 'sequenceVersion'>, templateId: string | null, kind: string) {
  const pinned = await pinnedTouchCopy(db, { campaignId: a.campaignId, version: a.sequenceVersion ?? 1, touch: a.touch.number, kind });
  const copy = pinned === null ? await generatedTemplate(db, templateId, kind) : pinned;
  return copy ?? DEFAULT_TEMPLATES[kind] ?? DEFAULT_TEMPLATES.email_intro;
}

/** The campaign's generated copy for this touch kind, when it was launched from a template. */
async function generatedTemplate(db: Db, templateId: string | null, kind: string): Promise<TouchTemplate | undefined> {
  if (!templateId) return undefined;
  const row = await db.campaignTemplate.findUnique({ where: { id: templateId }, select: { messaging: true } });
  const templates = (row?.messaging as { templates?: Record<string, TouchTemplate> } | null)?.templates;
  const t = templates?.[kind];
  return t && typeof t.body === 'string' ? t : undefined;
}

async function buildMessage(
  deps: OutboundDeps,
  ref: TouchRef & { kind: string; content: TouchContent; threadWith?: number },
  lead: TouchLead,
  client: TouchClient,
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
        const first =
          thread !== undefined
            ? thread
            : (
                await loadTouchRows(deps.db, {
                  clientId: ref.clientId,
                  leadId: ref.leadId,
                  now: new Date(),
                  threadKey: sendKey(ref.workflowId, ref.threadWith),
                })
              ).thread;
        if (first?.state === 'sent' && first.threadId) {
          headers['In-Reply-To'] = first.threadId;
          headers['References'] = first.threadId;
          const firstSubject = first.subject;
          if (!subject && firstSubject) subject = firstSubject.startsWith('Re: ') ? firstSubject : `Re: ${firstSubject}`;
        }
      }
      const footer = complianceFooter({ senderName, agencyName: client.name, postalAddress: client.postalAddress ?? 'Postal address on file' }, unsubscribeUrl);
      return {
        ...base,
        to: { name, email: lead.email ?? undefined },
        from: { name: senderName, email: client.senderEmail ?? 'outreach@agency-os.local' },
        subject: subject ?? `A note from ${client.name}`,
        text: `${ref.content.text}\n${footer}`,
        headers,
      };
    }
    case 'sms':
      return { ...base, to: { name, phone: lead.phone ?? undefined }, from: { name: senderName }, text: withSmsOptOut(ref.content.text) };
    case 'voice':
      return { ...base, to: { name, phone: lead.phone ?? undefined }, from: { name: senderName }, text: ref.content.text };
    case 'linkedin':
      return { ...base, to: { name, linkedinUrl: lead.linkedinUrl ?? undefined }, from: { name: senderName }, text: ref.content.text };
    case 'mail': {
      const address = leadPostalAddress(lead);
      if (!address) {
        // Rows from before structured addresses: the free-text one enrichment once held, no PDF.
        const postalAddress = (lead.enrichment as { postalAddress?: string } | null)?.postalAddress;
        return { ...base, to: { name, postalAddress }, from: { name: senderName }, text: ref.content.text };
      }
      const letter = await mailLetter(deps, ref, lead, client, address);
      const recipient = letterParty(letter.recipient);
      return {
        ...base,
        to: { name: recipient.name, postalAddress: recipient.lines.join('\n'), ...(recipient.address ? { postal: recipient.address } : {}) },
        from: { name: senderName },
        text: letter.body,
        metadata: {
          ...base.metadata,
          [LETTER_PDF_METADATA]: signedLetterUrl(deps.publicUrl, letter.id, deps.signingSecret, new Date()),
          letter_id: letter.id,
        },
      };
    }
  }
}

/**
 * The touch's letter row (written once; a retried attempt prints what the first one stored): the
 * client's sender block, the lead's address block, the copy and an opt-out line with the signed
 * unsubscribe link (it stops every channel of the lead).
 */
async function mailLetter(deps: OutboundDeps, ref: TouchRef & { content: TouchContent }, lead: TouchLead, client: TouchClient, address: PostalAddress) {
  const senderName = client.senderName ?? client.name;
  const token = signUnsubscribeToken(
    { clientId: ref.clientId, leadId: ref.leadId, campaignId: ref.campaignId, channel: 'email', issuedAt: Math.floor(Date.now() / 1000) },
    deps.signingSecret,
  );
  const unsubscribeUrl = `${deps.publicUrl.replace(/\/$/, '')}/u/${token}`;
  const senderLines = (client.postalAddress ?? 'Postal address on file')
    .split(/\r?\n|,\s*/)
    .map((l) => l.trim())
    .filter(Boolean);
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  return prepareLetter(deps.db, {
    idempotencyKey: sendKey(ref.workflowId, ref.touch),
    clientId: ref.clientId,
    campaignId: ref.campaignId,
    leadId: ref.leadId,
    touchNumber: ref.touch,
    sender: { name: senderName === client.name ? client.name : `${senderName}, ${client.name}`, lines: senderLines },
    recipient: {
      name: name || 'The Manager',
      lines: [...(lead.companyName ? [lead.companyName] : []), ...addressBlockLines(address, client.country)],
      address,
    },
    body: ref.content.text,
    optOut: `Sent by ${client.name}, ${senderLines.join(', ')}. To receive no more letters or messages from us, visit ${unsubscribeUrl}`,
  });
}

/** The sender fields that follow from the resource a send uses. */
function useResource(client: TouchClient) {
  return (message: OutboundMessage, identifier: string) => {
    message.from.resource = identifier;
    if (message.channel === 'sms' || message.channel === 'voice') message.from.phone = identifier;
    if (message.channel === 'email' && !client.senderEmail) message.from.email = `outreach@${identifier}`;
  };
}

/**
 * Validates a touch and renders its content. `loaded` receives the rows it read, so a send in the
 * same attempt does not read them again; with `sending` the capacity check is left to the send's
 * own slot reservation.
 */
export async function prepareTouch(
  deps: OutboundDeps,
  a: Omit<AttemptInput, 'send' | 'approvedContent'>,
  loaded: Loaded = {},
  sending = false,
): Promise<PrepareResult> {
  const { db } = deps;
  const now = new Date(a.now);
  // The lead's tier as scored now, not as it was at enrolment: a re-score (a correction, a
  // re-enrichment, an ICP edit) applies to the remaining touches. Falls back to the enrolment's.
  const current = (await db.lead.findUnique({ where: { id: a.leadId }, select: { alsTier: true } }))?.alsTier ?? a.tier;
  const tier = (current ?? 'cold') as Parameters<typeof isChannelAllowed>[0];
  let channel = a.touch.channel;
  let kind = a.touch.kind;
  let threadWith = a.touch.threadWith;
  const fallback = a.touch.fallback && isChannelAllowed(tier, a.touch.fallback.channel) ? a.touch.fallback : undefined;
  if (!isChannelAllowed(tier, channel)) {
    if (fallback) {
      channel = fallback.channel;
      kind = fallback.kind;
      threadWith = fallback.threadWith;
    } else {
      return { action: 'skip', reason: `channel_not_allowed_for_tier:${current ?? 'unscored'}` };
    }
  }
  const validate = () => {
    const threadKey = channel === 'email' && threadWith !== undefined ? sendKey(a.workflowId, threadWith) : undefined;
    return validateTouch(db, deps.dncr, { clientId: a.clientId, campaignId: a.campaignId, leadId: a.leadId, channel: channel as Channel, now, threadKey });
  };
  let jit = await validate();
  // A channel the client's plan does not include: the touch's fallback, when its tier allows one.
  if (jit.action === 'skip' && jit.reason.startsWith(`${CHANNEL_NOT_IN_PLAN}:`) && fallback && channel !== fallback.channel) {
    channel = fallback.channel;
    kind = fallback.kind;
    threadWith = fallback.threadWith;
    jit = await validate();
  }
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
    const pick = pickResource(
      resources.map((r) => ({ ...r, usedToday: r.counts[day] ?? 0 })),
      channel,
    );
    if (!pick) return { action: 'wait', reason: 'daily_cap', until: nextDayWindow(now, cal).toISOString() };
  }

  const template = await touchTemplate(db, a, jit.campaign.templateId, kind);
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
      const ai = a.ai === undefined ? deps.ai() : null;
      if (a.ai === 'ask' && deps.ai() && !(await hasPersonalizedCopy(db, { campaignId: a.campaignId, leadId: a.leadId, touch: a.touch.number }, now))) {
        return { action: 'personalise' };
      }
      const p = await personalizeTouch(
        { db, ai },
        {
          clientId: a.clientId,
          campaignId: a.campaignId,
          leadId: a.leadId,
          touch: a.touch.number,
          channel,
          kind,
          rendered,
          agencyName: client.name,
          workflowId: a.workflowId,
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

/**
 * The AI step of a touch, as its own activity: validates as an attempt would and, when the touch is
 * ready, has Claude personalise its copy, which is cached for the attempt that sends it. Whatever
 * else the checks say (wait, stop, skip) is left to that attempt.
 */
export async function personalizeAttempt(deps: OutboundDeps, a: Omit<AttemptInput, 'send' | 'approvedContent' | 'ai'>): Promise<{ personalised: boolean }> {
  const r = await prepareTouch(deps, a, {}, false);
  return { personalised: r.action === 'ready' };
}

/** One attempt at a touch: validate, and send when `a.send` (see the top of the file). */
export async function attemptTouch(deps: OutboundDeps, a: AttemptInput): Promise<AttemptResult> {
  const { db } = deps;
  // What the ledger records as final for this touch stands (a sequence restarted after its run
  // failed replays its touches: the ones sent are reported, never sent or put up for approval again).
  const recorded = await db.sendLedger.findUnique({
    where: { idempotencyKey: sendKey(a.workflowId, a.touch.number) },
    select: { state: true, channel: true, providerMessageId: true, error: true },
  });
  if (recorded?.state === 'sent') return { action: 'sent', channel: recorded.channel as ChannelName, providerMessageId: recorded.providerMessageId ?? '' };
  if (recorded?.state === 'failed' || recorded?.state === 'skipped')
    return { action: 'skip', reason: recorded.error ?? recorded.state, channel: recorded.channel as ChannelName };
  const loaded: Loaded = {};
  const ready = await prepareTouch(deps, a, loaded, a.send);
  const ref = { workflowId: a.workflowId, clientId: a.clientId, campaignId: a.campaignId, leadId: a.leadId, touch: a.touch.number };
  if (ready.action === 'skip') {
    await recordOutcomeOnce(db, { ...ref, channel: a.touch.channel }, 'skipped', ready.reason);
    return ready;
  }
  if (ready.action !== 'ready' || !a.send) return ready;

  const touchRef: TouchRef & { kind: string; content: TouchContent; threadWith?: number } = {
    ...ref,
    channel: ready.channel,
    kind: ready.kind,
    content: a.approvedContent ?? ready.content,
    threadWith: ready.threadWith,
  };
  const lead = loaded.lead!;
  const client = loaded.client!;
  const now = new Date(a.now);
  const cal = calendarFor(lead, client);
  const day = localDate(now, cal.timeZone);
  // Built before anything is reserved, so a failure here never leaves a slot taken or a row `sending`.
  const message = await buildMessage(deps, touchRef, lead, client, loaded.thread);
  const reload = async () => bySlotOrder((await loadTouchRows(db, { clientId: a.clientId, leadId: a.leadId, channel: ready.channel, now })).resources, day);
  const result = await executeSend(
    db,
    {
      key: ledgerKey(touchRef),
      day,
      candidates: bySlotOrder(loaded.resources ?? [], day),
      reloadCandidates: reload,
      message,
      useResource: useResource(client),
      provider: deps.channels[ready.channel],
      price: priceOf(client.tier, ready.channel),
      // The sent text is kept with its activity so a reply's thread in the inbox reads whole without
      // the sandbox outbox (first 10,000 characters: a touch is far shorter).
      metadata: {
        kind: ready.kind,
        subject: message.subject ?? null,
        body: message.text.slice(0, 10_000),
        evidence: ready.evidence,
        // A letter's timeline entry names the letter (its PDF is rendered from that row).
        ...(message.metadata.letter_id ? { letterId: message.metadata.letter_id } : {}),
      },
    },
    deps.faults,
  );
  if (result.status === 'sent') return { action: 'sent', channel: ready.channel, providerMessageId: result.providerMessageId };
  if (result.status === 'wait_for_room') return { action: 'wait', reason: 'daily_cap', until: nextDayWindow(now, cal).toISOString() };
  // The balance ran out between the checks and the send (another touch took the last credits).
  if (result.status === 'no_credits') return { action: 'wait', reason: 'no_credits', until: new Date(now.getTime() + NO_CREDITS_RECHECK_MS).toISOString() };
  return { action: 'skip', reason: result.reason, channel: ready.channel };
}

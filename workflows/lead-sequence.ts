// leadSequenceWorkflow: the outreach sequence of one lead in one campaign (`sequence:<c>:<l>`).
// Each touch: wait for its day → JIT validation, tier filter, business-hours window and cap (each
// wait has a reason on the timeline) → approval in co-pilot mode → effectively-once send. A stop
// signal (reply, bounce, unsubscribe, complaint, cancel) ends it at once; out-of-office pauses it.
// The lead stays on the sequence version it started with; the migrateSequence update moves it to a
// newer one from its first touch not yet attempted.
import { condition, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SequenceActivities } from '../activities/sequence';
import {
  approvalSignal,
  campaignResumedSignal,
  creditsAddedSignal,
  migrateSequenceUpdate,
  outOfOfficeSignal,
  stopSignal,
  timelineQuery,
  type ApprovalDecision,
  type LeadSequenceInput,
  type LeadSequenceWorkflow,
  type MigrateSequenceInput,
  type SequenceState,
  type SequenceTouchPlan,
  type StopReason,
  type TimelineEntry,
} from './definitions/sequence';
import { LOCAL_ACTIVITY, LONG_ACTIVITY, SHORT_ACTIVITY } from './definitions/retry';
import { inTrace, traceContext } from './trace-context';
import { AlsTierKey, CampaignIdKey, ClientIdKey, LeadIdKey } from './search-attributes';

export const APPROVAL_TIMEOUT_MS = 72 * 60 * 60 * 1000;

// Closing bookkeeping runs as a local activity: inside the workflow task that handles a stop, so a
// reply closes the sequence without another round trip through the task queue.
const { finishSequence } = proxyLocalActivities<SequenceActivities>(LOCAL_ACTIVITY);

// A touch's checks and send; retried until the cause is gone.
const acts = proxyActivities<SequenceActivities>(SHORT_ACTIVITY);
// Claude personalising a touch (up to three calls of 90 s each): its own activity and timeout, so a
// slow model never times out, and retries, a send.
const ai = proxyActivities<Pick<SequenceActivities, 'personaliseTouchCopy'>>(LONG_ACTIVITY);

/** Shipped with patched(): runs before it called Claude inside attemptTouch and replay that way. */
export const AI_PERSONALISE_ACTIVITY_PATCH = 'ai-personalise-activity';
/** Marks the commands of a sequence-version migration (the new plan's schedule), where one happened. */
export const SEQUENCE_MIGRATION_PATCH = 'sequence-version-migration';

type AttemptArgs = Parameters<SequenceActivities['attemptTouch']>[0];
type Attempted = Exclude<Awaited<ReturnType<SequenceActivities['attemptTouch']>>, { action: 'personalise' }>;

/** One attempt at a touch; a touch whose AI copy is not ready has it made first, by its own activity. */
async function attempt(args: AttemptArgs): Promise<Attempted> {
  let mode: AttemptArgs['ai'] = patched(AI_PERSONALISE_ACTIVITY_PATCH) ? 'ask' : undefined;
  for (;;) {
    const r = await acts.attemptTouch({ ...args, ...(mode ? { ai: mode } : {}) });
    if (r.action !== 'personalise') return r;
    const { send: _send, approvedContent: _approved, ...touch } = args;
    await ai.personaliseTouchCopy(touch);
    // Now the copy is cached (or Claude gave none and the template is used): never 'personalise'
    // again. The send checks the window again at the time it runs (workflow time is deterministic).
    mode = 'cached';
    args = { ...args, now: new Date().toISOString() };
  }
}

export async function leadSequenceWorkflow(input: LeadSequenceInput): Promise<SequenceState> {
  const { workflowId } = workflowInfo();
  const startedAt = workflowInfo().startTime;
  upsertSearchAttributes([
    { key: ClientIdKey, value: input.clientId },
    { key: CampaignIdKey, value: input.campaignId },
    { key: LeadIdKey, value: input.leadId },
    ...(input.tier ? [{ key: AlsTierKey, value: input.tier }] : []),
  ]);

  const state: SequenceState = { status: 'running', currentTouch: 0, timeline: [], sequenceVersion: input.sequenceVersion };
  const seenEvents = new Set<string>();
  let stop: StopReason | undefined;
  /** The stop signal's trace: the closing activity runs in it (trace-context.ts). */
  let stopTrace: ReturnType<typeof traceContext> | undefined;
  let oooReturnDate: string | undefined;
  let resumed = 0;
  const approvals = new Map<string, ApprovalDecision>();

  setHandler(timelineQuery, () => state);
  setHandler(stopSignal, (s) => {
    if (seenEvents.has(s.eventId) || stop) return;
    seenEvents.add(s.eventId);
    stop = s.reason;
    stopTrace = traceContext();
  });
  setHandler(outOfOfficeSignal, (s) => {
    if (seenEvents.has(s.eventId)) return;
    seenEvents.add(s.eventId);
    oooReturnDate = s.returnDate;
  });
  setHandler(approvalSignal, (d) => {
    approvals.set(d.approvalId, d);
  });
  setHandler(campaignResumedSignal, () => {
    resumed++;
  });
  // No command of its own: a run that never receives it replays exactly as before.
  let credited = 0;
  setHandler(creditsAddedSignal, () => {
    credited++;
  });
  // The plan being followed (a migration replaces its untouched part), the highest touch number
  // attempted so far, and a migration waiting for the next touch boundary.
  let plan = input.touches;
  let attempted = 0;
  let migration: MigrateSequenceInput | undefined;
  let ended = false;
  const targetVersion = () => migration?.sequenceVersion ?? state.sequenceVersion ?? input.sequenceVersion;
  setHandler(
    migrateSequenceUpdate,
    (m) => {
      const from = state.sequenceVersion ?? input.sequenceVersion;
      if (m.sequenceVersion > targetVersion()) migration = m;
      return { from, to: m.sequenceVersion };
    },
    {
      validator: (m) => {
        if (stop !== undefined || ended) throw new Error('the sequence has ended');
        if (m.sequenceVersion < targetVersion()) throw new Error(`the sequence is on version ${targetVersion()}, newer than ${m.sequenceVersion}`);
      },
    },
  );

  const now = () => new Date(Date.now());
  const entryFor = (t: SequenceTouchPlan): TimelineEntry => {
    let e = state.timeline.find((x) => x.touch === t.number);
    if (!e) {
      e = { touch: t.number, channel: t.channel, kind: t.kind, status: 'planned', reason: null, at: now().toISOString() };
      state.timeline.push(e);
    }
    return e;
  };
  const mark = (t: SequenceTouchPlan, patch: Partial<TimelineEntry>) => {
    Object.assign(entryFor(t), { until: undefined }, patch, { at: now().toISOString() });
  };

  /** Sleeps until `until` unless a stop (or `alsoWake`) comes first. True if it was stopped. */
  const waitUntil = async (until: Date, alsoWake?: () => boolean): Promise<boolean> => {
    const ms = until.getTime() - Date.now();
    if (ms > 0) await condition(() => stop !== undefined || oooReturnDate !== undefined || (alsoWake?.() ?? false), ms);
    return stop !== undefined;
  };

  /** Out-of-office: pause until one business day after the return date. */
  const honourOutOfOffice = async (t: SequenceTouchPlan): Promise<void> => {
    while (oooReturnDate !== undefined && stop === undefined) {
      const returnDate = oooReturnDate;
      oooReturnDate = undefined;
      const oooUntil = new Date(await acts.resumeAfterOutOfOffice({ leadId: input.leadId, clientId: input.clientId, returnDate }));
      state.status = 'paused_ooo';
      mark(t, { status: 'waiting', reason: 'out_of_office', until: oooUntil.toISOString() });
      await waitUntil(oooUntil);
      if (oooReturnDate === undefined) state.status = 'running';
    }
  };

  // When each touch is due (business days in the lead's calendar), computed once per plan.
  const schedule = (touches: SequenceTouchPlan[]) =>
    acts.planSchedule({
      leadId: input.leadId,
      clientId: input.clientId,
      startedAt: input.startedAt ?? startedAt.toISOString(),
      days: touches.map((t) => t.day),
    });
  let dueTimes = await schedule(plan);
  const base = { workflowId, clientId: input.clientId, campaignId: input.campaignId, leadId: input.leadId };

  /** At a touch boundary: the migration's plan from the first touch not yet attempted. True if it moved. */
  const applyMigration = async (): Promise<boolean> => {
    if (!migration) return false;
    const m = migration;
    migration = undefined;
    // Only runs of this code receive the update, so this is always true; were it not, the
    // migration is dropped rather than retried forever.
    if (!patched(SEQUENCE_MIGRATION_PATCH)) return false;
    plan = m.touches.filter((t) => t.number > attempted);
    state.sequenceVersion = m.sequenceVersion;
    // The old plan's untouched entries go; the new plan's appear as it reaches them.
    state.timeline = state.timeline.filter((e) => e.touch <= attempted);
    dueTimes = await schedule(plan);
    return true;
  };

  let i = 0;
  while ((i < plan.length || migration !== undefined) && !stop) {
    if (await applyMigration()) {
      i = 0;
      continue;
    }
    if (i >= plan.length) break;
    const touch = plan[i];
    state.currentTouch = touch.number;
    // 1. Wait for the touch's day (a migration wakes it: this touch is not attempted yet).
    const due = new Date(dueTimes[i]);
    if (due.getTime() > Date.now()) {
      mark(touch, { status: 'waiting', reason: 'schedule', until: due.toISOString() });
      do {
        if (await waitUntil(due, () => migration !== undefined)) break;
        if (migration) break;
        await honourOutOfOffice(touch);
      } while (!stop && due.getTime() > Date.now());
      if (migration && !stop) continue;
    }
    attempted = touch.number;

    // 2. Attempt it: validate, find the window and a resource, send (or wait and try again).
    let approvedContent: { subject?: string; text: string } | undefined;
    for (;;) {
      if (stop) break;
      await honourOutOfOffice(touch);
      if (stop) break;
      const send = input.permissionMode === 'autopilot' || approvedContent !== undefined;
      const r = await attempt({ ...base, touch, tier: input.tier, sequenceVersion: state.sequenceVersion, now: now().toISOString(), send, approvedContent });
      if (r.action === 'stop') {
        // A stop signal handled while the check ran carries the real reason (wrong_person, say);
        // the check only sees the lead status it left behind (not_interested).
        stop = stop ?? (r.reason as StopReason);
        break;
      }
      if (r.action === 'skip') {
        mark(touch, { status: 'skipped', reason: r.reason, ...(r.channel ? { channel: r.channel } : {}) });
        break;
      }
      if (r.action === 'sent') {
        mark(touch, { status: 'sent', reason: null, channel: r.channel, providerMessageId: r.providerMessageId });
        break;
      }
      if (r.action === 'wait') {
        const until = new Date(r.until);
        mark(touch, { status: 'waiting', reason: r.reason, until: until.toISOString() });
        const resumedBefore = resumed;
        const creditedBefore = credited;
        const wake =
          r.reason === 'campaign_paused' ? () => resumed !== resumedBefore : r.reason === 'no_credits' ? () => credited !== creditedBefore : undefined;
        if (await waitUntil(until, wake)) break;
        continue;
      }

      // Ready, and a human decides: manual mode only drafts; co-pilot asks for approval.
      const ref = { ...base, touch: touch.number, channel: r.channel };
      if (input.permissionMode === 'manual') {
        await acts.recordDraft({ ...ref, content: r.content });
        mark(touch, { status: 'drafted', reason: 'manual_mode', channel: r.channel });
        break;
      }
      const approval = await acts.requestApproval({ ...ref, content: r.content, expiresAt: new Date(Date.now() + APPROVAL_TIMEOUT_MS).toISOString() });
      mark(touch, { status: 'awaiting_approval', reason: 'approval', until: approval.expiresAt, channel: r.channel });
      const decided = await condition(() => stop !== undefined || approvals.has(approval.id), APPROVAL_TIMEOUT_MS);
      if (stop) break;
      const decision = approvals.get(approval.id);
      if (!decided || !decision || decision.decision === 'rejected') {
        const reason = decision?.decision === 'rejected' ? 'approval_rejected' : 'approval_timeout';
        if (reason === 'approval_timeout') await acts.expireApproval({ approvalId: approval.id });
        await acts.recordSkipped({ ...ref, reason });
        mark(touch, { status: 'skipped', reason });
        break;
      }
      // Approval can take days: the next attempt validates again (window, caps, stops) first.
      approvedContent = decision.decision === 'edited' ? decision.content : r.content;
    }
    i++;
  }
  ended = true;

  if (stop) {
    state.status = 'stopped';
    state.stopReason = stop;
    for (const e of state.timeline)
      if (e.status === 'waiting' || e.status === 'planned' || e.status === 'awaiting_approval')
        Object.assign(e, { status: 'cancelled', reason: stop, until: undefined });
    for (const t of plan)
      if (!state.timeline.some((e) => e.touch === t.number))
        state.timeline.push({ touch: t.number, channel: t.channel, kind: t.kind, status: 'cancelled', reason: stop, at: now().toISOString() });
  } else {
    state.status = 'completed';
  }
  // One local activity closes the enrolment and tells the campaign (stopped: in the stop's trace).
  await inTrace(stopTrace, () =>
    finishSequence({ clientId: input.clientId, campaignId: input.campaignId, leadId: input.leadId, outcome: state.status, reason: stop ?? null }),
  );
  return state;
}

// Others start it by this signature (definitions/sequence.ts): a change here must change that too.
const _signature: LeadSequenceWorkflow = leadSequenceWorkflow;

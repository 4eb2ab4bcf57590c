// campaignWorkflow (`campaign:<id>`): the lifecycle draft → active ⇄ paused → completed | cancelled,
// driven by the `transition` update (validated: an impossible transition is refused, a repeated
// one is a no-op). Enrols leads in pages through an activity, counts touches and endings from its
// sequences' signals (one per lead), completes when every sequence has ended, continues-as-new
// when told to.
// Transitions run one at a time, in the order they were accepted: each is validated against the
// state the transitions accepted before it lead to, so pause+resume sent together end active and
// a cancel during a pause ends cancelled. Shipped behind patched('serialised-transitions'): runs
// recorded before it (test/fixtures/histories/campaign-transitions-pre-patch.json) replay the
// unserialised handler.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign';
import {
  campaignStateQuery,
  leadsAddedSignal,
  sequenceEndedSignal,
  transitionUpdate,
  TRANSITIONS,
  type CampaignAction,
  type CampaignState,
  type CampaignStatus,
  type CampaignTransition,
} from './definitions/campaign';
import { LONG_ACTIVITY } from './definitions/retry';
import { CampaignIdKey, ClientIdKey } from './search-attributes';
import { createLock } from './lock';

export interface CampaignWorkflowInput {
  version: 1;
  clientId: string;
  campaignId: string;
  /** Set when the outreach sweep restarts a lost campaign workflow. */
  initialStatus?: 'active' | 'paused';
  /** Carried across continue-as-new. */
  carried?: { state: CampaignState; enrolRequested: boolean; endedLeads?: string[]; broadcast?: 'resume' | 'cancel' };
}

/** patched() id of the serialised transition handler (see the header). */
export const SERIALIZED_TRANSITIONS_PATCH = 'serialised-transitions';

/** patched() id of sending a broadcast that a transition asked for while another one was in flight. */
export const REBROADCAST_PATCH = 'rebroadcast-after-broadcast';

// Enrolment pages and broadcasts are long (they heartbeat per lead); all retry until fixed.
const acts = proxyActivities<CampaignActivities>(LONG_ACTIVITY);

const TERMINAL: CampaignStatus[] = ['completed', 'cancelled'];

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignState> {
  upsertSearchAttributes([
    { key: ClientIdKey, value: input.clientId },
    { key: CampaignIdKey, value: input.campaignId },
  ]);
  // Handlers are registered before the first await: an update or signal may be in the very first
  // workflow task, and it must find them.
  const state: CampaignState = input.carried?.state ?? {
    status: input.initialStatus ?? 'draft',
    enrolled: 0,
    pendingEnrollment: 0,
    ended: 0,
    leadsByStatus: {},
    touchesSent: {},
  };
  let enrolRequested = input.carried?.enrolRequested ?? false;
  let endedSinceCheck = false;
  let broadcast: 'resume' | 'cancel' | undefined = input.carried?.broadcast;
  // Leads whose sequenceEnded was counted: a retried signal is not counted again.
  const endedLeads = new Set(input.carried?.endedLeads ?? []);
  // The status every accepted transition leads to, ahead of `state.status` while they queue.
  let projected: CampaignStatus = state.status;
  const exclusive = createLock();

  const apply = async (action: CampaignAction): Promise<void> => {
    const t = TRANSITIONS[action];
    await acts.setCampaignStatus({ campaignId: input.campaignId, status: t.to });
    state.status = t.to;
    if (action === 'start' || action === 'resume') enrolRequested = true;
    if (action === 'resume') broadcast = 'resume';
    if (action === 'cancel') broadcast = 'cancel';
  };

  setHandler(campaignStateQuery, () => state);
  setHandler(
    transitionUpdate,
    async ({ action }) => {
      const t = TRANSITIONS[action];
      if (!patched(SERIALIZED_TRANSITIONS_PATCH)) {
        // Before the patch: checked against the current status, so a transition accepted while
        // another's write was in flight could be lost. Kept only to replay such runs.
        if (state.status === t.to) return state;
        await apply(action);
        projected = state.status;
        return state;
      }
      projected = t.to; // synchronously, before the next update's validator runs
      return exclusive(async () => {
        if (state.status === t.to) return { ...state }; // repeated call: no-op
        // Only the campaign completing on its own can come between validation and here.
        if (!t.from.includes(state.status))
          throw ApplicationFailure.create({ type: 'TransitionRefused', message: `cannot ${action} a ${state.status} campaign` });
        await apply(action);
        return { ...state };
      });
    },
    {
      validator: ({ version, action }: CampaignTransition) => {
        if (version !== 1) throw new Error(`unsupported transition version ${String(version)}`);
        const t = TRANSITIONS[action];
        if (!t) throw new Error(`unknown action ${String(action)}`);
        if (projected !== t.to && !t.from.includes(projected)) {
          throw new Error(`cannot ${action} a ${projected} campaign`);
        }
      },
    },
  );
  setHandler(leadsAddedSignal, ({ count }) => {
    state.pendingEnrollment += count;
    enrolRequested = true;
  });
  setHandler(sequenceEndedSignal, ({ leadId }) => {
    if (endedLeads.has(leadId)) return;
    endedLeads.add(leadId);
    state.ended++;
    endedSinceCheck = true;
  });

  if (!input.carried) {
    const counts = await acts.campaignCounts({ campaignId: input.campaignId });
    state.enrolled = counts.enrolled;
    state.ended = counts.ended;
    state.leadsByStatus = counts.leadsByStatus;
    state.pendingEnrollment = Math.max(state.pendingEnrollment, counts.pendingEnrollment);
    if (counts.pendingEnrollment > 0) enrolRequested = true;
  }

  for (;;) {
    const wake = () =>
      broadcast !== undefined ||
      TERMINAL.includes(state.status) ||
      (state.status === 'active' && (enrolRequested || endedSinceCheck)) ||
      workflowInfo().continueAsNewSuggested;
    // The query's counts (touches per channel, leads by status) are refreshed from the database
    // at enrolment and whenever sequences end, not by a signal per touch (that would double every
    // sequence's history); the API adds the database's current counts next to them.
    await condition(wake);
    // A transition applied while a broadcast is in flight (a cancel during a resume's) asks for its
    // own: send it too, or the sequences never hear of the cancel. Runs before the patch stopped
    // after one (replayed as they ran).
    while (broadcast) {
      const what = broadcast;
      broadcast = undefined;
      await acts.broadcastToSequences({ campaignId: input.campaignId, what });
      if (broadcast && !patched(REBROADCAST_PATCH)) break;
    }
    if (TERMINAL.includes(state.status)) break;
    if (state.status === 'active' && enrolRequested) {
      enrolRequested = false;
      let remaining = 1;
      // Page by page; a pause or cancel in between stops enrolling at the page boundary.
      while (remaining > 0 && state.status === 'active') {
        ({ remaining } = await acts.enrolPendingLeads({ campaignId: input.campaignId }));
      }
      if (remaining > 0) enrolRequested = true;
      Object.assign(state, await acts.campaignCounts({ campaignId: input.campaignId }), { status: state.status });
    }
    if (state.status === 'active' && endedSinceCheck) {
      endedSinceCheck = false;
      const counts = await acts.campaignCounts({ campaignId: input.campaignId });
      Object.assign(state, counts, { status: state.status });
      if (counts.enrolled > 0 && counts.pendingEnrollment === 0 && counts.ended >= counts.enrolled && !enrolRequested) {
        // Behind any queued transition; a pause or cancel accepted meanwhile wins.
        const completed = await exclusive(async () => {
          if (state.status !== 'active' || projected !== 'active') return false;
          projected = 'completed';
          await acts.setCampaignStatus({ campaignId: input.campaignId, status: 'completed' });
          state.status = 'completed';
          return true;
        });
        if (completed) break;
      }
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({
        ...input,
        carried: { state, enrolRequested: enrolRequested || endedSinceCheck, endedLeads: [...endedLeads], ...(broadcast ? { broadcast } : {}) },
      });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

// campaignWorkflow (`campaign:<id>`): the lifecycle draft → active ⇄ paused → completed | cancelled,
// driven by the `transition` update (validated: an impossible transition is refused, a repeated
// one is a no-op). Enrols leads in pages through an activity, counts touches and endings from its
// sequences' signals, completes when every sequence has ended, continues-as-new when told to.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
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
  type CampaignState,
  type CampaignStatus,
  type CampaignTransition,
} from './definitions/campaign';
import { LONG_ACTIVITY } from './definitions/retry';
import { CampaignIdKey, ClientIdKey } from './search-attributes';

export interface CampaignWorkflowInput {
  version: 1;
  clientId: string;
  campaignId: string;
  /** Set when the outreach sweep restarts a lost campaign workflow. */
  initialStatus?: 'active' | 'paused';
  /** Carried across continue-as-new. */
  carried?: { state: CampaignState; enrolRequested: boolean };
}

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
  let broadcast: 'resume' | 'cancel' | undefined;

  setHandler(campaignStateQuery, () => state);
  setHandler(
    transitionUpdate,
    async ({ action }) => {
      const t = TRANSITIONS[action];
      if (state.status === t.to) return state; // repeated call: no-op
      await acts.setCampaignStatus({ campaignId: input.campaignId, status: t.to });
      state.status = t.to;
      if (action === 'start' || action === 'resume') enrolRequested = true;
      if (action === 'resume') broadcast = 'resume';
      if (action === 'cancel') broadcast = 'cancel';
      return state;
    },
    {
      validator: ({ action }: CampaignTransition) => {
        const t = TRANSITIONS[action];
        if (!t) throw new Error(`unknown action ${String(action)}`);
        if (state.status !== t.to && !t.from.includes(state.status)) {
          throw new Error(`cannot ${action} a ${state.status} campaign`);
        }
      },
    },
  );
  setHandler(leadsAddedSignal, ({ count }) => {
    state.pendingEnrollment += count;
    enrolRequested = true;
  });
  setHandler(sequenceEndedSignal, () => {
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
    if (broadcast) {
      const what = broadcast;
      broadcast = undefined;
      await acts.broadcastToSequences({ campaignId: input.campaignId, what });
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
        await acts.setCampaignStatus({ campaignId: input.campaignId, status: 'completed' });
        state.status = 'completed';
        break;
      }
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof campaignWorkflow>({ ...input, carried: { state, enrolRequested: enrolRequested || endedSinceCheck } });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

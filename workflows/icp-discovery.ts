// icpDiscoveryWorkflow (`icp:<clientId>:<jobId>`): scrape the client's website, run the eight ICP
// skills in order (progress, with each step's summary, by query), then wait up to seven days for
// the user to confirm (optionally with edits) or edit; on confirmation the client's ICP and ALS
// weights are saved; without one the job expires. Page text and skill outputs stay in Postgres.
import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { IcpDiscoveryActivities } from '../activities/icp-discovery';
import {
  confirmIcpSignal,
  confirmIcpUpdate,
  editIcpSignal,
  editIcpUpdate,
  ICP_CONFIRMATION_WINDOW,
  ICP_SKILL_STEPS,
  icpProgressQuery,
  type IcpConfirmInput,
  type IcpDiscoveryInput,
  type IcpEditInput,
  type IcpEditsView,
  type IcpProgress,
} from './definitions/icp';
import { LONG_ACTIVITY, SHORT_ACTIVITY } from './definitions/retry';
import { ClientIdKey, SkillSlugKey } from './search-attributes';

// A site that cannot be scraped for good fails with IcpScrapeFailed; an unreachable one retries.
const scrapeActs = proxyActivities<Pick<IcpDiscoveryActivities, 'icpScrapeSite'>>({ ...LONG_ACTIVITY, startToCloseTimeout: '3 minutes' });
const skillActs = proxyActivities<Pick<IcpDiscoveryActivities, 'icpRunSkill'>>({
  // Up to three Claude calls (validation retries) of up to 90 s each; outages retry until fixed.
  ...LONG_ACTIVITY,
  startToCloseTimeout: '6 minutes',
});
const jobActs = proxyActivities<Omit<IcpDiscoveryActivities, 'icpScrapeSite' | 'icpRunSkill'>>(SHORT_ACTIVITY);

const PERCENT_AFTER_SCRAPE = 10;

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function icpDiscoveryWorkflow(input: IcpDiscoveryInput): Promise<IcpProgress> {
  upsertSearchAttributes([
    { key: ClientIdKey, value: input.clientId },
    { key: SkillSlugKey, value: 'icp-discovery' },
  ]);
  const state: IcpProgress = { status: 'running', step: 'scrape', percent: 0, completedSteps: [], partial: {} };
  let decision: IcpConfirmInput | undefined;
  let editsInFlight = 0;

  const awaiting = () => state.status === 'awaiting_confirmation';
  const applyEdit = async (e: IcpEditInput) => {
    editsInFlight++;
    try {
      state.draft = await jobActs.icpSaveEdits({ jobId: input.jobId, edits: e.edits, by: e.by });
      return state.draft;
    } finally {
      editsInFlight--;
    }
  };
  const decide = async (c: IcpConfirmInput) => {
    // Edits already in flight land first, so the confirmation includes them.
    await condition(() => editsInFlight === 0);
    if (awaiting() && !decision) decision = c;
  };

  setHandler(icpProgressQuery, () => state);
  setHandler(editIcpUpdate, applyEdit, {
    validator: (e: IcpEditInput) => {
      if (!awaiting()) throw new Error(`the ICP can be edited only while it awaits confirmation (it is ${state.status})`);
      if (!e || typeof e.edits !== 'object' || e.edits === null) throw new Error('edits must be an object');
    },
  });
  setHandler(
    confirmIcpUpdate,
    async (c: IcpConfirmInput) => {
      await decide(c);
      await condition(() => state.status !== 'awaiting_confirmation' && state.status !== 'confirming');
      if (state.status !== 'confirmed' || !state.draft) throw ApplicationFailure.nonRetryable(`the ICP could not be confirmed: ${state.error ?? state.status}`);
      return { status: state.status, icp: state.draft };
    },
    {
      validator: (c: IcpConfirmInput) => {
        if (!awaiting() || decision) throw new Error(`only an ICP awaiting confirmation can be confirmed (it is ${decision ? 'confirming' : state.status})`);
        if (c?.edits !== undefined && (typeof c.edits !== 'object' || c.edits === null)) throw new Error('edits must be an object');
      },
    },
  );
  setHandler(editIcpSignal, async (e: IcpEditInput) => {
    if (awaiting()) await applyEdit(e).catch(() => undefined);
  });
  setHandler(confirmIcpSignal, async (c: IcpConfirmInput) => {
    await decide(c);
  });

  const fail = async (err: unknown): Promise<never> => {
    state.status = 'failed';
    state.error = failureMessage(err);
    await jobActs.icpMarkJob({ jobId: input.jobId, status: 'failed', error: state.error });
    await condition(allHandlersFinished);
    throw ApplicationFailure.nonRetryable(`ICP discovery failed at ${state.step}: ${state.error}`, 'IcpDiscoveryFailed');
  };

  try {
    const scrape = await scrapeActs.icpScrapeSite({ clientId: input.clientId, jobId: input.jobId, websiteUrl: input.websiteUrl });
    state.pages = scrape.pageCount;
    state.partial.scrape = { pages: scrape.pageCount, skipped: scrape.skippedCount, robots: scrape.robots };
    state.completedSteps.push('scrape');
    state.percent = PERCENT_AFTER_SCRAPE;

    for (const [i, step] of ICP_SKILL_STEPS.entries()) {
      state.step = step;
      upsertSearchAttributes([{ key: SkillSlugKey, value: step }]);
      const outcome = await skillActs.icpRunSkill({ clientId: input.clientId, jobId: input.jobId, step });
      state.partial[step] = { ...outcome.summary, mode: outcome.mode };
      state.completedSteps.push(step);
      state.percent = PERCENT_AFTER_SCRAPE + Math.round(((i + 1) / ICP_SKILL_STEPS.length) * (100 - PERCENT_AFTER_SCRAPE));
    }
    upsertSearchAttributes([{ key: SkillSlugKey, value: 'icp-discovery' }]);

    const expiresAt = new Date(Date.now() + msOf(ICP_CONFIRMATION_WINDOW)).toISOString();
    state.draft = await jobActs.icpPrepareDraft({ jobId: input.jobId, expiresAt });
    state.expiresAt = expiresAt;
    state.step = 'awaiting_confirmation';
    state.status = 'awaiting_confirmation';
  } catch (err) {
    return fail(err);
  }

  const decided = await condition(() => decision !== undefined, ICP_CONFIRMATION_WINDOW);
  if (!decided) {
    state.status = 'expired';
    state.step = 'done';
    await jobActs.icpMarkJob({ jobId: input.jobId, status: 'expired', error: `not confirmed within ${ICP_CONFIRMATION_WINDOW}` });
    await condition(allHandlersFinished);
    return state;
  }

  state.status = 'confirming';
  state.step = 'confirming';
  try {
    const c = decision as IcpConfirmInput;
    state.draft = await jobActs.icpApplyConfirmation({ clientId: input.clientId, jobId: input.jobId, edits: c.edits as IcpEditsView | undefined, by: c.by });
  } catch (err) {
    return fail(err);
  }
  state.status = 'confirmed';
  state.step = 'done';
  await condition(allHandlersFinished);
  return state;
}

function msOf(window: string): number {
  const m = /^(\d+) days?$/.exec(window);
  if (!m) throw new Error(`unsupported window ${window}`);
  return Number(m[1]) * 86_400_000;
}

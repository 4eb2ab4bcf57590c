// campaignGenerationWorkflow (`campaign-gen:<clientId>:<jobId>`): from the client's confirmed ICP,
// the sequence builder, the messaging generator once per channel, the campaign splitter, then the
// campaign templates are saved. Progress by query; every output stays on the generation job.
import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { CampaignGenerationActivities } from '../activities/campaign-generation';
import {
  campaignGenerationProgressQuery,
  MESSAGING_CHANNELS,
  type CampaignGenerationInput,
  type CampaignGenerationProgress,
} from './definitions/campaign-generation';
import { LONG_ACTIVITY, SHORT_ACTIVITY } from './definitions/retry';
import { ClientIdKey, SkillSlugKey } from './search-attributes';

const skillActs = proxyActivities<Pick<CampaignGenerationActivities, 'campaignGenRunSkill'>>({
  // Up to three Claude calls (validation retries) of up to 90 s each; outages retry until fixed.
  ...LONG_ACTIVITY,
  startToCloseTimeout: '6 minutes',
});
const jobActs = proxyActivities<Omit<CampaignGenerationActivities, 'campaignGenRunSkill'>>(SHORT_ACTIVITY);

const TOTAL_STEPS = 2 + MESSAGING_CHANNELS.length + 1; // sequence, messaging×5, splitter, save

export async function campaignGenerationWorkflow(input: CampaignGenerationInput): Promise<CampaignGenerationProgress> {
  upsertSearchAttributes([
    { key: ClientIdKey, value: input.clientId },
    { key: SkillSlugKey, value: 'campaign-generation' },
  ]);
  const state: CampaignGenerationProgress = { status: 'running', step: 'prepare', percent: 0, completedSteps: [], templateIds: [] };
  setHandler(campaignGenerationProgressQuery, () => state);
  const done = (step: string) => {
    state.completedSteps.push(step);
    state.percent = Math.round((state.completedSteps.length / (TOTAL_STEPS + 1)) * 100);
  };
  const ids = { clientId: input.clientId, jobId: input.jobId };

  try {
    await jobActs.campaignGenPrepare(ids);
    done('prepare');

    state.step = 'sequence-builder';
    upsertSearchAttributes([{ key: SkillSlugKey, value: 'sequence-builder' }]);
    await skillActs.campaignGenRunSkill({ ...ids, step: 'sequence-builder' });
    done('sequence-builder');

    upsertSearchAttributes([{ key: SkillSlugKey, value: 'messaging-generator' }]);
    for (const channel of MESSAGING_CHANNELS) {
      state.step = `messaging-generator:${channel}`;
      await skillActs.campaignGenRunSkill({ ...ids, step: 'messaging-generator', channel });
      done(state.step);
    }

    state.step = 'campaign-splitter';
    upsertSearchAttributes([{ key: SkillSlugKey, value: 'campaign-splitter' }]);
    await skillActs.campaignGenRunSkill({ ...ids, step: 'campaign-splitter' });
    done('campaign-splitter');

    state.step = 'save-templates';
    const saved = await jobActs.campaignGenSaveTemplates(ids);
    state.templateIds = saved.templateIds;
    done('save-templates');
  } catch (err) {
    state.status = 'failed';
    state.error = err instanceof ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err);
    await jobActs.campaignGenMarkFailed({ jobId: input.jobId, error: state.error });
    throw ApplicationFailure.nonRetryable(`campaign generation failed at ${state.step}: ${state.error}`, 'CampaignGenerationFailed');
  }
  upsertSearchAttributes([{ key: SkillSlugKey, value: 'campaign-generation' }]);
  state.status = 'completed';
  state.step = 'done';
  state.percent = 100;
  return state;
}

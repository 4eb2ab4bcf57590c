// Messages of icpDiscoveryWorkflow, shared by the workflow and the API (one definition each, never
// string literals): the progress query, the edit and confirm updates (validated, so a caller learns
// at once that a job is not awaiting confirmation) and signal twins of both for operators.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** The eight ICP skills, in the order the workflow runs them (mirrors src/engines/skills/icp/pipeline.ts). */
export const ICP_SKILL_STEPS = [
  'website-parser',
  'service-extractor',
  'value-prop-extractor',
  'portfolio-extractor',
  'industry-classifier',
  'company-size-estimator',
  'icp-deriver',
  'als-weight-suggester',
] as const;
export type IcpSkillStep = (typeof ICP_SKILL_STEPS)[number];
export type IcpStepName = 'scrape' | IcpSkillStep | 'awaiting_confirmation' | 'confirming' | 'done';

export type IcpWorkflowStatus = 'running' | 'awaiting_confirmation' | 'confirming' | 'confirmed' | 'expired' | 'failed';

export const ICP_CONFIRMATION_WINDOW = '7 days';

export interface IcpDiscoveryInput {
  version: 1;
  clientId: string;
  jobId: string;
  websiteUrl: string;
}

/** The ICP as a user sees and edits it (validated by the activity with IcpDraft/IcpEdits). */
export interface IcpDraftView {
  industries: string[];
  companySizes: string[];
  titles: string[];
  locations: string[];
  painPoints: string[];
  valueProp: string;
  alsWeights: { dataQuality: number; authority: number; companyFit: number; timing: number; risk: number };
}

export type IcpEditsView = Partial<Omit<IcpDraftView, 'alsWeights'>> & { alsWeights?: Partial<IcpDraftView['alsWeights']> };

export interface IcpProgress {
  status: IcpWorkflowStatus;
  step: IcpStepName;
  percent: number;
  completedSteps: string[];
  /** Small summaries of each finished step (full outputs are on the onboarding job). */
  partial: Record<string, unknown>;
  pages?: number;
  draft?: IcpDraftView;
  expiresAt?: string;
  error?: string;
}

export interface IcpEditInput {
  version: 1;
  edits: IcpEditsView;
  /** Who asked (user id), for the job's audit trail. */
  by?: string;
}

export interface IcpConfirmInput {
  version: 1;
  edits?: IcpEditsView;
  by?: string;
}

export interface IcpConfirmResult {
  status: IcpWorkflowStatus;
  icp: IcpDraftView;
}

export const icpProgressQuery = defineQuery<IcpProgress>('icpProgress');
export const editIcpUpdate = defineUpdate<IcpDraftView, [IcpEditInput]>('editIcp');
export const confirmIcpUpdate = defineUpdate<IcpConfirmResult, [IcpConfirmInput]>('confirmIcp');
export const editIcpSignal = defineSignal<[IcpEditInput]>('editIcpSignal');
export const confirmIcpSignal = defineSignal<[IcpConfirmInput]>('confirmIcpSignal');

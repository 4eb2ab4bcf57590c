// Every workflow the worker registers. Workflow code is deterministic: no Node APIs, no I/O.
export { selfTestWorkflow } from './self-test';
export { leadSequenceWorkflow } from './lead-sequence';
export { campaignWorkflow } from './campaign';
export { leadEnrichmentWorkflow } from './lead-enrichment';
export { enrichmentSweepWorkflow } from './enrichment-sweep';
export { replyRecoveryWorkflow } from './reply-recovery';
export { reviewSweepWorkflow } from './review-sweep';
export { creditGrantsWorkflow } from './credit-grants';
export { icpDiscoveryWorkflow } from './icp-discovery';
export { campaignGenerationWorkflow } from './campaign-generation';
export { outreachSweepWorkflow } from './outreach-sweep';
export { skillRunWorkflow } from './skill-run';
export { playbookRunWorkflow } from './playbook-run';
export { skillDigestWorkflow } from './skill-digest';
export { webhookDeliveryWorkflow, webhookDispatchSweepWorkflow } from './webhook-delivery';
export { leadMigrationWorkflow } from './lead-migration';

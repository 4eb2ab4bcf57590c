// Every workflow the worker registers. Workflow code is deterministic: no Node APIs, no I/O.
export { selfTestWorkflow } from './self-test';
export { leadSequenceWorkflow } from './lead-sequence';
export { campaignWorkflow } from './campaign';

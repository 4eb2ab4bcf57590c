// Workflow ids, built in one place so the API, activities and sweeps agree on them.

export const workflowIds = {
  selfTest: (probeId: string) => `self-test:${probeId}`,
  campaign: (campaignId: string) => `campaign:${campaignId}`,
  sequence: (campaignId: string, leadId: string) => `sequence:${campaignId}:${leadId}`,
  icpDiscovery: (clientId: string, jobId: string) => `icp:${clientId}:${jobId}`,
  campaignGeneration: (clientId: string, jobId: string) => `campaign-gen:${clientId}:${jobId}`,
  skillRun: (runId: string) => `skill-run:${runId}`,
  playbookRun: (runId: string) => `playbook-run:${runId}`,
  enrichment: (clientId: string, batchId: string) => `enrich:${clientId}:${batchId}`,
  delivery: (endpointId: string, eventId: string) => `delivery:${endpointId}:${eventId}`,
  /** One migrate-leads request (the migration id is derived from the request, see src/lifecycle/lead-migrations.ts). */
  leadMigration: (campaignId: string, migrationId: string) => `lead-migration:${campaignId}:${migrationId}`,
  schedule: (name: string) => `schedule:${name}`,
} as const;

// Names of the variables global-setup hands to every test worker.
export const HARNESS_ENV = {
  adminUrl: 'AOS_TEST_PG_ADMIN_URL',
  templateDb: 'AOS_TEST_TEMPLATE_DB',
  temporalAddress: 'AOS_TEST_TEMPORAL_ADDRESS',
  bundlePath: 'AOS_TEST_WORKFLOW_BUNDLE',
} as const;

export function harnessValue(name: keyof typeof HARNESS_ENV): string {
  const v = process.env[HARNESS_ENV[name]];
  if (!v) throw new Error(`${HARNESS_ENV[name]} is not set: run the tests through jest (test/global-setup.ts)`);
  return v;
}

// The Java time-skipping test server from Maven Central, driven by the TS SDK.
import { startTestStack, type TestStack } from '../harness/stack';
import { TypedSearchAttributes } from '@temporalio/common';
import { ClientIdKey } from '../../workflows/search-attributes';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.stop();
});

it('skips a day of timers in moments and runs workflows with search attributes', async () => {
  const env = stack.env!;
  const before = await env.currentTimeMs();
  await env.sleep('1 day');
  const after = await env.currentTimeMs();
  expect(after - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);

  const result = await stack.temporal.workflow.execute('selfTestWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: 'self-test:time-skipping',
    args: [{ version: 1, probeId: '9f3d3a5e-1111-4a4a-9c9c-000000000001', note: 'ts' }],
    typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: 'platform' }]),
  });
  expect(result).toMatchObject({ ok: true, readBack: 'ts' });
});

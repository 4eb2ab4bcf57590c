// creditGrantsWorkflow on the Temporal dev server with a real worker and PostgreSQL: the monthly run
// grants every live client its plan's credits, and a second run for the same month grants nothing.
// Its history is committed for the replay test (RECORD_HISTORIES=1 rewrites it).
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { PLANS } from '../../src/engines/plans';
import type { creditGrantsWorkflow } from '../../workflows/credit-grants';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

it('grants each live client its plan credits once per month, however often it runs', async () => {
  const ignition = await createClientWithUser(stack.db, { tier: 'ignition', credits: 0 });
  const dominance = await createClientWithUser(stack.db, { tier: 'dominance', credits: 7 });
  const run = (n: number) =>
    stack.temporal.workflow.execute<typeof creditGrantsWorkflow>('creditGrantsWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `credit-grants:test-${n}:${stack.taskQueue}`,
      args: [{ version: 1, at: '2027-03-01T00:05:00+11:00' }],
    });
  expect(await run(1)).toEqual({ month: '2027-03', granted: 2, alreadyGranted: 0, expired: 0, creditsExpired: 0 });
  expect(await run(2)).toEqual({ month: '2027-03', granted: 0, alreadyGranted: 2, expired: 0, creditsExpired: 0 });
  const balances = await stack.db.client.findMany({
    where: { id: { in: [ignition.client.id, dominance.client.id] } },
    select: { id: true, creditsRemaining: true },
  });
  expect(Object.fromEntries(balances.map((b) => [b.id, b.creditsRemaining]))).toEqual({
    [ignition.client.id]: PLANS.ignition.monthlyCredits,
    [dominance.client.id]: 7 + PLANS.dominance.monthlyCredits,
  });
  expect(await stack.db.creditTransaction.count({ where: { kind: 'grant', key: { endsWith: ':2027-03' } } })).toBe(2);
  recordHistory(`credit-grants:test-1:${stack.taskQueue}`, 'credit-grants');
});

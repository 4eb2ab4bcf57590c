// Out-of-office: the sequence pauses until one business day after the lead's return date.
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, localDay, sequenceHandle, timeline } from './helpers';
import { outOfOfficeSignal } from '../../workflows/definitions/sequence';

let stack: TestStack;
beforeAll(async () => {
  // Monday 6 July 2026, 09:00 in Sydney (AEST).
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-07-05T23:00:00Z' });
});
afterAll(async () => {
  await stack?.stop();
});

it('pauses for an out-of-office reply and resumes one business day after the return date', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'ooo' }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const startDay = '2026-07-06';
  await stack.env!.sleep('1 day');
  // Back on Monday 20 July: the next touch goes out on Tuesday 21 July.
  const back = new Date(new Date(`${startDay}T00:00:00Z`).getTime() + 14 * 86_400_000).toISOString().slice(0, 10);
  await handle.signal(outOfOfficeSignal, { version: 1, eventId: 'ooo-1', returnDate: back });
  await stack.env!.sleep('1 hour');
  const paused = await timeline(stack.temporal, campaign.id, lead.id);
  expect(paused.status).toBe('paused_ooo');
  expect(paused.timeline.find((e) => e.touch === 2)).toMatchObject({ status: 'waiting', reason: 'out_of_office' });
  const state = await handle.result();
  expect(state.status).toBe('completed');
  const touch2 = state.timeline.find((e) => e.touch === 2)!;
  expect(touch2.status).toBe('sent');
  const dayAfterBack = new Date(new Date(`${back}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
  expect(localDay(touch2.at)).toBe(dayAfterBack);
});

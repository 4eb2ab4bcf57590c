// Sends use a launched template's generated copy (not the defaults) and, when the campaign turns
// AI personalisation on, Claude's rewrite of it (real SDK against the fake Messages API).
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle } from './helpers';
import { leadCalendar, windowOpenNow } from '../harness/clock';
import { recordHistory } from '../harness/histories';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';

const oneEmail = { version: 1 as const, touches: [{ number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const }] };

let stack: TestStack;
let anthropic: AnthropicFake;
beforeAll(async () => {
  anthropic = await startAnthropicFake();
  stack = await startTestStack({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: anthropic.url } });
});
afterAll(async () => {
  await stack?.stop();
  await anthropic?.close();
});

async function campaignFromTemplate(aiPersonalisation: boolean) {
  // The touch goes out now: the lead's calendar has "now" inside its send window.
  const cal = windowOpenNow();
  const { client } = await createClientWithUser(stack.db, cal);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, { firstName: 'Priya', companyName: 'Harbour Dental', ...leadCalendar(cal) });
  const template = await stack.db.campaignTemplate.create({
    data: {
      clientId: client.id,
      name: 'Dental',
      industry: 'Dental',
      sequence: oneEmail,
      messaging: {
        templates: {
          email_intro: { subject: 'Chairs at {{companyName}}', body: 'Hi {{firstName}}, dental practices like {{companyName}} fill empty chairs with us.' },
        },
      },
    },
  });
  const campaign = await launchCampaign(
    stack.temporal,
    stack.taskQueue,
    stack.db,
    { clientId: client.id, name: 'Dental', sequence: oneEmail, templateId: template.id, aiPersonalisation },
    [lead.id],
  );
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const state = await handle.result();
  const email = await stack.db.sandboxMessage.findFirstOrThrow({ where: { clientId: client.id, channel: 'email' } });
  return { state, handle, email: email.payload as { subject: string; text: string } };
}

it("sends the template's generated copy with its merge fields filled", async () => {
  const { state, email } = await campaignFromTemplate(false);
  expect(state.timeline[0].status).toBe('sent');
  expect(email.subject).toBe('Chairs at Harbour Dental');
  expect(email.text).toMatch(/^Hi Priya, dental practices like Harbour Dental fill empty chairs with us\./);
  expect(anthropic.requests).toHaveLength(0);
});

it("sends Claude's personalised version when the campaign asks for it, with the compliance footer kept", async () => {
  anthropic.enqueue(
    toolReply({ subject: 'Priya, chairs at Harbour Dental', body: 'Hi Priya, congratulations on the new Harbour Dental clinic. We fill empty chairs.' }),
  );
  const { state, handle, email } = await campaignFromTemplate(true);
  expect(state.timeline[0].status).toBe('sent');
  expect(String(anthropic.requests[0].body.messages[0].content)).toContain('Hi Priya, dental practices like Harbour Dental');
  expect(email.subject).toBe('Priya, chairs at Harbour Dental');
  expect(email.text).toMatch(/^Hi Priya, congratulations on the new Harbour Dental clinic\./);
  expect(email.text).toContain('Unsubscribe: http://agency-os.test/u/');
  const usage = await stack.db.aiUsage.findMany({ where: { purpose: 'content' } });
  expect(usage).toHaveLength(1);

  // Claude ran in its own activity, with its own (long) timeout, between two attempts of the touch:
  // the first found the copy not ready, the second sent the cached copy without calling Claude.
  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a ? [{ type: a.activityType?.name, timeoutS: Number(a.startToCloseTimeout?.seconds ?? 0) }] : [];
  });
  const touchSteps = scheduled.filter((a) => a.type !== 'planSchedule');
  expect(touchSteps.map((a) => a.type)).toEqual(['attemptTouch', 'personaliseTouchCopy', 'attemptTouch']);
  const [touch, personalise] = touchSteps;
  expect(personalise.timeoutS).toBeGreaterThan(touch.timeoutS);
  recordHistory(handle.workflowId, 'lead-sequence-ai-personalised');
});

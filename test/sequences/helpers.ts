// Driving campaigns and sequences in tests through the same lifecycle functions the API uses.
import type { Client } from '@temporalio/client';
import type { Db } from '../../src/db/client';
import { addLeadsToCampaign, createCampaign, type NewCampaign } from '../../src/engines/campaigns';
import { notifyLeadsAdded, startCampaignWorkflow, transitionCampaign } from '../../src/lifecycle/campaigns';
import { timelineQuery, type SequenceState } from '../../workflows/definitions/sequence';
import { workflowIds } from '../../workflows/ids';
import type { leadSequenceWorkflow } from '../../workflows/lead-sequence';

export async function launchCampaign(temporal: Client, taskQueue: string, db: Db, c: NewCampaign, leadIds: string[]) {
  const campaign = await createCampaign(db, c);
  await startCampaignWorkflow(temporal, taskQueue, { clientId: c.clientId, id: campaign.id });
  await addLeadsToCampaign(db, { clientId: c.clientId, campaignId: campaign.id, leadIds });
  await notifyLeadsAdded(temporal, campaign.id, leadIds.length);
  await transitionCampaign(temporal, campaign.id, 'start');
  return campaign;
}

/** The sequence handle once the campaign's enrolment activity has started it. */
export async function sequenceHandle(temporal: Client, campaignId: string, leadId: string) {
  const handle = temporal.workflow.getHandle<typeof leadSequenceWorkflow>(workflowIds.sequence(campaignId, leadId));
  for (let i = 0; i < 200; i++) {
    try {
      await handle.describe();
      return handle;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('sequence never started');
}

export async function timeline(temporal: Client, campaignId: string, leadId: string): Promise<SequenceState> {
  return temporal.workflow.getHandle(workflowIds.sequence(campaignId, leadId)).query(timelineQuery);
}

/** Local calendar date of an instant in a zone, e.g. 2026-04-07. */
export function localDay(iso: string, timeZone = 'Australia/Sydney'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

export function localHour(iso: string, timeZone = 'Australia/Sydney'): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hour12: false }).format(new Date(iso)));
}

/** Skips the time-skipping server's clock to the next Monday 09:00 in Sydney. */
export async function skipToNextMonday(env: { currentTimeMs(): Promise<number>; sleep(ms: number): Promise<void> }): Promise<void> {
  const now = await env.currentTimeMs();
  for (let h = 1; h <= 8 * 24; h++) {
    const t = new Date(now + h * 3_600_000);
    const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Australia/Sydney', weekday: 'short' }).format(t);
    if (weekday === 'Mon' && localHour(t.toISOString()) === 9) {
      // Whole hours from now land on hh:mm of now; align to the top of the hour as well.
      const aligned = t.getTime() - (t.getTime() % 3_600_000);
      await env.sleep(Math.max(aligned - now, 1));
      return;
    }
  }
  throw new Error('no Monday 09:00 within 8 days');
}

/** One email touch three days out: the started sequences only plan and wait (nothing is sent during a test). */
export const LATER_SEQUENCE = { version: 1 as const, touches: [{ number: 1, day: 3, channel: 'email' as const, kind: 'email_intro' as const }] };
